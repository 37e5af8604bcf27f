"""Shared licences across a network (issue 16): a front asks the library of every central it knows (its own and
the routed ones, exchange.peers.centrals) and merges the answers; a central that is away is named and does not
hide another's licences; each licence is re-checked at the central that gave it; a revocation from that central
ends it; the verification page finds a licence at whichever central holds it.

The answering central is a real one (tests/registry_central.py) registered here as the partner region's central
TJ, with a link key of its own; the platform's own central is away (a closed port)."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path

import pytest
from django.utils import timezone

from apps.front.intake.models import Case, EvidenceItem
from apps.front.intake.shared import licences_recheck
from apps.shared.catalog.models import Material, MaterialSource
from apps.shared.exchange.models import Peer, PeerKey, Route
from tests.factories import make_matter, make_user
from tests.front.intake.test_wire_inbox import post_signed

# 网约车驾驶员证核发 needs 无犯罪记录证明; the library holds one for 李明 (imported below, apart from the demo's).
MATTER_CODE = "11011211000000000000-001102-01"
KEY = "no-criminal-record"
NUMBER = "NET-2026-0001"
HOLDER = {"name": "李明", "id_number": "11010519491231002X"}
# The link between this platform and "TJ": registered at both ends (at the central as a key of BJ-TZ).
TJ_KEY_ID, TJ_SECRET = "k-tz-tj-test", "partner-link-secret-0123"
AWAY = "http://127.0.0.1:9"

CENTRAL_SETUP = f"""
from apps.shared.exchange.models import Peer, PeerKey
PeerKey.objects.get_or_create(key_id="{TJ_KEY_ID}", defaults=dict(peer=Peer.objects.get(code="BJ-TZ"), secret="{TJ_SECRET}"))
"""


@pytest.fixture(scope="module")
def partner_library(registry_central):
    """At the real central: the second link's key, and a licence for 李明 in its library."""
    site = registry_central.site
    site.manage("shell", "-c", CENTRAL_SETUP)
    if not site.sql("SELECT 1 FROM licences_licence WHERE number = %s", (NUMBER,)):
        rows = Path(site.env["VAR_DIR"]) / "network-licences.json"
        rows.parent.mkdir(parents=True, exist_ok=True)
        rows.write_text(
            json.dumps(
                [
                    {
                        "number": NUMBER,
                        "title": "无犯罪记录证明",
                        "material_key": KEY,
                        "holder_name": HOLDER["name"],
                        "holder_id_number": HOLDER["id_number"],
                        "issuer": "天津市公安局",
                        "issued_on": "2026-11-02",
                        "valid_until": "",
                    }
                ],
                ensure_ascii=False,
            ),
            encoding="utf-8",
        )
        site.manage("licences_import", str(rows))
    [(code,)] = site.sql("SELECT verification_code FROM licences_licence WHERE number = %s", (NUMBER,))
    return code


@pytest.fixture
def libraries(registry, partner_library):
    """This front's own central away, and the partner's central (routed for region 12) answering."""
    Peer.objects.filter(code="central").update(base_url=AWAY)
    tj = Peer.objects.create(code="TJ", name="天津市政务服务审批后台", base_url=registry.url)
    PeerKey.objects.create(peer=tj, key_id=TJ_KEY_ID, secret=TJ_SECRET)
    Route.objects.create(region="12", peer=tj)
    return tj


@pytest.fixture
def li(db):
    return make_user("liming", real_name=HOLDER["name"], phone="13811115555", id_number=HOLDER["id_number"])


@pytest.fixture
def driver_matter(db, hall):
    matter = make_matter(MATTER_CODE, name="网络预约出租汽车驾驶员证核发")
    Material.objects.create(
        matter=matter, key=KEY, position=3, name="无犯罪记录证明", source=MaterialSource.GOVERNMENT, issuer="公安机关"
    )
    return matter


def row(client, matter) -> str:
    page = client.get(f"/guide/{matter.code}/").content.decode()
    start = page.index(f'data-key="{KEY}"')
    return page[page.rindex("<tr", 0, start) : page.index("</tr>", start)]


def fetch(client, matter) -> str:
    """The citizen lets the platform fetch; the page they are sent back to."""
    response = client.post(f"/guide/{matter.code}/licences/", {"consent": "1"})
    assert response.status_code == 302
    return client.get(response.url).content.decode()


