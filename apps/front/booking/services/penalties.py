"""The penalty for no-shows and late cancellations (DOMAIN.md §3): a warning first, then online booking
blocked until a date; walk-in stays allowed; staff may waive with a reason (audited); hall-side
cancellations never count."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.front.booking.conf import booking_conf
from apps.front.notifications.services import notify
from apps.shared.accounts.models import Role, User
from govservice.lib.errors import DomainError

from ..models import Appointment, BookingStanding, PenaltyWaiver, Strike

# Who may waive a penalty: hall staff and administrators.
WAIVER_ROLES = frozenset({Role.CLERK, Role.HALL_SUPERVISOR, Role.ADMIN})


def _rule(kind: str) -> tuple[int, int]:
    """(strikes that block, days blocked) for a kind of strike."""
    if kind == Strike.NO_SHOW:
        return booking_conf.BOOKING_NO_SHOW_LIMIT, booking_conf.BOOKING_NO_SHOW_BLOCK_DAYS
    return booking_conf.BOOKING_LATE_CANCEL_LIMIT, booking_conf.BOOKING_LATE_CANCEL_BLOCK_DAYS


def standing_lock(citizen_id: int) -> BookingStanding:
    """The citizen's standing row, created if missing, locked for this transaction."""
    BookingStanding.objects.bulk_create([BookingStanding(citizen_id=citizen_id)], ignore_conflicts=True)
    return BookingStanding.objects.select_for_update().get(citizen_id=citizen_id)


def strikes_count(*, citizen_id: int, kind: str, now: dt.datetime) -> int:
    since = now - dt.timedelta(days=booking_conf.BOOKING_PENALTY_WINDOW_DAYS)
    return Appointment.objects.filter(
        citizen_id=citizen_id, strike=kind, strike_waived=False, strike_at__gt=since, strike_at__lte=now
    ).count()


def strike_record(*, appointment: Appointment, kind: str, now: dt.datetime | None = None) -> str:
    """Count ``appointment`` against its citizen and apply the rule: returns "blocked", "warned" or ""."""
    now = now or timezone.now()
    Appointment.objects.filter(id=appointment.id).update(strike=kind, strike_at=now)
    appointment.strike, appointment.strike_at = kind, now
    return penalty_apply(citizen_id=appointment.citizen_id, kind=kind, now=now)


def penalty_apply(*, citizen_id: int, kind: str, now: dt.datetime) -> str:
    limit, block_days = _rule(kind)
    standing = standing_lock(citizen_id)
    count = strikes_count(citizen_id=citizen_id, kind=kind, now=now)
    citizen = User.objects.get(id=citizen_id)
    what = "爽约" if kind == Strike.NO_SHOW else "临近开始时间取消预约"
    if count >= limit:
        until = now + dt.timedelta(days=block_days)
        if standing.blocked_until is None or standing.blocked_until < until:
            standing.blocked_until = until
            standing.block_reason = f"{booking_conf.BOOKING_PENALTY_WINDOW_DAYS}天内{what}{count}次"
            standing.save(update_fields=["blocked_until", "block_reason", "updated_at"])
            notify(
                recipient=citizen,
                event="booking.blocked",
                context={"reason": standing.block_reason, "until": _date_text(until)},
            )
        return "blocked"
    warned_field = "warned_no_show_at" if kind == Strike.NO_SHOW else "warned_late_cancel_at"
    warned_at = getattr(standing, warned_field)
    recent_warning = warned_at is not None and warned_at > now - dt.timedelta(
        days=booking_conf.BOOKING_PENALTY_WINDOW_DAYS
    )
    if count == limit - 1 and not recent_warning:
        setattr(standing, warned_field, now)
        standing.save(update_fields=[warned_field, "updated_at"])
        notify(
            recipient=citizen,
            event="booking.penalty_warning",
            context={
                "what": what,
                "count": str(count),
                "days": str(booking_conf.BOOKING_PENALTY_WINDOW_DAYS),
                "limit": str(limit),
                "block_days": str(block_days),
            },
        )
        return "warned"
    return ""


def _date_text(moment: dt.datetime) -> str:
    return f"{timezone.localtime(moment):%Y年%m月%d日 %H:%M}"


@transaction.atomic
def penalty_waive(*, staff: User, citizen: User, reason: str) -> PenaltyWaiver:
    """Lift a citizen's block and waive the strikes that count now, with a reason, recorded."""
    reason = (reason or "").strip()
    if staff.role not in WAIVER_ROLES and not staff.is_superuser:
        raise DomainError(_("您无权豁免违约记录。"), code="forbidden")
    if not reason:
        raise DomainError(_("请填写豁免理由。"), code="waiver_reason_required")
    now = timezone.now()
    standing = standing_lock(citizen.id)
    since = now - dt.timedelta(days=booking_conf.BOOKING_PENALTY_WINDOW_DAYS)
    strikes = list(
        Appointment.objects.filter(citizen=citizen, strike_waived=False, strike_at__gt=since).exclude(strike="")
    )
    waiver = PenaltyWaiver.objects.create(
        citizen=citizen, staff=staff, reason=reason[:200], blocked_until=standing.blocked_until, at=now
    )
    waiver.appointments.set(strikes)
    Appointment.objects.filter(id__in=[a.id for a in strikes]).update(strike_waived=True)
    standing.blocked_until = None
    standing.block_reason = ""
    # The warnings were about the strikes now waived: the next strike warns afresh.
    standing.warned_no_show_at = standing.warned_late_cancel_at = None
    standing.save(
        update_fields=["blocked_until", "block_reason", "warned_no_show_at", "warned_late_cancel_at", "updated_at"]
    )
    return waiver
