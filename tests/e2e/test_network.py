"""A network of platforms as real servers (issue 16): two fronts (the Sub-center's and the municipal centre's)
against their central, and a partner region's central that decides a few matters the Sub-center's hall receives
on its behalf (京津冀通办, 异地代收代办). Each case is decided by the central its matter is routed to and comes back
to the front it came from; with one central down only its matters wait, and the other flows. A certificate
issued for a case of one front is a licence the other front fetches, from every central it knows, for the same
citizen: its checklist no longer asks for it, until the licence is revoked."""

from __future__ import annotations

import pytest
import requests

from apps.front.booking.management.commands.seed_demo import DEMO_PASSWORD

from .journey import (
    SLOW,
    accepted_case,
    approver_matter,
    central_decides,
    central_decides_and_issues,
    eventually,
    page_session,
    token,
)

pytestmark = pytest.mark.e2e

# The partner region's demo matters (apps/shared/catalog/demo_catalog_tj.json) and who decides them there.
TJ_CERTIFICATE = "12000015000000000000-001501-01"  # 住房公积金缴存证明开具（京津冀通办）: approver_tj
TJ_RETIREMENT = "12000002000000000000-000210-01"  # 职工退休核准（京津冀通办）: approver_tj2
# 失业登记 issues 就业失业登记证明 (an e-licence), which 就业困难人员认定 needs (material m2, from government).
UNEMPLOYMENT = "11011202000000000000-000203-01"
HARDSHIP = "11011202000000000000-000207-01"
# Four servers and four workers on a small machine: a hand-over can take a while.
WAIT = 120


def matter(front, code: str) -> dict:
    response = requests.get(f"{front.url}/api/v1/matters/{code}/", timeout=SLOW)
    assert response.status_code == 200, response.text
    return response.json()


def front_case(front, number: str) -> tuple[str, str] | None:
    """(status, the code of the central it was handed to) at the front."""
    rows = front.sql(
        "SELECT c.status, p.code FROM intake_case c LEFT JOIN exchange_peer p ON p.id = c.central_id WHERE c.number = %s",
        (number,),
    )
    return rows[0] if rows else None


def decided_at_front(front, number: str) -> bool:
    case = front_case(front, number)
    return case is not None and case[0] in ("decided", "result_ready")


def received(central, number: str) -> list[tuple[str]]:
    """The platforms a central received this case number from (one row per case it holds)."""
    return central.sql(
        "SELECT p.code FROM review_reviewcase r JOIN exchange_peer p ON p.id = r.platform_id WHERE r.front_number = %s",
        (number,),
    )


def decisions_received(front, number: str) -> list[tuple[str]]:
    """The case.decided messages the front applied for this case, by the peer that sent each."""
    return front.sql(
        "SELECT p.code FROM exchange_inboxmessage i JOIN exchange_peer p ON p.id = i.peer_id "
        "WHERE i.kind = 'case.decided' AND i.response->>'number' = %s",
        (number,),
    )