@pytest.mark.django_db
class TestLicencesFromEveryCentral:
    def test_a_central_away_does_not_hide_the_licences_another_central_holds(
        self, client, registry, libraries, li, driver_matter
    ):
        client.force_login(li)
        page = fetch(client, driver_matter)
        assert "已从电子证照库调取 1 份证照" in page
        assert "审批总后台的电子证照库暂时无法访问" in page  # the one away is named
        item = EvidenceItem.objects.get(citizen=li)
        assert (item.licence_number, item.licence_peer) == (NUMBER, libraries)
        assert "item-held" in row(client, driver_matter)
        # The central that answered recorded the question under the second link, with what it gave.
        [(returned, refused)] = registry.site.sql(
            "SELECT q.returned::text, q.refused FROM licences_licencequery q WHERE q.reference = %s AND q.returned::text LIKE %s",
            (f"guide:{MATTER_CODE}", f"%{NUMBER}%"),
        )
        assert (json.loads(returned), refused) == ([NUMBER], "")

    def test_with_every_central_away_nothing_is_held_and_it_says_so(self, client, libraries, li, driver_matter):
        Peer.objects.filter(code="TJ").update(base_url=AWAY)
        client.force_login(li)
        page = fetch(client, driver_matter)
        assert "电子证照库暂时无法访问，请稍后再试或提交纸质材料" in page
        assert not EvidenceItem.objects.exists() and "item-held" not in row(client, driver_matter)

    def test_the_api_names_the_central_that_was_away(self, api, libraries, li, driver_matter, hall):
        case = Case.objects.create(
            number="TZ2026120700009", query_password_hash="x", citizen=li, matter=driver_matter, hall=hall
        )
        response = api(li).post(f"/api/v1/cases/{case.number}/licences/", {"consent": True}, format="json")
        assert response.status_code == 200, response.content
        assert [i["licence_number"] for i in response.json()] == [NUMBER]
        assert response["Licences-Unavailable"] == "central"
        Peer.objects.filter(code="TJ").update(base_url=AWAY)
        response = api(li).post(f"/api/v1/cases/{case.number}/licences/", {"consent": True}, format="json")
        assert response.status_code == 503 and response.json()["code"] == "licences_unavailable"

    def test_a_refusal_is_said_when_no_central_answered_otherwise(self, client, libraries, li, hall):
        """The only central that answers does not know the matter (not in its catalog): its refusal is shown."""
        Peer.objects.filter(code="central").update(active=False)
        unknown = make_matter("11011299000000000000-009901-01", name="本平台自设事项")
        Material.objects.create(
            matter=unknown,
            key=KEY,
            position=1,
            name="无犯罪记录证明",
            source=MaterialSource.GOVERNMENT,
            issuer="公安机关",
        )
        client.force_login(li)
        page = fetch(client, unknown)
        assert "事项不存在" in page and not EvidenceItem.objects.exists()

    def test_each_licence_is_rechecked_at_the_central_that_gave_it(self, client, libraries, li, driver_matter, hall):
        client.force_login(li)
        fetch(client, driver_matter)
        # A certificate a case handed to TJ brought (kept before licences named their central), and a licence
        # of the platform's own central, which is away.
        case = Case.objects.create(
            number="TZ2026120700010",
            query_password_hash="x",
            citizen=li,
            matter=driver_matter,
            hall=hall,
            central=libraries,
        )
        from_case = EvidenceItem.objects.create(
            citizen=li,
            name="无犯罪记录证明",
            trust_level="A",
            content_type="application/pdf",
            size=1,
            sha256="a" * 64,
            file="vault/x.pdf",
            origin_case=case,
            licence_number=NUMBER,
        )
        own = EvidenceItem.objects.create(
            citizen=li,
            name="机动车驾驶证",
            trust_level="A",
            content_type="application/pdf",
            size=1,
            sha256="b" * 64,
            file="vault/y.pdf",
            licence_number="BJ-2026-0001",
        )
        stale = timezone.now() - dt.timedelta(hours=7)
        EvidenceItem.objects.update(licence_checked_at=stale)

        assert licences_recheck() == 0
        fetched = EvidenceItem.objects.get(licence_peer=libraries)
        for item in (fetched, from_case, own):
            item.refresh_from_db()
        # TJ confirmed its two; the own central's waits, neither renewed nor ended, and is not offered meanwhile.
        assert fetched.licence_checked_at > stale and from_case.licence_checked_at > stale
        assert own.licence_checked_at == stale and own.revoked_at is None
        assert "item-held" in row(client, driver_matter)

    def test_a_revocation_from_the_central_that_gave_it_ends_it(self, client, libraries, li, driver_matter):
        client.force_login(li)
        fetch(client, driver_matter)
        message_id = str(uuid.uuid4())
        body = json.dumps(
            {
                "id": message_id,
                "kind": "licence.revoked",
                "payload": {
                    "number": NUMBER,
                    "verification_code": "ABCDEFGHJKLM",
                    "revoked_on": "2026-12-07",
                    "reason": "撤销",
                },
                "files": [],
            },
            ensure_ascii=False,
        ).encode()
        response = post_signed(client, body, message_id, key_id=TJ_KEY_ID, secret=TJ_SECRET)
        assert response.status_code == 200, response.content
        assert EvidenceItem.objects.get(citizen=li).revoked_at is not None
        assert "item-held" not in row(client, driver_matter)

    def test_the_verification_page_finds_the_licence_at_the_central_that_holds_it(
        self, client, libraries, partner_library
    ):
        page = client.get(f"/verify/{partner_library}/").content.decode()
        assert 'id="licence-valid"' in page and NUMBER in page
