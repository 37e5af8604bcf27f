"""SMS one-time codes (issue 12): hashed, 5 minutes, 5 tries, a resend cool-down, and limits per phone, per
ID number and per client address. No test here reaches the registry: time is moved with time_machine."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from apps.shared.accounts.models import User
from tests.factories import valid_id_number

from .conftest import last_code, sms_to

REGISTER = "/api/v1/accounts/register/"
CONFIRM = "/api/v1/accounts/register/confirm/"
RESEND = "/api/v1/accounts/register/resend/"


def payload(n: int = 0, **extra):
    return {
        "username": f"person{n}",
        "password": "Tongzhou-2026!",
        "real_name": "李明",
        "id_number": valid_id_number(birth="19700101"),
        "phone": "13812345678",
        "consent": True,
        **extra,
    }


def mid_window():
    """An instant in the middle of the limits' hour window near now, so that a count never straddles a
    window's end whenever the suite runs."""
    now = timezone.now().timestamp()
    return dt.datetime.fromtimestamp(now - now % 3600 + 1800, tz=dt.UTC)


@pytest.mark.django_db
class TestCodes:
    def test_it_refuses_the_right_code_after_five_wrong_ones(self, anon):
        registration = anon.post(REGISTER, payload(), format="json").json()["registration"]
        code = last_code("13812345678")
        wrong = f"{(int(code) + 1) % 10**6:06d}"
        for _ in range(5):
            response = anon.post(CONFIRM, {"registration": registration, "code": wrong}, format="json")
            assert response.status_code == 422 and response.json()["code"] == "invalid_code"
        late = anon.post(CONFIRM, {"registration": registration, "code": code}, format="json")
        assert late.status_code == 422 and late.json()["code"] == "invalid_code"
        assert not User.objects.get(username="person0").is_active

    def test_it_refuses_a_code_after_five_minutes(self, anon):
        with time_machine.travel(timezone.now(), tick=False) as traveller:
            registration = anon.post(REGISTER, payload(), format="json").json()["registration"]
            code = last_code("13812345678")
            traveller.shift(dt.timedelta(seconds=301))
            late = anon.post(CONFIRM, {"registration": registration, "code": code}, format="json")
        assert late.status_code == 422 and late.json()["code"] == "invalid_code"

    def test_it_resends_only_after_the_cool_down_and_the_old_code_dies(self, anon):
        with time_machine.travel(mid_window(), tick=False) as traveller:
            registration = anon.post(REGISTER, payload(), format="json").json()["registration"]
            first = last_code("13812345678")
            early = anon.post(RESEND, {"registration": registration}, format="json")
            assert early.status_code == 429 and early.json()["code"] == "resend_too_soon"
            assert int(early["Retry-After"]) == 60
            traveller.shift(dt.timedelta(seconds=61))
            again = anon.post(RESEND, {"registration": registration}, format="json")
            assert again.status_code == 202 and again.json()["registration"] == registration
            second = last_code("13812345678")
        assert len([t for t in sms_to("13812345678") if "验证码" in t]) == 2
        if first != second:
            old = anon.post(CONFIRM, {"registration": registration, "code": first}, format="json")
            assert old.status_code == 422  # invalid_code (issue 17: was 400)

    def test_it_limits_codes_per_phone(self, anon, settings):
        settings.OTP_SEND_LIMITS = (3, 100, 100, 3600)
        with time_machine.travel(mid_window(), tick=False):
            answers = [anon.post(REGISTER, payload(n), format="json").status_code for n in range(4)]
            other_phone = anon.post(REGISTER, payload(9, phone="13912345678"), format="json").status_code
        assert answers == [202, 202, 202, 429]
        assert other_phone == 202
        assert len(sms_to("13812345678")) == 3

    def test_it_limits_codes_per_id_number(self, anon, settings):
        settings.OTP_SEND_LIMITS = (100, 2, 100, 3600)
        id_number = valid_id_number(birth="19660606")
        with time_machine.travel(mid_window(), tick=False):
            answers = [
                anon.post(REGISTER, payload(n, id_number=id_number, phone=f"1381234560{n}"), format="json").status_code
                for n in range(3)
            ]
        assert answers == [202, 202, 429]

    def test_it_limits_codes_per_client_address(self, anon, settings):
        settings.OTP_SEND_LIMITS = (100, 100, 2, 3600)
        with time_machine.travel(mid_window(), tick=False):
            answers = [
                anon.post(
                    REGISTER, payload(n, phone=f"1391234560{n}"), format="json", REMOTE_ADDR="203.0.113.7"
                ).status_code
                for n in range(3)
            ]
            elsewhere = anon.post(REGISTER, payload(8, phone="13912345699"), format="json", REMOTE_ADDR="203.0.113.8")
        assert answers == [202, 202, 429]
        assert elsewhere.status_code == 202

    def test_it_counts_the_address_behind_the_trusted_proxy(self, anon, settings):
        settings.OTP_SEND_LIMITS = (100, 100, 1, 3600)
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
        with time_machine.travel(mid_window(), tick=False):
            one = anon.post(
                REGISTER, payload(1, phone="13912345601"), format="json", HTTP_X_FORWARDED_FOR="198.51.100.1"
            )
            two = anon.post(
                REGISTER, payload(2, phone="13912345602"), format="json", HTTP_X_FORWARDED_FOR="198.51.100.2"
            )
            three = anon.post(
                REGISTER, payload(3, phone="13912345603"), format="json", HTTP_X_FORWARDED_FOR="198.51.100.2"
            )
        assert (one.status_code, two.status_code, three.status_code) == (202, 202, 429)

    def test_it_throttles_the_register_page_like_the_api(self, client, settings):
        settings.RATE_LIMITS = {**settings.RATE_LIMITS, "register": (5, 2, 600)}
        now = timezone.now().timestamp()
        with time_machine.travel(dt.datetime.fromtimestamp(now - now % 600 + 300, tz=dt.UTC), tick=False):
            pages = [client.post("/register/", {**payload(n), "phone": f"1371234560{n}"}).status_code for n in range(2)]
            third = client.post("/register/", {**payload(5), "phone": "13712345605"})
        assert pages == [302, 302]
        assert third.status_code == 429
        assert not User.objects.filter(username="person5").exists()

    @pytest.mark.parametrize("address", ["/register/", "/password-reset/"])
    def test_an_empty_post_is_told_what_is_missing_and_past_the_limit_too_many(self, client, settings, address):
        """An empty POST was read as no form at all: 200 with nothing said, and a 500 once the limit was passed (the
        refusal could not be added to a form that was never bound)."""
        settings.RATE_LIMITS = {**settings.RATE_LIMITS, "register": (5, 1, 600)}
        now = timezone.now().timestamp()
        with time_machine.travel(dt.datetime.fromtimestamp(now - now % 600 + 300, tz=dt.UTC), tick=False):
            first = client.post(address)
            second = client.post(address)
        missing = first.context["form"].errors.as_data()
        assert first.status_code == 400 and missing
        assert {error.code for errors in missing.values() for error in errors} == {"required"}
        assert second.status_code == 429 and "操作过于频繁" in second.content.decode()
