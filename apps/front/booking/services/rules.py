"""The rules a booking is decided by (DOMAIN.md §3, DESIGN.md §6): the citizen lock, the refusals in the order
of the rules, the per-person limits, the slot's own state and why a conditional UPDATE took nothing.

Both ways of booking use them: the fast path (``apps/front/booking/fastpath.py``: one SQL read of the facts)
and the ORM reference (``reference.py``), so a refusal has one code and one message, whichever way it came.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import ExpressionWrapper, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from apps.front.booking.conf import booking_conf
from apps.shared.accounts.models import User
from apps.shared.catalog.applicants import applicant_matter_refusal
from apps.shared.catalog.models import Matter
from govservice.lib import idcard
from govservice.lib.errors import Conflict, DomainError

from ..models import Appointment, BookingStanding, GreenCategory, Slot


def citizen_lock(citizen: User) -> dt.datetime | None:
    """Lock the citizen and read, in the same statement, until when online booking is blocked for them.
    An account closed or frozen meanwhile (deletion, a takeover) books nothing: checked under the lock.

    NO KEY UPDATE still serialises one citizen's writes, but lets other transactions insert rows that
    reference the citizen (a ticket at check-in takes FOR KEY SHARE on it): no deadlock against them."""
    blocked_until = BookingStanding.objects.filter(citizen_id=OuterRef("pk")).values("blocked_until")[:1]
    row = (
        User.objects.select_for_update(no_key=True)
        .filter(pk=citizen.pk)
        .annotate(blocked_until=Subquery(blocked_until))
        .values_list("is_active", "blocked_until")
        .first()
    )
    if row is None or not row[0]:
        raise account_inactive()
    return row[1]


def account_inactive() -> DomainError:
    return DomainError(_("该账户已注销或停用，不能预约。"), code="account_inactive")


def when_text(moment: dt.datetime) -> str:
    return f"{timezone.localtime(moment):%Y年%m月%d日 %H:%M}"


def moment_text(moment: dt.datetime) -> str:
    """A time inside a refusal, in the reader's language: the Chinese date, else the ISO form."""
    if (get_language() or "zh").startswith("zh"):
        return when_text(moment)
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


# A time inside a message, read in its recipient's language when notify() renders it (not in the sender's).
moment_text_lazy = lazy(moment_text, str)


class BookingFacts:
    """Everything a booking is decided by, read at one moment: the matter (None: no such current matter),
    the slot with its hall and database time as ``db_now`` (None: no such slot), whether the slot's group
    handles the matter, the minimum notice in hours, the citizen's active appointments (all, and for this
    matter), an earlier appointment with the same Idempotency-Key, and the citizen's block."""

    __slots__ = ("blocked_until", "handles", "matter", "notice", "previous_id", "same", "slot", "total")

    def __init__(
        self,
        *,
        matter: Matter | None,
        slot: Slot | None,
        handles: bool,
        notice: int,
        total: int,
        same: int,
        previous_id: int | None,
        blocked_until: dt.datetime | None,
    ) -> None:
        self.matter, self.slot, self.handles, self.notice = matter, slot, handles, notice
        self.total, self.same, self.previous_id, self.blocked_until = total, same, previous_id, blocked_until


def refusal(facts: BookingFacts, *, applicant: User, green_category: str, slot_state: bool) -> DomainError | None:
    """The first reason to refuse, in the order of the rules (block, matter — bookable, serving the applicant's
    kind —, slot, group, duplicate, limit, then the slot's own state when ``slot_state``), or None. ``applicant``:
    the citizen the appointment is for (a person, or a company booked for by its agent)."""
    blocked_until = facts.blocked_until
    if blocked_until is not None and blocked_until > timezone.now():
        return DomainError(
            _("因多次爽约或临近取消，您的网上预约已暂停至%(until)s；期间仍可到大厅现场取号办理。")
            % {"until": moment_text(blocked_until)},
            code="blocked",
        )
    if green_category and green_category not in GreenCategory.values:
        return DomainError(_("绿色通道类别无效。"), code="invalid_green_category")
    if facts.matter is None:
        return DomainError(_("事项不存在。"), code="not_found")
    if not facts.matter.bookable:
        return DomainError(_("该事项无需预约，请直接到大厅办理或在线办理。"), code="not_bookable")
    not_served = applicant_matter_refusal(applicant, facts.matter)
    if not_served is not None:
        return not_served
    if facts.slot is None:
        return DomainError(_("预约时段不存在。"), code="not_found")
    if not facts.handles:
        return DomainError(_("该时段所在窗口不办理此事项。"), code="wrong_group")
    if facts.same:
        return duplicate()
    if facts.total >= booking_conf.BOOKING_MAX_ACTIVE_PER_CITIZEN:
        return Conflict(
            _("每人最多同时持有%(limit)s个有效预约，请先完成或取消已有预约。")
            % {"limit": booking_conf.BOOKING_MAX_ACTIVE_PER_CITIZEN},
            code="limit_reached",
        )
    if slot_state and not online_free(facts.slot, notice=facts.notice):
        return slot_refusal(facts.slot, notice=facts.notice, reread=False)
    return None


