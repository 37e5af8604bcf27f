"""Password reset by SMS code (issue 12): the answers never say whether an account exists."""

import pytest

from apps.shared.accounts.models import User
from tests.factories import PASSWORD, make_user, valid_id_number

from .conftest import last_code, sms_to

START = "/api/v1/accounts/password-reset/"
CONFIRM = "/api/v1/accounts/password-reset/confirm/"
NEW = "Another-Pass-2026"


@pytest.mark.django_db
class TestPasswordReset:
    def test_it_resets_the_password_of_a_verified_account_with_the_code(self, anon):
        user = make_user("resetme", id_number=valid_id_number(), phone="13612345678")
        started = anon.post(START, {"id_number": user.id_number, "phone": "13612345678"}, format="json")
        assert started.status_code == 202
        done = anon.post(
            CONFIRM,
            {"challenge": started.json()["challenge"], "code": last_code("13612345678"), "new_password": NEW},
            format="json",
        )
        assert done.status_code == 200, done.content
        user.refresh_from_db()
        assert user.check_password(NEW) and not user.check_password(PASSWORD)
        # The code works once.
        again = anon.post(
            CONFIRM,
            {
                "challenge": started.json()["challenge"],
                "code": last_code("13612345678"),
                "new_password": "Third-Pass-2026",
            },
            format="json",
        )
        assert again.status_code == 422  # invalid_code (issue 17: was 400)

    def test_it_answers_the_same_when_no_account_exists(self, anon):
        user = make_user("resetme", id_number=valid_id_number(), phone="13612345678")
        known = anon.post(START, {"id_number": user.id_number, "phone": "13612345678"}, format="json")
        unknown = anon.post(
            START, {"id_number": valid_id_number(birth="19770707"), "phone": "13612340000"}, format="json"
        )
        assert known.status_code == unknown.status_code == 202
        assert set(known.json()) == set(unknown.json())
        assert known.json()["detail"] == unknown.json()["detail"]
        assert sms_to("13612340000") == []  # nothing goes to a phone no account has
        # Any code for the unknown one is refused exactly like a wrong code for the known one.
        guess = anon.post(
            CONFIRM, {"challenge": unknown.json()["challenge"], "code": "123456", "new_password": NEW}, format="json"
        )
        code = last_code("13612345678")
        wrong = anon.post(
            CONFIRM,
            {"challenge": known.json()["challenge"], "code": f"{(int(code) + 1) % 10**6:06d}", "new_password": NEW},
            format="json",
        )
        assert guess.status_code == wrong.status_code == 422
        assert guess.json() == wrong.json()

    def test_it_does_not_reset_an_unverified_account(self, anon):
        user = make_user("pending", id_number=valid_id_number(), phone="13612345678", verified=False)
        started = anon.post(START, {"id_number": user.id_number, "phone": "13612345678"}, format="json")
        assert started.status_code == 202
        assert sms_to("13612345678") == []

    def test_it_resets_through_the_pages(self, client):
        user = make_user("resetpage", id_number=valid_id_number(), phone="13612345678")
        assert client.post("/password-reset/", {"id_number": user.id_number, "phone": "13612345678"}).status_code == 302
        done = client.post("/password-reset/confirm/", {"code": last_code("13612345678"), "new_password": NEW})
        assert done.status_code == 302
        assert User.objects.get(username="resetpage").check_password(NEW)
        assert "忘记密码" in client.get("/accounts/login/").content.decode()
