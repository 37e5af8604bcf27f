"""What booking holds about people, for the personal-information lifecycle (apps/shared/privacy): appointments
(anonymised once their period ends: the row stays for the hall's statistics, the person goes), waitlist
entries and booking standing (deleted), penalty waivers (detached); a citizen's appointments in their export;
an appointment still ahead stops the account's deletion."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.shared.accounts.models import User
from apps.shared.accounts.services import ANONYMISED_USERNAME, anonymised_account
from apps.shared.privacy import registry
from apps.shared.privacy.registry import Action, RecordKind, final_statuses
from govservice.lib.errors import Conflict

from .models import (
    ACTIVE_APPOINTMENT_STATUSES,
    APPOINTMENT_TRANSITIONS,
    Appointment,
    AppointmentEvent,
    BookingStanding,
    PenaltyWaiver,
    WaitlistEntry,
)
from .models.appointments import WAITLIST_TRANSITIONS
from .services import waitlist_leave

LOCAL = gettext_lazy("无法定期限，按本地做法设定（可配置）")


def appointments_due(cutoff: dt.datetime) -> QuerySet[Appointment]:
    """Finished appointments (a final state) untouched since the cutoff, not yet anonymised."""
    return Appointment.objects.filter(
        status__in=final_statuses(APPOINTMENT_TRANSITIONS), updated_at__lt=cutoff
    ).exclude(citizen__username=ANONYMISED_USERNAME)


def appointments_anonymise(pks: list[Any]) -> int:
    # The idempotency key is unique per citizen: blanked before the rows meet under one account.
    done = Appointment.objects.filter(pk__in=pks).update(
        citizen=anonymised_account(), agent=None, idempotency_key="", cancel_reason=""
    )
    AppointmentEvent.objects.filter(appointment_id__in=pks).update(note="")
    return done


def waitlist_due(cutoff: dt.datetime) -> QuerySet[WaitlistEntry]:
    return WaitlistEntry.objects.filter(status__in=final_statuses(WAITLIST_TRANSITIONS), created_at__lt=cutoff)


def standing_due(cutoff: dt.datetime) -> QuerySet[BookingStanding]:
    return BookingStanding.objects.filter(
        Q(blocked_until__isnull=True) | Q(blocked_until__lt=cutoff), updated_at__lt=cutoff
    )


def waivers_due(cutoff: dt.datetime) -> QuerySet[PenaltyWaiver]:
    return PenaltyWaiver.objects.filter(at__lt=cutoff).exclude(citizen__username=ANONYMISED_USERNAME)


def waivers_anonymise(pks: list[Any]) -> int:
    return PenaltyWaiver.objects.filter(pk__in=pks).update(citizen=anonymised_account())


for kind in (
    RecordKind(
        "booking.appointments",
        gettext_lazy("预约记录"),
        "RETENTION_APPOINTMENTS_DAYS",
        Action.ANONYMISE,
        appointments_due,
        LOCAL,
        apply=appointments_anonymise,
        covers=(AppointmentEvent,),
    ),
    RecordKind(
        "booking.waitlist", gettext_lazy("候补记录"), "RETENTION_APPOINTMENTS_DAYS", Action.DELETE, waitlist_due, LOCAL
    ),
    RecordKind(
        "booking.standing",
        gettext_lazy("网上预约信用记录"),
        "RETENTION_APPOINTMENTS_DAYS",
        Action.DELETE,
        standing_due,
        LOCAL,
    ),
    RecordKind(
        "booking.penalty_waivers",
        gettext_lazy("违约豁免记录"),
        "RETENTION_APPOINTMENTS_DAYS",
        Action.ANONYMISE,
        waivers_due,
        LOCAL,
        apply=waivers_anonymise,
    ),
):
    registry.register_kind(kind)


def upcoming_appointments_guard(user: User) -> None:
    codes = list(
        Appointment.objects.filter(citizen=user, status__in=ACTIVE_APPOINTMENT_STATUSES).values_list("code", flat=True)[
            :5
        ]
    )
    if codes:
        raise Conflict(
            _("您有尚未完成的预约（%(codes)s），请先取消或办理完毕后再注销账户。") % {"codes": "、".join(codes)},
            code="upcoming_appointment",
        )


def export_appointments(user: User) -> dict[str, Any]:
    appointments = (
        Appointment.objects.filter(citizen=user).select_related("matter", "hall", "slot").order_by("-created_at")
    )
    standing = BookingStanding.objects.filter(citizen=user).first()
    return {
        "appointments": [
            {
                "code": a.code,
                "matter": a.matter.name,
                "matter_code": a.matter_code,
                "hall": a.hall.name,
                "start": a.slot.start,
                "status": a.status,
                "status_label": str(a.get_status_display()),
                "quota": a.quota,
                "green_category": a.green_category,
                "strike": a.strike,
                "strike_waived": a.strike_waived,
                "cancel_reason": a.cancel_reason,
                "created_at": a.created_at,
            }
            for a in appointments
        ],
        "waitlist": [
            {
                "matter_code": w.matter_code,
                "hall": w.hall.name,
                "date": w.date,
                "status": w.status,
                "created_at": w.created_at,
            }
            for w in WaitlistEntry.objects.filter(citizen=user).select_related("hall")
        ],
        "standing": (
            {"blocked_until": standing.blocked_until, "block_reason": standing.block_reason}
            if standing is not None
            else None
        ),
    }


def erase(user: User) -> dict[str, int]:
    """The account goes: its waiting places are given back, its waitlist and standing deleted; its finished
    appointments stay, pointing at the emptied account."""
    for entry_id in WaitlistEntry.objects.filter(citizen=user, status__in=["waiting", "offered"]).values_list(
        "id", flat=True
    ):
        waitlist_leave(citizen=user, entry_id=entry_id)
    return {
        "waitlist": WaitlistEntry.objects.filter(citizen=user).delete()[0],
        "standing": BookingStanding.objects.filter(citizen=user).delete()[0],
        "idempotency_keys": Appointment.objects.filter(citizen=user)
        .exclude(idempotency_key="")
        .update(idempotency_key=""),
    }


registry.register_guard(upcoming_appointments_guard)
registry.register_export("booking", export_appointments)
registry.register_eraser("booking", erase)
