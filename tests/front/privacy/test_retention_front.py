"""The front's records at the end of their periods (issue 12, PIPL): anonymised where the statistics need the
row (appointments, tickets, consultations, ratings, messages, delivery addresses), deleted where they do not
(checklists, the vault), and a case file (档案) never before its thirty years — then anonymised, its scans
gone from storage unless the vault still holds the same file."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from apps.front.booking.models import Appointment, AppointmentStatus
from apps.front.consult.models import ConsultTicket, TicketMessage
from apps.front.delivery.models import Delivery
from apps.front.floor.models import Ticket
from apps.front.guidance.models import Checklist
from apps.front.intake.models import Case, CaseMaterial, CaseStatus, Document, EvidenceItem
from apps.front.notifications.models import Notification
from apps.front.ratings.models import Evaluation
from apps.shared.accounts.services import ANONYMISED_USERNAME
from apps.shared.privacy.services import retention_run

from .conftest import DAY, SECOND, T0

YEAR = 365 * DAY


def run_at(time_machine, moment):
    time_machine.move_to(moment, tick=False)
    return retention_run()


@pytest.mark.django_db
class TestFrontRetention:
    def test_records_stay_whole_until_their_period_ends(self, time_machine, held, citizen):
        run = run_at(time_machine, T0 + 365 * DAY - SECOND)
        assert sum(run.counts.values()) == 0, {k: v for k, v in run.counts.items() if v}
        held.notification.refresh_from_db()
        assert held.notification.recipient == citizen and "王小明" in held.notification.body
        assert Checklist.objects.filter(pk=held.checklist.pk).exists()

    def test_a_year_on_messages_checklists_and_addresses_go(self, time_machine, held, citizen):
        run = run_at(time_machine, T0 + 365 * DAY + SECOND)
        assert run.counts["notifications.messages"] == 1
        assert run.counts["guidance.checklists"] == 1
        assert run.counts["delivery.addresses"] == 1
        message = Notification.objects.get(pk=held.notification.pk)
        # The delivery statistics keep the event, channel and status; nobody and nothing personal is left.
        assert (message.event, message.channel, message.status) == ("case.accepted", "sms", "delivered")
        assert message.recipient.username == ANONYMISED_USERNAME and message.body == message.subject == ""
        assert not message.audit_trail.exclude(body="").exists()
        assert not Checklist.objects.exists()
        delivery = Delivery.objects.get(pk=held.delivery.pk)
        assert (delivery.recipient_name, delivery.recipient_phone, delivery.address) == ("", None, None)
        assert delivery.tracking_number == "SF001"
        # Three-year records are untouched.
        assert Appointment.objects.get(pk=held.appointment.pk).citizen == citizen

    def test_after_three_years_appointments_tickets_consultations_and_ratings_are_anonymised(
        self, time_machine, held, citizen
    ):
        booked = Appointment.objects.create(
            code="A0000003",
            citizen=citizen,
            matter=held.appointment.matter,
            matter_code=held.appointment.matter_code,
            slot=held.appointment.slot,
            hall=held.appointment.hall,
            status=AppointmentStatus.BOOKED,
        )
        assert run_at(time_machine, T0 + 3 * YEAR - SECOND).counts["booking.appointments"] == 0

        run = run_at(time_machine, T0 + 3 * YEAR + SECOND)
        assert run.counts["booking.appointments"] == 2  # the citizen's and the other citizen's, both finished
        appointment = Appointment.objects.get(pk=held.appointment.pk)
        assert appointment.citizen.username == ANONYMISED_USERNAME and appointment.idempotency_key == ""
        assert appointment.status == AppointmentStatus.COMPLETED and appointment.hall == held.appointment.hall
        # A booking still ahead is never a record past its period.
        assert Appointment.objects.get(pk=booked.pk).citizen == citizen

        ticket = Ticket.objects.get(pk=held.ticket.pk)
        assert ticket.citizen.username == ANONYMISED_USERNAME and ticket.display_name == ""
        consultation = ConsultTicket.objects.get(pk=held.consultation.pk)
        assert consultation.citizen.username == ANONYMISED_USERNAME
        assert (
            consultation.contact_name,
            consultation.contact_phone,
            consultation.title,
            consultation.rating_comment,
        ) == ("", None, "", "")
        assert consultation.rating == 1 and consultation.status == "closed"
        assert TicketMessage.objects.get(ticket=consultation).body == ""
        evaluation = Evaluation.objects.get(pk=held.evaluation.pk)
        assert evaluation.citizen is None and evaluation.comment == "" and evaluation.score == 1 and evaluation.hall_id

        # Anonymised rows no longer match: the next run finds nothing of these kinds.
        again = run_at(time_machine, T0 + 3 * YEAR + 2 * SECOND)
        assert {k: v for k, v in again.counts.items() if v} == {}

    def test_a_case_file_is_kept_thirty_years_and_then_anonymised(self, time_machine, held, citizen, settings):
        # A shorter setting cannot shorten the archive period (the kind's legal minimum).
        settings.RETENTION_CASE_FILES_DAYS = 365
        scan = held.material.file.name
        own = held.own_copy.file.name
        run = run_at(time_machine, T0 + 30 * 365 * DAY - SECOND)
        assert run.counts["intake.case_files"] == 0
        assert Case.objects.get(pk=held.case.pk).citizen == citizen
        assert default_storage.exists(scan) and default_storage.exists(held.document.file.name)
        # Meanwhile the vault's own copy went after five years; the copy the case file shares its scan with went
        # too, but the scan stayed in storage for the case file.
        assert not EvidenceItem.objects.exists()
        assert not default_storage.exists(own)

        run = run_at(time_machine, T0 + 30 * 365 * DAY + SECOND)
        assert run.counts["intake.case_files"] == 1
        case = Case.objects.get(pk=held.case.pk)
        assert case.citizen.username == ANONYMISED_USERNAME and case.status == CaseStatus.CLOSED
        assert not case.audit_trail.filter(citizen=citizen).exists()
        material = CaseMaterial.objects.get(pk=held.material.pk)
        assert material.file.name == "" and material.original_name == "" and material.sha256 == "a" * 64
        assert not default_storage.exists(scan)
        document = Document.objects.get(pk=held.document.pk)
        assert document.content["applicant"] == "" and document.content["applicant_id"] == ""
        assert document.content["number"] == case.number and document.sha256 == "d" * 64 and not document.file.name

    def test_an_open_case_is_never_anonymised(self, time_machine, held, citizen):
        Case.objects.filter(pk=held.case.pk).update(status=CaseStatus.IN_REVIEW)
        run = run_at(time_machine, T0 + 40 * 365 * DAY)
        assert run.counts["intake.case_files"] == 0
        assert Case.objects.get(pk=held.case.pk).citizen == citizen

    def test_a_vault_copy_shared_with_a_case_leaves_its_file_in_storage(self, time_machine, held, citizen):
        # An e-licence in the vault is the certificate document's own file (intake.handlers.result_issued).
        certificate = Document.objects.create(
            case=held.case,
            kind="certificate",
            verification_code="CERT00000001",
            file="certificates/licence.pdf",
            sha256="e" * 64,
            content={"title": "社会保障卡", "applicant": "王小明"},
        )
        default_storage.save("certificates/licence.pdf", ContentFile(b"%PDF-1.4 licence"))
        EvidenceItem.objects.create(
            citizen=citizen,
            name="社会保障卡",
            trust_level="A",
            file=certificate.file.name,
            content_type="application/pdf",
            size=16,
            sha256="e" * 64,
            origin_case=held.case,
        )
        run = run_at(time_machine, T0 + 5 * 365 * DAY + SECOND)
        assert run.counts["intake.vault"] == 3 and not EvidenceItem.objects.exists()
        assert default_storage.exists(held.material.file.name)  # the case file's scan
        assert default_storage.exists(certificate.file.name)  # the case file's certificate
        assert not default_storage.exists(held.own_copy.file.name)
        assert CaseMaterial.objects.get(pk=held.material.pk).file.name == held.material.file.name

        run = run_at(time_machine, T0 + 30 * 365 * DAY + SECOND)
        assert run.counts["intake.case_files"] == 1
        assert not default_storage.exists(certificate.file.name) and not default_storage.exists(held.material.file.name)
        assert Document.objects.get(pk=certificate.pk).content == {"title": "社会保障卡", "applicant": ""}


@pytest.mark.django_db
def test_a_credit_record_goes_five_years_after_it_was_written(time_machine, held, citizen):
    from apps.front.intake.models import CreditKind, CreditRecord

    record = CreditRecord.objects.create(
        citizen=citizen, case=held.case, kind=CreditKind.values[0], recorded_at=T0, in_force_until=(T0 + YEAR).date()
    )
    run_at(time_machine, T0 + 5 * YEAR - SECOND)
    assert CreditRecord.objects.filter(pk=record.pk).exists()
    run = run_at(time_machine, T0 + 5 * YEAR + SECOND)
    assert run.counts["intake.credit_records"] == 1
    assert not CreditRecord.objects.filter(pk=record.pk).exists()
    # The case the breach belonged to stays (its own period is thirty years).
    assert Case.objects.filter(pk=held.case.pk).exists()