def test_each_case_is_decided_by_the_central_of_its_matter_and_comes_back_to_its_front(network):
    sites, _logs = network
    tz, sz, central, tj = sites["front"], sites["front-sz"], sites["central"], sites["central-tj"]

    # At the municipal centre's hall, a matter of the fronts' own central; at the Sub-center's, a matter of the
    # partner region, received on its behalf and checked against its checklist (the catalog's materials of that
    # region's matter).
    ours = accepted_case(sz, central, token(sz, "citizen2", DEMO_PASSWORD), hall_code="SZ", clerk_name="clerk_sz")
    theirs = accepted_case(tz, tj, token(tz, "citizen", DEMO_PASSWORD), matter=matter(tz, TJ_CERTIFICATE))
    assert ours.startswith("SZ") and theirs.startswith("TZ")
    assert front_case(sz, ours)[1] == "central" and front_case(tz, theirs)[1] == "TJ"

    central_decides(central, ours)
    central_decides(tj, theirs, approver_name="approver_tj")

    eventually(lambda: decided_at_front(sz, ours), timeout=WAIT)
    eventually(lambda: decided_at_front(tz, theirs), timeout=WAIT)
    # Each central holds only the cases routed to it, from the platform each came from; each decision came back
    # once, from the central that made it, to the front that sent the case.
    assert received(central, ours) == [("BJ-SZ",)] and received(central, theirs) == []
    assert received(tj, theirs) == [("BJ-TZ",)] and received(tj, ours) == []
    assert decisions_received(sz, ours) == [("central",)]
    assert decisions_received(tz, theirs) == [("TJ",)]

    # Central's dashboard splits by platform: the municipal centre's front has its decided case there.
    supervisor = page_session(central, "centralsup", DEMO_PASSWORD)
    html = supervisor.get(f"{central.url}/dashboard/", timeout=SLOW).content.decode()
    table = html.split('id="report-platforms"')[1].split("</section>")[0]
    assert 'data-platform="BJ-TZ"' in table and 'data-platform="BJ-SZ"' in table


def test_with_one_central_down_only_its_matters_wait_and_the_other_flows(network):
    """Fault: the partner region's central is away. The Sub-center's cases for it wait in the outbox, retried;
    its cases for its own central are decided meanwhile; once the partner is back, its case arrives exactly once
    and its decision comes back exactly once."""
    sites, logs = network
    tz, central, tj = sites["front"], sites["central"], sites["central-tj"]
    tj.stop_web()
    try:
        waiting = accepted_case(tz, tj, token(tz, "citizen", DEMO_PASSWORD), matter=matter(tz, TJ_RETIREMENT))
        flowing = accepted_case(tz, central, token(tz, "citizen2", DEMO_PASSWORD), matter=approver_matter(tz, central))

        central_decides(central, flowing)
        eventually(lambda: decided_at_front(tz, flowing), timeout=WAIT)

        def retried() -> bool:
            rows = tz.sql(
                "SELECT o.status, o.attempts FROM exchange_outboxmessage o JOIN exchange_peer p ON p.id = o.peer_id "
                "WHERE p.code = 'TJ' AND o.kind = 'case.submitted' AND o.ordering_key = %s",
                (waiting,),
            )
            return bool(rows) and rows[0][0] == "pending" and rows[0][1] >= 1

        eventually(retried, timeout=WAIT)
        assert front_case(tz, waiting)[0] == "accepted"  # waiting for its central, nothing lost
        assert received(central, waiting) == []  # never sent to the wrong one
    finally:
        tj.start_web(logs)
        tj.wait_ready(timeout=60)

    eventually(lambda: received(tj, waiting), timeout=WAIT)
    central_decides(tj, waiting, approver_name="approver_tj2")
    eventually(lambda: decided_at_front(tz, waiting), timeout=WAIT)
    assert received(tj, waiting) == [("BJ-TZ",)]
    assert decisions_received(tz, waiting) == [("TJ",)]
    # The retirement matter's checklist wants paper originals: the hall posted them to the partner's office
    # (材料寄递, the courier at the edge) and the office has the waybill on the case's history.
    [(status, tracking)] = tz.sql(
        "SELECT s.status, s.tracking_number FROM delivery_originalsshipment s JOIN intake_case c ON c.id = s.case_id "
        "WHERE c.number = %s",
        (waiting,),
    )
    assert status == "posted" and tracking
    notes = eventually(
        lambda: tj.sql(
            "SELECT e.note FROM review_reviewevent e JOIN review_reviewcase r ON r.id = e.case_id "
            "WHERE r.front_number = %s AND e.note LIKE %s",
            (waiting, f"%{tracking}%"),
        ),
        timeout=WAIT,
    )
    assert len(notes) == 1 and "职工本人人事档案" in notes[0][0]
    assert decisions_received(tz, flowing) == [("central",)]


