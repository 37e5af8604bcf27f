"""The retention job (apps/shared/privacy), on both sites: each kind of record ends when its period does, not a
second before; the legal minimums hold against a shorter setting; a run is idempotent, batched, bounded in
time, counted and logged; a dry run changes nothing. Time is frozen at the boundaries."""

from __future__ import annotations

import datetime as dt
import re
from io import StringIO
from pathlib import Path

import pghistory
import pytest
from axes.models import AccessLog
from django.conf import settings
from django.core.management import call_command

import govservice.settings as settings_module
from apps.shared.accounts.models import AccountTakeover, PhoneChallenge, Role, User
from apps.shared.accounts.services import personal_data_access_record
from apps.shared.privacy import registry
from apps.shared.privacy.conf import PrivacyConf, privacy_conf
from apps.shared.privacy.models import Consent, RetentionRun
from apps.shared.privacy.services import retention_run
from apps.shared.privacy.tasks import retention_run as retention_task
from tests.factories import make_user

T0 = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)
SECOND = dt.timedelta(seconds=1)
DAY = dt.timedelta(days=1)
ROOT = Path(__file__).resolve().parents[3]


def run_at(time_machine, moment: dt.datetime) -> RetentionRun:
    time_machine.move_to(moment, tick=False)
    return retention_run()


def challenge(user, *, expires_at: dt.datetime) -> PhoneChallenge:
    return PhoneChallenge.objects.create(purpose="register", user=user, code_hash="h" * 64, expires_at=expires_at)


def test_every_site_registers_its_kinds_with_a_knob_and_a_source():
    kinds = {kind.key: kind for kind in registry.kinds()}
    shared = {
        "accounts.phone_challenges",
        "accounts.pending_accounts",
        "accounts.data_access_log",
        "accounts.login_attempts",
        "accounts.login_failures",
        "accounts.login_log",
        "accounts.sessions",
        "accounts.api_tokens",
        "exchange.outbox",
        "exchange.inbox",
        "privacy.exports",
        "privacy.retention_runs",
        "audit.accounts.accounttakeoveraudit",
        "audit.contexts",
    }
    if settings.IS_FRONT:
        site = {
            "booking.appointments",
            "booking.waitlist",
            "booking.standing",
            "booking.penalty_waivers",
            "floor.tickets",
            "consult.tickets",
            "intake.case_files",
            "intake.vault",
            "guidance.checklists",
            "delivery.addresses",
            "delivery.courier_pushes",
            "ratings.evaluations",
            "ratings.invitations",
            "notifications.messages",
            "notifications.gateway_receipts",
            "audit.booking.appointmentaudit",
            "audit.hall.ticketaudit",
            "mandates.mandates",
            "mandates.unconfirmed",
        }
        # A case file's trail stays with the case file, a message's with the message.
        assert "audit.intake.caseaudit" not in kinds and "audit.feedback.notificationaudit" not in kinds
    else:
        site = {"review.case_files", "registry.queries"}
        assert "audit.review.reviewcaseaudit" not in kinds
    assert shared | site <= set(kinds), sorted(shared | site - set(kinds))
    assert "audit.exchange.outboxmessageaudit" not in kinds
    knobs = PrivacyConf.knobs()
    assert all(kind.knob in knobs and str(kind.basis) for kind in kinds.values())
    assert {kind.action for kind in kinds.values()} == {registry.Action.DELETE, registry.Action.ANONYMISE}


def test_every_knob_is_documented_in_env_example():
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    assert not [name for name in PrivacyConf.knobs() if not re.search(rf"^# {name}=", example, re.M)]
    # Knobs, not framework settings: govservice/settings/ defines none of them.
    assert not [name for name in PrivacyConf.knobs() if hasattr(settings_module, name)]


def test_each_site_runs_the_job_from_its_beat_schedule():
    entry = settings.CELERY_BEAT_SCHEDULE["privacy-retention"]
    assert entry["task"] == retention_task.name == "apps.privacy.tasks.retention_run"


