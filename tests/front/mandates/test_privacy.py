"""Mandates in the personal-information lifecycle (apps/shared/privacy): an ended mandate (revoked, or past its
last day) and its acts are kept as long as the case files they served, then deleted with the letter; an
electronic 委托书 never confirmed goes after RETENTION_UNCONFIRMED_MANDATES_DAYS; the export lists what a person
gave and holds; a company's representative cannot delete their account; a deletion ends the person's mandates;
a takeover at the window revokes the frozen account's mandates; the agent goes with the anonymised case,
appointment and ticket."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from apps.front.booking.models import Appointment
from apps.front.intake.models import Case, CaseStatus
from apps.front.mandates.citizen_moves import move_citizen
from apps.front.mandates.models import Mandate, MandateEvent, MandateStatus
from apps.front.mandates.privacy import erase, export_mandates, represents_guard
from apps.shared.accounts.services import ANONYMISED_USERNAME
from apps.shared.privacy.services import retention_run
from govservice.lib.errors import DomainError

from .conftest import make_mandate

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)


def test_an_ended_mandate_stays_as_long_as_the_case_files_then_goes_with_its_letter(
    citizen, agent, matter, settings, time_machine
):
    time_machine.move_to(T0, tick=False)
    settings.RETENTION_CASE_FILES_DAYS = 30 * 365
    ended = make_mandate(
        citizen, agent, matter_codes=[matter.code], status=MandateStatus.REVOKED, revoked_at=timezone.now()
    )
    ended.letter.save("letter.pdf", ContentFile(b"%PDF-1.4 letter"))
    name = ended.letter.name
    MandateEvent.objects.create(mandate=ended, kind="revoked")
    running = make_mandate(citizen, agent, matter_codes=[matter.code], days=400)
    time_machine.move_to(T0 + 30 * 365 * DAY - DAY, tick=False)
    retention_run()
    assert Mandate.objects.filter(pk=ended.pk).exists()
    time_machine.move_to(T0 + 30 * 365 * DAY + DAY, tick=False)
    run = retention_run()
    assert run.counts["mandates.mandates"] == 1
    # The other ended 400 days later (its last day): its period runs from then.
    assert list(Mandate.objects.all()) == [running] and not MandateEvent.objects.exists()
    assert not ended.letter.storage.exists(name)
    time_machine.move_to(T0 + (30 * 365 + 402) * DAY, tick=False)
    assert retention_run().counts["mandates.mandates"] == 1 and not Mandate.objects.exists()


def test_an_unconfirmed_letter_goes_after_its_period(citizen, agent, matter, time_machine):
    time_machine.move_to(T0, tick=False)
    pending = make_mandate(citizen, agent, matter_codes=[matter.code], status=MandateStatus.PENDING, confirmed_at=None)
    confirmed = make_mandate(citizen, agent, matter_codes=[matter.code], days=365)
    time_machine.move_to(T0 + 30 * DAY - DAY, tick=False)
    assert retention_run().counts["mandates.unconfirmed"] == 0
    time_machine.move_to(T0 + 30 * DAY + DAY, tick=False)
    assert retention_run().counts["mandates.unconfirmed"] == 1
    assert list(Mandate.objects.all()) == [confirmed] and not Mandate.objects.filter(pk=pending.pk).exists()


def test_the_export_lists_what_was_given_and_held(citizen, agent, matter):
    mandate = make_mandate(citizen, agent, matter_codes=[matter.code])
    MandateEvent.objects.create(mandate=mandate, kind="booked", actor=agent, reference="ABCD2345")
    given = export_mandates(citizen)
    assert [m["number"] for m in given["given"]] == [mandate.number] and given["held"] == []
    assert given["given"][0]["acts"][0]["reference"] == "ABCD2345"
    assert [m["number"] for m in export_mandates(agent)["held"]] == [mandate.number]


def test_a_representative_keeps_their_account_and_a_deletion_ends_the_mandates(
    company, representative, citizen, agent, matter
):
    with pytest.raises(DomainError) as refused:
        represents_guard(representative)
    assert refused.value.code == "represents_company" and "北京云窗科技有限公司" in refused.value.detail
    represents_guard(citizen)  # nothing to say
    gave = make_mandate(citizen, agent, matter_codes=[matter.code])
    held = make_mandate(company.account, citizen, all_matters=True)
    assert erase(citizen) == {"mandates_revoked": 2}
    assert {m.status for m in Mandate.objects.filter(pk__in=[gave.pk, held.pk])} == {MandateStatus.REVOKED}


def test_a_takeover_revokes_the_frozen_accounts_mandates(citizen, other_citizen, agent, matter):
    gave = make_mandate(citizen, agent, matter_codes=[matter.code])
    held = make_mandate(other_citizen, citizen, matter_codes=[matter.code])
    unrelated = make_mandate(other_citizen, agent, matter_codes=[matter.code])
    assert move_citizen(citizen, other_citizen) == {"mandates.revoked": 2}
    assert Mandate.objects.get(pk=gave.pk).status == MandateStatus.REVOKED
    assert Mandate.objects.get(pk=held.pk).principal == other_citizen  # revoked, never moved
    assert Mandate.objects.get(pk=held.pk).status == MandateStatus.REVOKED
    assert Mandate.objects.get(pk=unrelated.pk).status == MandateStatus.ACTIVE


def test_the_agent_goes_with_the_anonymised_case_and_appointment(
    citizen, agent, matter, hall, slot, settings, time_machine
):
    time_machine.move_to(T0, tick=False)
    case = Case.objects.create(
        number="TZ2026030200001",
        query_password_hash="x",
        citizen=citizen,
        agent=agent,
        matter=matter,
        hall=hall,
        status=CaseStatus.CLOSED,
    )
    appointment = Appointment.objects.create(
        code="ANON2345",
        citizen=citizen,
        agent=agent,
        matter=matter,
        matter_code=matter.code,
        slot=slot,
        hall=hall,
        status="completed",
    )
    time_machine.move_to(T0 + 31 * 365 * DAY, tick=False)
    retention_run()
    case.refresh_from_db()
    appointment.refresh_from_db()
    assert case.citizen.username == ANONYMISED_USERNAME and case.agent is None
    assert appointment.citizen.username == ANONYMISED_USERNAME and appointment.agent is None
