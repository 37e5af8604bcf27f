"""One person across platforms (issue 16): a verified citizen's cases at another front platform appear in
their list here, asked of that platform over the signed wire when the page is shown and never copied. The
other platform is a real front (its web server on its own database, seeded with the demo, whose citizen 张伟
has a case there); each platform finds the person by its own blind index under the same verified name."""

from __future__ import annotations

import json
import logging
import subprocess
import uuid

import pytest

from apps.shared.exchange.models import Peer, PeerKey
from govservice.lib import signing
from tests.e2e.servers import BIN, ROOT, clean, create_database, drop_database, make_sites, migrated_template
from tests.factories import make_user

KEY_ID, SECRET = "platforms-1", "platform-to-platform-secret"
PATH = "/api/v1/platform/cases/"
OTHER_CASE = "SZX2026120700001"
# At the other platform: this platform as a peer with the shared key, and a case of the demo's 张伟.
SETUP = f"""
from apps.front.booking.models import Hall
from apps.front.intake.models import Case
from apps.shared.accounts.models import User
from apps.shared.catalog.models import Matter
from apps.shared.exchange.models import Peer, PeerKey
from govservice.lib import signing
peer = Peer.objects.create(code="BJ-TZ", name="北京城市副中心", base_url="http://127.0.0.1:9")
PeerKey.objects.create(peer=peer, key_id="{KEY_ID}", secret="{SECRET}")
Case.objects.create(number="{OTHER_CASE}", query_password_hash="x", citizen=User.objects.get(username="citizen"),
                    matter=Matter.objects.filter(is_current=True).order_by("code").first(), hall=Hall.objects.order_by("id").first())
"""


@pytest.fixture(scope="module")
def other_front(tmp_path_factory, django_db_blocker):
    tmp = tmp_path_factory.mktemp("other-front")
    (tmp / "logs").mkdir()
    front, _central = make_sites(tmp)
    # It answers the platforms it lists: this one, registered below as BJ-TZ.
    front.env["EXCHANGE_PLATFORM_PEERS"] = "BJ-TZ"
    with django_db_blocker.unblock():
        create_database(front, like=migrated_template(front.role, front.env))
        try:
            front.manage("seed_demo")
            front.manage("shell", "-c", SETUP)
            log = open(tmp / "logs" / "front-web.log", "w")  # noqa: SIM115 - closed with the process
            front.procs.append(
                subprocess.Popen(
                    [
                        str(BIN / "gunicorn"),
                        "govservice.wsgi",
                        "-b",
                        f"127.0.0.1:{front.port}",
                        "-w",
                        "1",
                        "--timeout",
                        "60",
                    ],
                    cwd=ROOT,
                    env=front.env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
            front.wait_ready()
            yield front
        finally:
            front.stop()
            drop_database(front)
            clean(tmp)


@pytest.fixture
def peers(db, other_front, settings):
    other = Peer.objects.create(code="BJ-SZX", name="北京市政务服务中心", base_url=other_front.url)
    PeerKey.objects.create(peer=other, key_id=KEY_ID, secret=SECRET)
    away = Peer.objects.create(code="BJ-AWAY", name="合作区域平台", base_url="http://127.0.0.1:9")
    PeerKey.objects.create(peer=away, key_id="away-1", secret="away-secret-0123456789")
    settings.EXCHANGE_PLATFORM_PEERS = "BJ-SZX,BJ-AWAY"
    return other


@pytest.mark.django_db
class TestOnePersonAcrossPlatforms:
    def test_the_citizens_cases_elsewhere_appear_in_their_list_here(self, client, peers):
        zhang = make_user("zhangwei", real_name="张伟", phone="13811112222", id_number="110112198503120411")
        client.force_login(zhang)
        page = client.get("/me/").content.decode()
        section = page[page.index('id="elsewhere-BJ-SZX"') :]
        assert OTHER_CASE in section and "北京市政务服务中心" in page
        # A platform that does not answer is said to be away, not left out silently.
        assert "该平台暂时无法访问" in page[page.index('id="elsewhere-BJ-AWAY"') :]

    def test_another_person_with_the_same_number_under_another_name_sees_nothing(self, client, peers):
        someone = make_user("someone", real_name="张三", phone="13811113333", id_number="110112198503120411")
        client.force_login(someone)
        page = client.get("/me/").content.decode()
        assert OTHER_CASE not in page

    def test_an_unverified_citizen_asks_nobody(self, client, peers):
        unverified = make_user(
            "fresh", real_name="张伟", phone="13811114444", id_number="110112198503120411", verified=False
        )
        client.force_login(unverified)
        assert 'id="elsewhere-' not in client.get("/me/", follow=True).content.decode()

    def test_a_peer_that_is_not_one_of_its_platforms_is_refused_and_logged(self, client, db, settings, caplog):
        """A central (or any peer not in EXCHANGE_PLATFORM_PEERS) asking for a person's cases gets none."""
        central = Peer.objects.create(code="central", name="审批总后台", base_url="http://127.0.0.1:9")
        PeerKey.objects.create(peer=central, key_id="k1", secret="test-secret-0123456789")
        Peer.objects.create(code="BJ-SZX", name="北京市政务服务中心", base_url="http://127.0.0.1:9")
        settings.EXCHANGE_PLATFORM_PEERS = "BJ-SZX"
        make_user("zhangwei", real_name="张伟", phone="13811112222", id_number="110112198503120411")
        body = json.dumps(
            {"person": {"name": "张伟", "id_number": "110112198503120411"}, "purpose": "本人跨平台查看办件"},
            ensure_ascii=False,
        ).encode()
        headers = signing.sign(
            key_id="k1",
            secret="test-secret-0123456789",
            method="POST",
            path=PATH,
            message_id=str(uuid.uuid4()),
            body=body,
        )
        with caplog.at_level(logging.WARNING, logger="apps.front.intake.shared"):
            response = client.post(
                PATH,
                data=body,
                content_type="application/json",
                **{"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()},
            )
        assert response.status_code == 403 and response.json()["code"] == "not_a_platform"
        assert "cases" not in response.json()
        assert any(
            "central asked for a person's cases" in r.getMessage() and "refused" in r.getMessage()
            for r in caplog.records
        )

    def test_the_question_must_be_signed(self, client, db):
        response = client.post("/api/v1/platform/cases/", data=b"{}", content_type="application/json")
        assert response.status_code == 401 and response.json()["code"] == "signature_missing"
