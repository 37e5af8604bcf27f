"""Periodic work on the front's cases: reconciliation with central, the intake-limit warning, and the
promised dates filled in once a year's holidays are published."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from apps.front.booking.selectors import hall_supervisors
from apps.front.intake.conf import intake_conf
from apps.front.notifications.services import notify
from apps.shared.exchange import contract
from apps.shared.exchange.models import Peer
from apps.shared.exchange.peers import default_central
from apps.shared.exchange.services import outbox_enqueue
from apps.shared.workcalendar.selectors import add_workdays_or_none, calendar_get
from govservice.lib.decisions import Decision
from govservice.lib.workdays import CalendarUnknown, WorkCalendar

from ..models import Case, CaseChannel, CaseStatus
from ..selectors import awaiting_hall_q, intake_near_limit_q
from .window import WAITING_ON_CENTRAL, case_transition


def cases_reconcile(*, batch: int = 200, cutoff: dt.datetime | None = None) -> int:
    """Ask central for the state of cases that have been quiet too long; central re-sends their latest
    event and the idempotent handlers heal whatever was missed. Each central is asked about its own cases
    only (one resync message per central). Safe to run twice.

    ``cutoff``: cases quiet since before it, and not asked about since (default: RECONCILE_QUIET_HOURS
    ago). After a restore from a backup, every case waiting on central is asked about (manage.py
    cases_reconcile --all)."""
    if cutoff is None:
        cutoff = timezone.now() - dt.timedelta(hours=intake_conf.RECONCILE_QUIET_HOURS)
    with transaction.atomic():
        quiet = list(
            Case.objects.select_for_update(skip_locked=True)
            .filter(status__in=WAITING_ON_CENTRAL, updated_at__lt=cutoff)
            .filter(Q(resync_requested_at__isnull=True) | Q(resync_requested_at__lt=cutoff))
            .order_by("updated_at")
            .values_list("id", "number", "central_id")[:batch]
        )
        if not quiet:
            return 0
        # .update() leaves updated_at alone: asking is not news about the case.
        Case.objects.filter(id__in=[pk for pk, _, _ in quiet]).update(resync_requested_at=timezone.now())
        # A case without a central was handed over before routes existed: the platform's own central has it.
        default = default_central()
        by_central: dict[int, list[str]] = {}
        for _pk, number, central_id in quiet:
            by_central.setdefault(central_id or default.id, []).append(number)
        peers = {p.id: p for p in Peer.objects.filter(id__in=by_central)}
        for central_id, numbers in by_central.items():
            outbox_enqueue(peer=peers[central_id], payload=contract.CaseResync(numbers=numbers))
    return len(quiet)


def cases_intake_deadline_warn(*, today: dt.date | None = None) -> int:
    """Warn hall supervisors about received cases nobody has decided on whose 5-working-day limit is
    near (行政许可法 Art. 32: past it, the application counts as accepted from the day of receipt)."""
    today = today or timezone.localdate()
    calendar = calendar_get()
    cases_fill_open_dates(calendar=calendar)
    due = Case.objects.filter(
        intake_near_limit_q(today=today, calendar=calendar), awaiting_hall_q(), intake_warning_sent_at__isnull=True
    ).select_related("hall", "matter")
    warned = 0
    for case in due:
        with transaction.atomic():
            # Claim the warning first: a second run of the periodic job sends nothing twice.
            if not Case.objects.filter(id=case.id, intake_warning_sent_at__isnull=True).update(
                intake_warning_sent_at=timezone.now()
            ):
                continue
            for supervisor in hall_supervisors(case.hall_id):
                notify(recipient=supervisor, event="intake.deadline_near", case=case)
            warned += 1
    return warned


def cases_fill_open_dates(*, calendar: WorkCalendar | None = None) -> int:
    """Fill in the intake limits and promised dates left open while their year's holidays were not
    published, counted from the day of receipt and of acceptance as they would have been."""
    calendar = calendar or calendar_get()
    filled = 0
    for case_id, received_at, started_at in Case.objects.filter(
        status=CaseStatus.RECEIVED, intake_deadline__isnull=True, received_at__isnull=False
    ).values_list("id", "received_at", "intake_started_at"):
        # From the receipt, or from the answer to a one-time notice.
        limit = add_workdays_or_none(
            timezone.localdate(started_at or received_at), intake_conf.INTAKE_NOTICE_DAYS, calendar
        )
        if limit is not None:
            # The warning about the open limit does not count for the real one: it is due again before it.
            filled += Case.objects.filter(id=case_id, intake_deadline__isnull=True).update(
                intake_deadline=limit, intake_warning_sent_at=None
            )
    # An online application's pre-review limit, counted from its submission or resubmission likewise.
    for case_id, started_at in Case.objects.filter(
        status=CaseStatus.RECEIVED, channel=CaseChannel.ONLINE, prereview_deadline__isnull=True
    ).values_list("id", "intake_started_at"):
        limit = add_workdays_or_none(timezone.localdate(started_at), intake_conf.PREREVIEW_WORKDAYS, calendar)
        if limit is not None:
            filled += Case.objects.filter(id=case_id, prereview_deadline__isnull=True).update(prereview_deadline=limit)
    # Only cases whose clock has run without a pause, restart or extension: for them the promise is the day
    # of acceptance plus the matter's days. Any other case's date comes from central with its next event.
    open_promises = Case.objects.filter(
        status__in=(CaseStatus.ACCEPTED, CaseStatus.IN_REVIEW),
        promised_date__isnull=True,
        accepted_at__isnull=False,
        correction_deadline__isnull=True,
        procedure_note="",
    )
    for case in open_promises.select_related("citizen", "matter"):
        promised = add_workdays_or_none(timezone.localdate(case.accepted_at), case.matter.promised_days, calendar)
        if promised is None:
            continue
        with transaction.atomic():
            # The conditional UPDATE decides who tells the citizen: two runs at once never send it twice.
            if Case.objects.filter(id=case.id, promised_date__isnull=True).update(promised_date=promised):
                case.promised_date = promised
                notify(recipient=case.citizen, event="case.promised_date_set", case=case)
                filled += 1
    return filled


def cases_close_finished(*, today: dt.date | None = None, batch: int = 500) -> int:
    """办结 (DOMAIN.md §5 … DELIVERED → CLOSED): a case whose result was delivered (送达), or that was denied (a
    denial has no result to hand over), is closed once CASE_CLOSE_AFTER_WORKDAYS working days have passed since —
    the period in which the applicant may still rate it by SMS link (DOMAIN.md §7); it stays rateable when
    closed. A period reaching an unpublished year is not guessed: the case waits. Each case in its own
    transaction; safe to run twice."""
    today = today or timezone.localdate()
    calendar = calendar_get()
    delivered = Max("events__at", filter=Q(events__to_status=CaseStatus.DELIVERED))
    candidates = (
        Case.objects.filter(
            Q(status=CaseStatus.DELIVERED)
            | Q(status=CaseStatus.DECIDED, decision=Decision.DENIED, decided_at__isnull=False)
        )
        .annotate(delivered_at=delivered)
        .values_list("id", "status", "delivered_at", "decided_at")
        .order_by("id")[:batch]
    )
    closed = 0
    for case_id, status, delivered_at, decided_at in candidates:
        ended = delivered_at if status == CaseStatus.DELIVERED else decided_at
        if ended is None:
            continue
        try:
            last_day = calendar.add_workdays(timezone.localdate(ended), intake_conf.CASE_CLOSE_AFTER_WORKDAYS)
        except CalendarUnknown:
            continue
        if today <= last_day:
            continue
        with transaction.atomic():
            case = Case.objects.select_for_update(skip_locked=True).filter(id=case_id, status=status).first()
            if case is None:
                continue
            case_transition(case=case, to_status=CaseStatus.CLOSED, actor=None, actor_label="系统", note="办结")
            closed += 1
    return closed