@pytest.mark.django_db
class TestRetention:
    def test_it_deletes_sms_challenges_a_day_after_they_expired(self, time_machine):
        time_machine.move_to(T0, tick=False)
        user = make_user("person", verified=False, is_active=False)
        spent = challenge(user, expires_at=T0 + dt.timedelta(minutes=5))
        later = challenge(user, expires_at=T0 + dt.timedelta(hours=2))

        before = run_at(time_machine, spent.expires_at + DAY - SECOND)
        assert before.counts["accounts.phone_challenges"] == 0
        assert PhoneChallenge.objects.count() == 2

        after = run_at(time_machine, spent.expires_at + DAY + SECOND)
        assert after.counts["accounts.phone_challenges"] == 1
        assert list(PhoneChallenge.objects.all()) == [later]

    def test_it_deletes_registrations_never_verified_after_the_configured_time(self, time_machine, settings):
        settings.RETENTION_PENDING_ACCOUNTS_DAYS = 7
        time_machine.move_to(T0, tick=False)
        pending = make_user("pending", verified=False, is_active=False)
        challenge(pending, expires_at=T0 + dt.timedelta(minutes=5))
        Consent.objects.create(user=pending, purpose="registry_check", version="2026.1", channel="api")
        # Kept: an account from before verification existed (active), a verified one, one frozen by a takeover,
        # and one whose look-up at a window is logged (the log protects it until the log itself expires).
        legacy = make_user("legacy", verified=False)
        verified = make_user("verified")
        frozen = make_user("frozen", verified=False, is_active=False, frozen_at=T0)
        viewed = make_user("viewed", verified=False, is_active=False)
        clerk = make_user("clerk", Role.CLERK)
        personal_data_access_record(viewer=clerk, subject=viewed, reason="窗口核验身份证找回账户")

        assert run_at(time_machine, T0 + 7 * DAY - SECOND).counts["accounts.pending_accounts"] == 0
        assert User.objects.filter(pk=pending.pk).exists()

        run = run_at(time_machine, T0 + 7 * DAY + SECOND)
        assert run.counts["accounts.pending_accounts"] == 1
        assert not User.objects.filter(pk=pending.pk).exists()
        assert (
            not PhoneChallenge.objects.filter(user_id=pending.pk).exists()
            and not Consent.objects.filter(user_id=pending.pk).exists()
        )
        assert set(
            User.objects.filter(pk__in=[legacy.pk, verified.pk, frozen.pk, viewed.pk, clerk.pk]).values_list(
                "username", flat=True
            )
        ) == {
            "legacy",
            "verified",
            "frozen",
            "viewed",
            "clerk",
        }
        assert run.complete

    def test_a_setting_below_the_legal_minimum_is_raised_to_it(self, time_machine, settings):
        # 网络安全法 Art. 21: network logs at least six months, whatever the setting says.
        settings.RETENTION_LOGIN_RECORDS_DAYS = 30
        time_machine.move_to(T0, tick=False)
        AccessLog.objects.create(username="someone", ip_address="10.0.0.1", user_agent="x", attempt_time=T0)
        assert run_at(time_machine, T0 + 31 * DAY).counts["accounts.login_log"] == 0
        assert run_at(time_machine, T0 + 180 * DAY - SECOND).counts["accounts.login_log"] == 0
        assert run_at(time_machine, T0 + 180 * DAY + SECOND).counts["accounts.login_log"] == 1
        assert not AccessLog.objects.exists()

    def test_the_audit_trail_and_its_contexts_go_after_three_years(self, time_machine):
        time_machine.move_to(T0, tick=False)
        clerk, person = make_user("clerk", Role.CLERK), make_user("person")
        with pghistory.context(url="/workbench/identity/"):
            record = AccountTakeover.objects.create(clerk=clerk, new_account=person, hall="大厅", reason="找回")
        assert record.audit_trail.count() == 1 and pghistory.models.Context.objects.count() == 1
        # The triggers stamp audit rows with the database's clock, which frozen time does not move.
        record.audit_trail.update(pgh_created_at=T0)
        pghistory.models.Context.objects.update(created_at=T0, updated_at=T0)

        run_at(time_machine, T0 + 3 * 365 * DAY - SECOND)
        assert record.audit_trail.count() == 1 and pghistory.models.Context.objects.count() == 1

        run = run_at(time_machine, T0 + 3 * 365 * DAY + SECOND)
        assert run.counts["audit.accounts.accounttakeoveraudit"] == 1 and run.counts["audit.contexts"] == 1
        assert record.audit_trail.count() == 0 and not pghistory.models.Context.objects.exists()
        assert AccountTakeover.objects.filter(pk=record.pk).exists()  # the record itself is no audit row

    def test_a_dry_run_counts_and_a_second_run_finds_nothing(self, time_machine):
        time_machine.move_to(T0, tick=False)
        user = make_user("person", verified=False, is_active=False)
        for minutes in range(3):
            challenge(user, expires_at=T0 + dt.timedelta(minutes=minutes))
        time_machine.move_to(T0 + 2 * DAY, tick=False)

        out = StringIO()
        call_command("privacy_retention", "--dry-run", "--kind", "accounts.phone_challenges", stdout=out)
        assert "accounts.phone_challenges: 3 due" in out.getvalue() and "due: 3 row(s) in 1 kind(s)" in out.getvalue()
        assert PhoneChallenge.objects.count() == 3
        assert RetentionRun.objects.get().dry_run

        out = StringIO()
        call_command("privacy_retention", stdout=out)
        assert "accounts.phone_challenges: 3 delete" in out.getvalue()
        assert not PhoneChallenge.objects.exists()
        again = retention_run()
        assert sum(again.counts.values()) == 0 and again.complete

    def test_it_refuses_an_unknown_kind_and_lists_the_periods(self):
        from django.core.management.base import CommandError

        with pytest.raises(CommandError, match="unknown kind"):
            call_command("privacy_retention", "--kind", "nothing.here")
        out = StringIO()
        call_command("privacy_retention", "--list", stdout=out)
        assert "accounts.login_log\tdelete\t180 days (RETENTION_LOGIN_RECORDS_DAYS)" in out.getvalue()

    def test_it_works_in_batches_and_stops_at_its_time_budget_losing_nothing(self, time_machine, settings):
        time_machine.move_to(T0, tick=False)
        user = make_user("person", verified=False, is_active=False)
        for minutes in range(5):
            challenge(user, expires_at=T0 + dt.timedelta(minutes=minutes))
        time_machine.move_to(T0 + 2 * DAY, tick=False)

        settings.PRIVACY_RUN_MAX_SECONDS = -1
        stopped = retention_run()
        assert not stopped.complete and PhoneChallenge.objects.count() == 5

        settings.PRIVACY_RUN_MAX_SECONDS = 200
        settings.PRIVACY_BATCH_SIZE = 2
        assert privacy_conf.PRIVACY_BATCH_SIZE == 2
        done = retention_task()
        assert done["accounts.phone_challenges"] == 5 and not PhoneChallenge.objects.exists()
        assert RetentionRun.objects.order_by("-id").first().complete

    def test_it_logs_the_counts_without_personal_data(self, time_machine, caplog):
        time_machine.move_to(T0, tick=False)
        user = make_user("person", verified=False, is_active=False, phone="13700001111")
        challenge(user, expires_at=T0)
        time_machine.move_to(T0 + 2 * DAY, tick=False)
        with caplog.at_level("INFO", logger="apps.shared.privacy.services"):
            retention_run()
        text = caplog.text
        assert "privacy retention done: delete 1 accounts.phone_challenges" in text
        assert "13700001111" not in text and user.id_number not in text


