"""Issue 13 across both sites, as real servers with real workers: a case held after a one-time notice is completed
on the applicant's second visit (the same case, once at central), a case the hall let pass its five working
days is accepted by law by the periodic job and reaches central dated from its receipt, and a 容缺 commitment left
unmet suspends the review at central until a last day, after which central's job closes the case and the front
shows why."""

from __future__ import annotations

import datetime as dt

import pytest
import requests

from apps.front.booking.management.commands.seed_demo import DEMO_PASSWORD
from apps.front.floor.demo import TERMINALS
from tests.journey_helpers import PDF

from .journey import accepted_case, approver_matter, central_case, eventually, move_slot_to_now, register, token

pytestmark = pytest.mark.e2e


def visit(front, central, citizen: dict[str, str]) -> tuple[dict, dict]:
    """Book at the TZ hall, check in "the next day", get called by `clerk`. Returns the ticket and the matter."""
    matter = approver_matter(front, central)
    hall = next(
        h
        for h in requests.get(f"{front.url}/api/v1/matters/{matter['code']}/halls/", timeout=10).json()
        if h["code"] == "TZ"
    )
    slot = requests.get(
        f"{front.url}/api/v1/slots/", params={"hall": hall["id"], "matter": matter["code"]}, timeout=10
    ).json()[0]
    booked = requests.post(
        f"{front.url}/api/v1/appointments/",
        json={"slot": slot["id"], "matter": matter["code"]},
        headers=citizen,
        timeout=10,
    )
    assert booked.status_code == 201, booked.text
    move_slot_to_now(front, slot["id"])
    checked_in = requests.post(
        f"{front.url}/api/v1/terminal/checkin/",
        json={"code": booked.json()["code"]},
        headers={"Authorization": f"Terminal {TERMINALS['TZ'][1]}"},
        timeout=10,
    )
    assert checked_in.status_code == 201, checked_in.text
    called = requests.post(
        f"{front.url}/api/v1/workbench/call-next/", headers=token(front, "clerk", DEMO_PASSWORD), timeout=10
    )
    assert called.status_code == 200 and called.json()["id"] == checked_in.json()["id"], called.text
    return called.json(), requests.get(f"{front.url}/api/v1/matters/{matter['code']}/", timeout=10).json()


def scans(matter: dict) -> dict:
    return {f"material_{m['id']}": (f"scan{m['id']}.pdf", PDF) for m in matter["materials"] if m["required"]}


def test_a_held_case_is_completed_on_the_second_visit(sites):
    front, central = sites
    _, citizen = register(front, central, real_name="吴桂芳")
    clerk = token(front, "clerk", DEMO_PASSWORD)
    ticket, matter = visit(front, central, citizen)
    noticed = requests.post(
        f"{front.url}/api/v1/workbench/tickets/{ticket['id']}/notice/",
        files=[("items", (None, "缺少全部申请材料原件"))],  # multipart, as the intake API takes
        headers=clerk,
        timeout=20,
    )
    assert noticed.status_code == 201, noticed.text
    number = noticed.json()["number"]
    # Second visit: the window continues the same case with what the applicant brought, and accepts it.
    ticket, matter = visit(front, central, citizen)
    accepted = requests.post(
        f"{front.url}/api/v1/workbench/tickets/{ticket['id']}/accept/", files=scans(matter), headers=clerk, timeout=20
    )
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["number"] == number
    assert front.sql(
        "SELECT count(*) FROM intake_case c JOIN accounts_user u ON u.id = c.citizen_id WHERE u.real_name = '吴桂芳'"
    ) == [(1,)]
    approver = token(central, "approver", DEMO_PASSWORD)
    at_central = eventually(lambda: central_case(central, approver, number))
    assert len(at_central["materials"]) == len(scans(matter))
    eventually(lambda: front.sql("SELECT status FROM intake_case WHERE number = %s", (number,)) == [("in_review",)])
    assert central.sql("SELECT count(*) FROM review_reviewcase WHERE front_number = %s", (number,)) == [(1,)]


