"""A citizen deletes their account (issue 12, PIPL Art. 47): with the password typed again; refused with a
stable code while a case is open or an appointment ahead; otherwise the account names nobody any more and
can never sign in again (tokens and sessions end), what is only the person's goes, and the case files stay
as the law keeps them, pointing at the emptied account."""

from __future__ import annotations

import pytest
from django.test import Client
from knox.models import AuthToken
from rest_framework.test import APIClient

from apps.front.booking.models import Appointment, AppointmentStatus, WaitlistEntry
from apps.front.consult.models import ConsultTicket
from apps.front.delivery.models import Delivery
from apps.front.floor.models import Ticket
from apps.front.guidance.models import Checklist
from apps.front.intake.models import Case, CaseStatus, EvidenceItem
from apps.front.notifications.models import Notification, NotificationPreference
from apps.front.ratings.models import Evaluation
from apps.shared.accounts.models import PhoneChallenge, User
from apps.shared.accounts.selectors import citizen_verified_by_id_number
from apps.shared.privacy.models import AccountDeletion, Consent
from tests.factories import PASSWORD

DELETE = "/api/v1/me/delete/"


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {AuthToken.objects.create(user=user)[1]}")
    return client


@pytest.mark.django_db
class TestAccountDeletion:
    def test_it_is_refused_while_a_case_is_open_and_allowed_once_it_is_finished(self, held, citizen):
        Case.objects.filter(pk=held.case.pk).update(status=CaseStatus.IN_REVIEW)
        client = token_client(citizen)
        refused = client.post(DELETE, {"password": PASSWORD}, format="json")
        assert refused.status_code == 409 and refused.json()["code"] == "open_case"
        assert refused.json()["detail"] == "您有尚未办结的办件（TZ2026030200001），办结前不能注销账户。"
        english = client.post(DELETE, {"password": PASSWORD}, format="json", HTTP_ACCEPT_LANGUAGE="en")
        assert english.json()["detail"].startswith("You have cases that are not finished (TZ2026030200001)")
        citizen.refresh_from_db()
        assert citizen.is_real_name_verified and not AccountDeletion.objects.exists()

        Case.objects.filter(pk=held.case.pk).update(status=CaseStatus.CLOSED)
        done = client.post(DELETE, {"password": PASSWORD}, format="json")
        assert done.status_code == 200, done.content
        assert done.json()["detail"] == "您的账户已注销。感谢您使用云窗口。"

    def test_it_is_refused_while_an_appointment_is_ahead(self, held, citizen):
        Appointment.objects.filter(pk=held.appointment.pk).update(status=AppointmentStatus.BOOKED)
        refused = token_client(citizen).post(DELETE, {"password": PASSWORD}, format="json")
        assert refused.status_code == 409 and refused.json()["code"] == "upcoming_appointment"
        assert "A0000001" in refused.json()["detail"]
        assert User.objects.get(pk=citizen.pk).is_active

    def test_it_needs_the_password_again(self, held, citizen):
        client = token_client(citizen)
        wrong = client.post(DELETE, {"password": "not-my-password"}, format="json")
        assert wrong.status_code == 403 and wrong.json()["code"] == "wrong_password"
        missing = client.post(DELETE, {}, format="json")
        assert missing.status_code == 400 and missing.json()["code"] == "invalid"
        assert User.objects.get(pk=citizen.pk).is_active and not AccountDeletion.objects.exists()

    def test_the_account_names_nobody_and_the_case_file_stays(self, held, citizen, other_citizen):
        id_number = citizen.id_number
        client = token_client(citizen)
        other_token = token_client(citizen)  # a second device's token
        session = Client()
        session.force_login(citizen)
        assert session.get("/me/").status_code == 200
        NotificationPreference.objects.create(user=citizen, sms=False)
        WaitlistEntry.objects.create(
            citizen=citizen,
            matter_code=held.appointment.matter_code,
            hall=held.appointment.hall,
            date=held.appointment.slot.date,
        )
        PhoneChallenge.objects.create(
            purpose="reset", user=citizen, code_hash="x", expires_at=held.appointment.created_at
        )
        pending = Notification.objects.create(
            recipient=citizen, event="case.accepted", channel="sms", subject="s", body="王小明您好"
        )

        assert client.post(DELETE, {"password": PASSWORD}, format="json").status_code == 200

        user = User.objects.get(pk=citizen.pk)
        assert user.username.startswith("deleted-") and user.real_name == user.email == ""
        assert user.id_number is None and user.phone is None and user.id_number_index == user.phone_index == ""
        assert not user.is_active and not user.has_usable_password() and not user.is_real_name_verified
        record = AccountDeletion.objects.get(user=user)
        assert (
            record.channel == "api" and record.erased["intake.vault"] == 2 and record.erased["accounts.api_tokens"] == 2
        )
        # Signed out everywhere: the tokens are gone, the session is no longer a signed-in user.
        assert not AuthToken.objects.filter(user=user).exists()
        assert client.get("/api/v1/me/").status_code == 401 and other_token.get("/api/v1/me/").status_code == 401
        assert session.get("/me/").status_code == 302
        # The case file stays (档案), pointing at the emptied account; so do the finished appointment and ticket.
        case = Case.objects.get(pk=held.case.pk)
        assert case.citizen_id == user.pk and case.documents.count() == 1 and case.materials.count() == 1
        assert Appointment.objects.get(pk=held.appointment.pk).citizen_id == user.pk
        assert Ticket.objects.get(pk=held.ticket.pk).display_name == ""
        # What was only the person's goes.
        assert not EvidenceItem.objects.exists() and not Checklist.objects.exists()
        assert not WaitlistEntry.objects.exists() and not PhoneChallenge.objects.exists()
        assert not NotificationPreference.objects.exists() and not Notification.objects.filter(pk=pending.pk).exists()
        assert Notification.objects.get(pk=held.notification.pk).body == ""
        ticket = ConsultTicket.objects.get(pk=held.consultation.pk)
        assert ticket.contact_name == "" and ticket.contact_phone is None
        assert Evaluation.objects.get(pk=held.evaluation.pk).citizen is None
        delivery = Delivery.objects.get(pk=held.delivery.pk)
        assert delivery.address is None and delivery.recipient_phone is None
        consent = Consent.objects.get(user=user)
        assert consent.withdrawn_at is not None and consent.reference == ""
        # Nothing of the other citizen moved; the ID number is free to be registered again.
        assert Appointment.objects.get(pk=held.other_appointment.pk).citizen == other_citizen
        assert citizen_verified_by_id_number(id_number) is None

    def test_the_page_shows_why_it_cannot_be_done_then_does_it(self, held, citizen):
        Appointment.objects.filter(pk=held.appointment.pk).update(status=AppointmentStatus.BOOKED)
        client = Client()
        client.force_login(citizen)
        page = client.get("/me/privacy/").content.decode()
        assert "您目前不能注销账户" in page and "A0000001" in page
        refused = client.post("/me/privacy/delete/", {"password": PASSWORD, "confirm": "on"})
        assert refused.status_code == 409 and "请先取消或办理完毕" in refused.content.decode()

        Appointment.objects.filter(pk=held.appointment.pk).update(status=AppointmentStatus.COMPLETED)
        unconfirmed = client.post("/me/privacy/delete/", {"password": PASSWORD})
        assert unconfirmed.status_code == 400 and "请确认已知晓注销的后果" in unconfirmed.content.decode()
        wrong = client.post("/me/privacy/delete/", {"password": "nope-nope", "confirm": "on"})
        assert wrong.status_code == 403 and "密码不正确" in wrong.content.decode()
        assert User.objects.get(pk=citizen.pk).is_active

        done = client.post("/me/privacy/delete/", {"password": PASSWORD, "confirm": "on"})
        assert done.status_code == 302 and done["Location"] == "/"
        assert AccountDeletion.objects.get().channel == "web"
        assert client.get("/me/").status_code == 302  # signed out
        emptied = User.objects.get(pk=citizen.pk)
        for username in ("citizen", emptied.username):
            assert (
                APIClient().post("/api/v1/auth/token/", {"username": username, "password": PASSWORD}).status_code == 401
            )

    def test_it_is_for_the_citizen_themselves(self, api, clerk, held):
        assert api(None).post(DELETE, {"password": PASSWORD}, format="json").status_code == 401
        assert api(clerk).post(DELETE, {"password": PASSWORD}, format="json").status_code == 403
        assert not AccountDeletion.objects.exists()