# Tables that name people but have no retention kind, each with the reason. Anything else that points at an
# account or holds an encrypted column must be ended by a kind (or covered by one): a new table of personal
# data without its privacy.py entry fails here.
WITHOUT_KIND = {
    # Staff's own posts and acts at work: employment records, not a citizen's data held for a service.
    "booking.StaffPost",
    "booking.HallClosure",
    "consult.ConsultDesk",
    "consult.FaqEntry",
    "feedback.MessageTemplateVersion",
    "review.ApproverPost",
    # A central supervisor's registry load (who loaded which file when; its refused rows by line number only).
    "registry.RegistryLoad",
    # Lives and dies with its account (deleted with it: the eraser), nothing to expire on its own.
    "feedback.NotificationPreference",
    # A legal person's registration (its account and legal representative), the company's record rather than data
    # held about a natural person for a service; kept while the company uses the platform (mandates/privacy.py).
    "mandates.Company",
    # Proof of what was agreed and done, kept with the account row it belongs to.
    "privacy.Consent",
    "privacy.AccountDeletion",
    "accounts.AccountTakeover",
    # The wire's signing keys, and the offices' keys that seal certificates: secrets, not personal data.
    "exchange.PeerKey",
    "licences.OfficeKey",
    # The population data the registry is loaded with (registry_load), not a record of this site's processing;
    # the register of legal persons likewise (registry_load --companies).
    "registry.RegistryPerson",
    "registry.RegistryCompany",
}


def test_every_table_of_personal_data_has_an_end():
    from django.apps import apps
    from django.contrib.auth import get_user_model
    from pghistory.models import Event

    from govservice.lib.fieldcrypto import KeyRingFieldMixin

    user = get_user_model()
    ended = {model._meta.label for kind in registry.kinds() for model in kind.models}
    personal = {
        model._meta.label
        for model in apps.get_models()
        if model.__module__.startswith("apps.")
        and not issubclass(model, Event)  # the audit trail: audit.* kinds, or the kind that claims it
        and (
            model is user
            or any(
                (field.is_relation and field.concrete and field.related_model is user)
                or isinstance(field, KeyRingFieldMixin)
                for field in model._meta.get_fields()
            )
        )
    }
    assert "accounts.User" in personal and "accounts.PhoneChallenge" in personal  # the scan found them
    assert sorted(personal - ended - WITHOUT_KIND) == []
    assert sorted(WITHOUT_KIND & ended) == []