def same_request_or_refuse(previous: Appointment, *, slot_id: int, matter_code: str) -> None:
    """An earlier appointment with this Idempotency-Key answers a retry of the same request. The key on a
    different request (another slot or matter) is refused: returning the first booking would tell the
    citizen that their new choice was booked."""
    if previous.slot_id != slot_id or previous.matter_code != matter_code:
        raise DomainError(
            _("该幂等键已用于另一项预约请求，请为新的请求使用新的幂等键。"), code="idempotency_key_reused"
        )


def duplicate() -> Conflict:
    return Conflict(_("您已有该事项的有效预约，不能重复预约。"), code="duplicate")


def slot_bookable(slot_id: int, *, today: dt.date, ahead: dt.timedelta | None) -> QuerySet[Slot]:
    """The slot, if a place in it may still be booked: from tomorrow on (``today`` is the local date) and, with
    a minimum notice, starting at least ``ahead`` after database time. The conditional UPDATEs filter on it."""
    slots = Slot.objects.filter(id=slot_id, date__gt=today)
    if ahead:
        start = ExpressionWrapper(Now() + Value(ahead), output_field=Slot._meta.get_field("start"))
        slots = slots.filter(start__gte=start)
    return slots


def online_free(slot: Slot, *, notice: int) -> bool:
    """In Python, the condition of the plain online booking's conditional UPDATE (slot_bookable and
    online_free_q), on a slot as read with database time: to refuse before any transaction. The UPDATE
    stays the authority; tests/front/booking/test_fastpath.py holds the two to the same answers."""
    now = slot.db_now  # type: ignore[attr-defined]
    resale = slot.resale_held if slot.resale_until is not None and slot.resale_until > now else 0
    return (
        slot.date > timezone.localdate()
        and not slot.closed
        and not (notice and slot.start < now + dt.timedelta(hours=notice))
        and slot.release_at <= now
        and slot.capacity > slot.booked + slot.waitlist_held + resale
    )


def check_elderly(citizen: User) -> None:
    today = timezone.localdate()
    try:
        birth = idcard.parse(citizen.id_number or "", today=today).birth_date
    except idcard.InvalidIdNumber:
        birth = None
    age = booking_conf.HALL_GREEN_CHANNEL_AGE
    if birth is None or today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day)) < age:
        raise DomainError(
            _("老年人绿色通道适用于年满%(age)s周岁的市民（按账户身份证号码核验）。") % {"age": age},
            code="not_elderly",
        )


def slot_refusal(slot: Slot, *, notice: int = 0, reread: bool = True) -> DomainError:
    """Why the conditional UPDATE took nothing, in Chinese first, with a stable code. Decided from the
    slot as read before the UPDATE and database time (read with it), the clock the UPDATE used. When that
    read shows no reason (the slot changed in between: the last place went, or the hall closed it), the
    slot is read once more; a crowd on a full slot costs no extra query."""
    now = getattr(slot, "db_now", None) or timezone.now()
    resale = slot.resale_held if slot.resale_until is not None and slot.resale_until > now else 0
    explained = (
        slot.date <= timezone.localdate()
        or slot.closed
        or (notice and slot.start < now + dt.timedelta(hours=notice))
        or slot.release_at > now
        or slot.booked + slot.waitlist_held + resale >= slot.capacity
    )
    if not explained and reread:
        fresh = Slot.objects.annotate(db_now=Now()).filter(id=slot.id).first()
        if fresh is not None:
            return slot_refusal(fresh, notice=notice, reread=False)
    if slot.date <= timezone.localdate():
        return DomainError(_("不能预约当天或已过去的时段，当天请到大厅现场取号。"), code="too_late")
    if slot.closed:
        return Conflict(_("该时段大厅暂停服务，请选择其他时段。"), code="closed")
    if notice and slot.start < now + dt.timedelta(hours=notice):
        return DomainError(
            _("该事项需至少提前%(hours)s小时预约，请选择更晚的时段。") % {"hours": notice}, code="too_soon"
        )
    if slot.release_at > now:
        return DomainError(
            _("该时段尚未放号，将于%(opens)s开放预约。") % {"opens": moment_text(slot.release_at)},
            code="not_released",
        )
    return Conflict(
        _("该时段已约满，请选择其他时段；当天全部约满时可登记候补。"),
        code="slot_full",
    )