def checklist_row(session: requests.Session, front, code: str, key: str) -> str:
    """The citizen's checklist row of material ``key`` on the matter's guide page."""
    page = session.get(f"{front.url}/guide/{code}/", timeout=SLOW).content.decode()
    start = page.index(f'data-key="{key}"')
    return page[page.rindex("<tr", 0, start) : page.index("</tr>", start)]


def library_questions(central, reference: str) -> list[tuple[str, str, str]]:
    """What a central's licence library recorded of the questions for ``reference``: (platform, returned, refusal)."""
    return central.sql(
        "SELECT p.code, q.returned::text, q.refused FROM licences_licencequery q JOIN exchange_peer p ON p.id = q.peer_id "
        "WHERE q.reference = %s ORDER BY q.id",
        (reference,),
    )


def test_a_licence_issued_for_a_case_at_one_front_is_not_asked_for_at_the_other(network):
    """欧阳晓雯 registers as unemployed at the municipal centre's hall (BJ-SZ); central decides and issues the
    就业失业登记证明 into its library. At the Sub-center's platform (BJ-TZ) she lets it fetch her licences for
    就业困难人员认定: it asks every central it knows (its own, and the partner's its routes name), and the checklist
    marks the certificate as not needed. Her case at the other front is in her list there too. Once central
    revokes the licence, the platform that fetched it hears so over the wire and asks for it again."""
    sites, _logs = network
    tz, sz, central, tj = sites["front"], sites["front-sz"], sites["central"], sites["central-tj"]

    number = accepted_case(
        sz,
        central,
        token(sz, "citizen2", DEMO_PASSWORD),
        hall_code="SZ",
        clerk_name="clerk_sz",
        matter=matter(sz, UNEMPLOYMENT),
    )
    central_decides_and_issues(central, number)
    [(licence,)] = central.sql("SELECT number FROM licences_licence WHERE case_number = %s", (number,))
    # The certificate reached her vault at the front that sent the case, as a licence of the central that issued it.
    eventually(
        lambda: sz.sql(
            "SELECT 1 FROM intake_evidenceitem e JOIN exchange_peer p ON p.id = e.licence_peer_id "
            "WHERE e.licence_number = %s AND p.code = 'central'",
            (licence,),
        ),
        timeout=WAIT,
    )

    citizen = page_session(tz, "citizen2", DEMO_PASSWORD)
    assert "item-held" not in checklist_row(citizen, tz, HARDSHIP, "m2")
    guide = f"{tz.url}/guide/{HARDSHIP}/"
    fetched = citizen.post(
        f"{guide}licences/",
        data={"consent": "1", "csrfmiddlewaretoken": citizen.cookies["csrftoken"]},
        headers={"Referer": guide},
        timeout=SLOW,
    )
    assert fetched.status_code == 200 and "已从电子证照库调取 1 份证照" in fetched.content.decode()
    row = checklist_row(citizen, tz, HARDSHIP, "m2")
    assert "item-held" in row and "无需提交" in row
    # Both centrals were asked, each recording the platform and the purpose: central gave the licence; the
    # partner's, whose catalog does not hold this matter, refused and gave nothing.
    assert library_questions(central, f"guide:{HARDSHIP}") == [("BJ-TZ", f'["{licence}"]', "")]
    assert library_questions(tj, f"guide:{HARDSHIP}") == [("BJ-TZ", "[]", "no_case")]
    # One person across platforms: her case at the municipal centre's platform is in her list at the Sub-center's.
    mine = citizen.get(f"{tz.url}/me/", timeout=SLOW).content.decode()
    assert number in mine[mine.index('id="elsewhere-BJ-SZ"') :]

    central.manage("licences_revoke", licence, "--reason", "登记信息有误，予以撤销")
    eventually(
        lambda: tz.sql(
            "SELECT 1 FROM intake_evidenceitem WHERE licence_number = %s AND revoked_at IS NOT NULL", (licence,)
        ),
        timeout=WAIT,
    )
    assert "item-held" not in checklist_row(citizen, tz, HARDSHIP, "m2")