def test_a_case_left_past_its_limit_is_accepted_by_law_and_reaches_central(sites):
    front, central = sites
    _, citizen = register(front, central, real_name="郑海涛")
    clerk = token(front, "clerk", DEMO_PASSWORD)
    ticket, matter = visit(front, central, citizen)
    held = requests.post(
        f"{front.url}/api/v1/workbench/tickets/{ticket['id']}/receive/", files=scans(matter), headers=clerk, timeout=20
    )
    assert held.status_code == 201, held.text
    number = held.json()["number"]
    # Ten days later nobody at the hall has decided or sent a notice: the limit was yesterday.
    front.sql(
        "UPDATE intake_case SET received_at = now() - interval '10 days', intake_started_at = now() - interval '10 days', "
        "intake_deadline = (now() AT TIME ZONE 'Asia/Shanghai')::date - 1 WHERE number = %s",
        (number,),
    )
    received_at = front.sql("SELECT received_at FROM intake_case WHERE number = %s", (number,))[0][0]
    # The periodic job, run by the site's own worker.
    front.manage("shell", "-c", "from apps.front.intake.tasks import cases_deem_accepted; cases_deem_accepted.delay()")
    approver = token(central, "approver", DEMO_PASSWORD)
    at_central = eventually(lambda: central_case(central, approver, number))
    assert dt.datetime.fromisoformat(at_central["accepted_at"]) == received_at
    eventually(lambda: front.sql("SELECT status FROM intake_case WHERE number = %s", (number,)) == [("in_review",)])
    assert front.sql("SELECT deemed_accepted_at IS NOT NULL FROM intake_case WHERE number = %s", (number,)) == [(True,)]
    inbox = requests.get(f"{front.url}/api/v1/inbox/", headers=citizen, timeout=10).json()
    assert "case.deemed_accepted" in {n["event"] for n in inbox}
    # Once: the job again changes nothing.
    front.manage(
        "shell", "-c", "from apps.front.intake.services import cases_deem_accepted; assert cases_deem_accepted() == 0"
    )
    assert central.sql("SELECT count(*) FROM review_reviewcase WHERE front_number = %s", (number,)) == [(1,)]


def test_an_unmet_commitment_suspends_the_review_and_its_end_closes_the_case_on_both_sites(sites):
    front, central = sites
    _, citizen = register(front, central, real_name="钱冬梅")
    number = accepted_case(front, central, citizen)
    approver = token(central, "approver", DEMO_PASSWORD)
    eventually(lambda: central_case(central, approver, number))
    eventually(lambda: front.sql("SELECT status FROM intake_case WHERE number = %s", (number,)) == [("in_review",)])
    # Accepted on a commitment (容缺) to bring a health certificate, whose deadline passed a month ago: not
    # "yesterday", which on a Monday or after a holiday is a day off, so the period's last day (民法典 Art. 203)
    # would be today and nothing yet breached.
    front.sql(
        "UPDATE intake_case SET commitment_items = '[\"健康证明\"]'::jsonb, "
        "commitment_deadline = (now() AT TIME ZONE 'Asia/Shanghai')::date - 30 WHERE number = %s",
        (number,),
    )
    front.manage(
        "shell",
        "-c",
        "from apps.front.intake.services import cases_commitment_enforce; assert cases_commitment_enforce() == 1",
    )
    # Central suspends the review and tells the front the last day for the items.
    eventually(
        lambda: (
            central.sql("SELECT status FROM review_reviewcase WHERE front_number = %s", (number,)) == [("suspended",)]
        )
    )
    eventually(
        lambda: "审批中止" in front.sql("SELECT procedure_note FROM intake_case WHERE number = %s", (number,))[0][0]
    )
    # The last day passes with nothing brought: central's job closes the case, the front follows and says why.
    central.sql(
        "UPDATE review_reviewcase SET suspension_deadline = (now() AT TIME ZONE 'Asia/Shanghai')::date - 30 "
        "WHERE front_number = %s",
        (number,),
    )
    central.manage("shell", "-c", "from apps.central.review.tasks import close_suspended; close_suspended.delay()")
    eventually(
        lambda: front.sql("SELECT status FROM intake_case WHERE number = %s", (number,)) == [("closed_no_correction",)]
    )
    tracked = requests.get(f"{front.url}/api/v1/cases/{number}/", headers=citizen, timeout=10).json()
    assert tracked["sentence"] == "因容缺材料逾期未补齐，本件已终止。", tracked
    inbox = requests.get(f"{front.url}/api/v1/inbox/", headers=citizen, timeout=10).json()
    assert {"case.review_suspended", "case.closed_commitment_unmet"} <= {n["event"] for n in inbox}
