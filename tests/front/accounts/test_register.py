"""Real-name registration (issue 12, blocker 1; DOMAIN.md §8): an SMS code proves the phone, the
population registry at central (a real server, over the signed wire) the name and ID number."""

import pytest
from django.db import connection

from apps.shared.accounts.models import PhoneChallenge, User
from apps.shared.accounts.selectors import citizen_verified_by_id_number
from apps.shared.exchange.models import Peer
from govservice.lib.blindindex import blind_index
from tests.factories import make_user
from tests.registry_central import LI_MING, PEOPLE, WANG_FANG

from .conftest import last_code, sms_to

REGISTER = "/api/v1/accounts/register/"
CONFIRM = "/api/v1/accounts/register/confirm/"


def payload(person=LI_MING, **extra):
    return {
        "username": "liming",
        "password": "Tongzhou-2026!",
        "real_name": person.name,
        "id_number": person.id_number.lower(),
        "phone": "13812345678",
        "consent": True,
        **extra,
    }


@pytest.mark.django_db
class TestRegister:
    def test_it_registers_after_the_sms_code_and_a_registry_match(self, anon, registry):
        started = anon.post(REGISTER, payload(), format="json")
        assert started.status_code == 202, started.content
        body = started.json()
        assert set(body) == {"registration", "masked_phone", "expires_in", "resend_in", "detail"}
        assert body["masked_phone"] == "138****5678"
        # Not usable before the code came back: inactive, so no login and no token.
        user = User.objects.get(username="liming")
        assert not user.is_active and not user.is_real_name_verified
        assert anon.post("/api/v1/auth/token/", {"username": "liming", "password": "Tongzhou-2026!"}).status_code == 401
        assert citizen_verified_by_id_number(LI_MING.id_number) is None

        done = anon.post(
            CONFIRM, {"registration": body["registration"], "code": last_code("13812345678")}, format="json"
        )
        assert done.status_code == 201, done.content
        assert done.json()["masked_id"] == "110105********002X"
        user.refresh_from_db()
        assert user.is_active and user.is_real_name_verified and user.identity_verified_via == "registry"
        assert user.id_number_index == blind_index("11010519491231002X", purpose="id_number")
        assert citizen_verified_by_id_number(LI_MING.id_number) == user
        assert anon.post("/api/v1/auth/token/", {"username": "liming", "password": "Tongzhou-2026!"}).status_code == 200
        # Central recorded who asked and why; the answer carried no record.
        platform, purpose, matched = registry.queries()[-1]
        assert platform == "BJ-TZ" and "registration" in purpose and matched is True
        with connection.cursor() as cursor:
            cursor.execute("SELECT id_number, phone FROM accounts_user WHERE username = 'liming'")
            stored_id, stored_phone = cursor.fetchone()
        # Encrypted at rest: the clear digits are nowhere in the row.
        assert "11010519491231002" not in stored_id
        assert "13812345678" not in stored_phone

    @pytest.mark.parametrize(
        "bad", ["110105194912310021", "11010519491331002X", "1101051949123100", "abcdefghijklmnopqr"]
    )
    def test_it_refuses_a_bad_id_number_and_creates_nothing(self, anon, bad):
        response = anon.post(REGISTER, payload(id_number=bad), format="json")
        assert response.status_code == 422  # issue 17: was 400
        body = response.json()
        assert body["code"] == "invalid_id_number"
        assert "身份证" in body["detail"]
        assert not User.objects.filter(username="liming").exists()

    def test_it_answers_the_same_whether_an_id_number_is_registered(self, anon, registry):
        fresh = anon.post(REGISTER, payload(WANG_FANG, username="wangfang", phone="13700000001"), format="json")
        holder = make_user("holder", real_name=LI_MING.name, id_number=LI_MING.id_number, phone="13911110000")
        taken = anon.post(REGISTER, payload(username="claimer", phone="13700000002"), format="json")
        # Nothing up to the SMS step tells that the number has an account (the old 409 did).
        assert fresh.status_code == taken.status_code == 202
        assert set(fresh.json()) == set(taken.json())
        assert fresh.json()["detail"] == taken.json()["detail"]

        # After proving the phone, the person learns it, and the holder is told on their verified phone.
        code = last_code("13700000002")
        refused = anon.post(CONFIRM, {"registration": taken.json()["registration"], "code": code}, format="json")
        assert refused.status_code == 409 and refused.json()["code"] == "id_registered"
        assert "窗口" in refused.json()["detail"]
        assert any("有人使用您的身份证号码" in text for text in sms_to("13911110000"))
        claimer = User.objects.get(username="claimer")
        assert claimer.phone_verified_at is not None and not claimer.is_active and claimer.identity_verified_at is None
        assert citizen_verified_by_id_number(LI_MING.id_number) == holder

    def test_it_refuses_a_name_the_registry_does_not_hold_for_the_number(self, anon, registry):
        started = anon.post(REGISTER, payload(real_name="王五"), format="json").json()
        done = anon.post(
            CONFIRM, {"registration": started["registration"], "code": last_code("13812345678")}, format="json"
        )
        assert done.status_code == 400 and done.json()["code"] == "registry_mismatch"
        assert not User.objects.get(username="liming").is_active
        assert registry.queries()[-1][2] is False

    def test_it_says_try_again_when_the_registry_is_away_and_never_passes(self, anon, registry):
        person = PEOPLE[0]
        started = anon.post(REGISTER, payload(person, username="away"), format="json").json()
        code = last_code("13812345678")
        # Central down (nothing listens on port 9): a clear "try again later", the account stays unusable.
        Peer.objects.filter(code="central").update(base_url="http://127.0.0.1:9")
        away = anon.post(CONFIRM, {"registration": started["registration"], "code": code}, format="json")
        assert away.status_code == 503 and away.json()["code"] == "registry_unavailable"
        assert "稍后再试" in away.json()["detail"]
        assert not User.objects.get(username="away").is_active
        # Back again: the same code still finishes the registration.
        Peer.objects.filter(code="central").update(base_url=registry.url)
        assert (
            anon.post(CONFIRM, {"registration": started["registration"], "code": code}, format="json").status_code
            == 201
        )

    def test_it_refuses_an_answer_signed_with_a_key_central_does_not_know(self, anon, registry):
        from apps.shared.exchange.models import PeerKey

        PeerKey.objects.filter(key_id="k1").update(secret="not-the-demo-secret")
        started = anon.post(REGISTER, payload(PEOPLE[1], username="badkey"), format="json").json()
        done = anon.post(
            CONFIRM, {"registration": started["registration"], "code": last_code("13812345678")}, format="json"
        )
        assert done.status_code == 503 and done.json()["code"] == "registry_unavailable"
        assert not User.objects.get(username="badkey").is_active

    def test_it_keeps_no_code_in_clear(self, anon, registry):
        anon.post(REGISTER, payload(), format="json")
        code = last_code("13812345678")
        row = PhoneChallenge.objects.values().get()
        assert code not in repr(row)

    def test_it_registers_through_the_pages(self, client, registry):
        response = client.post("/register/", {**payload(PEOPLE[2]), "username": "page_user"})
        assert response.status_code == 302 and response["Location"] == "/register/verify/"
        assert not User.objects.get(username="page_user").is_active
        page = client.get("/register/verify/")
        assert "138****5678" in page.content.decode()
        wrong = client.post(
            "/register/verify/", {"code": "000000" if last_code("13812345678") != "000000" else "111111"}
        )
        assert wrong.status_code == 422  # invalid_code (issue 17: was 400)
        done = client.post("/register/verify/", {"code": last_code("13812345678")})
        assert done.status_code == 302
        user = User.objects.get(username="page_user")
        assert user.is_citizen and user.is_real_name_verified
        assert client.get("/me/").status_code == 200


@pytest.mark.django_db
def test_a_registry_slower_than_the_timeout_is_away_not_a_pass(anon, settings):
    """A peer that answers "match" too late: the person is asked to try again; nothing is verified."""
    import threading
    import time
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from apps.shared.exchange.models import PeerKey

    class Slow(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            time.sleep(2)
            body = b'{"match": true}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Slow)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        peer = Peer.objects.create(
            code="central", name="审批总后台", base_url=f"http://127.0.0.1:{server.server_address[1]}"
        )
        PeerKey.objects.create(peer=peer, key_id="k1", secret="dev-exchange-secret")
        settings.REGISTRY_TIMEOUT = 1
        started = anon.post(REGISTER, payload(PEOPLE[4], username="slow"), format="json").json()
        done = anon.post(
            CONFIRM, {"registration": started["registration"], "code": last_code("13812345678")}, format="json"
        )
    finally:
        server.shutdown()
        server.server_close()
    assert done.status_code == 503 and done.json()["code"] == "registry_unavailable"
    assert not User.objects.get(username="slow").is_active
