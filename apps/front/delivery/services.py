"""Result delivery (结果送达) and the public status lookup (DOMAIN.md §5, §7, §8).

Lock order, everywhere: the case row, then its delivery row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import re
from typing import Any

from django.contrib.auth.hashers import check_password, make_password
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.front.booking.models import StaffPost
from apps.front.delivery.conf import delivery_conf
from apps.front.intake.documents import document_record
from apps.front.intake.models import Case, CaseStatus, Document, DocumentKind
from apps.front.intake.selectors import case_for_lookup, case_get_for_staff
from apps.front.intake.services import case_transition
from apps.front.mandates.models import Act, EventKind
from apps.front.mandates.selectors import Authority, authority_check
from apps.front.mandates.services import mandate_act_record
from apps.front.notifications.services import notify
from apps.shared.accounts.models import User
from apps.shared.accounts.selectors import verified_citizens
from apps.shared.accounts.services import PHONE_RE, id_number_index
from apps.shared.exchange import contract
from apps.shared.exchange.selectors import peer_central
from apps.shared.exchange.services import outbox_enqueue
from govservice.api import Conflict, DomainError, Throttled
from govservice.lib import idcard, lifecycle
from govservice.lib.masking import mask_id_public
from govservice.lib.ratelimit import hit
from govservice.lib.tasks import enqueue_on_commit

from . import lockout
from .couriers import CourierError, Waybill, courier_backend
from .models import CourierPush, Delivery, DeliveryEvent, DeliveryMethod, HandoverStatus
from .selectors import delivery_wire_fields

logger = logging.getLogger(__name__)

CASE_NUMBER_RE = re.compile(r"^[A-Z0-9]{4,32}$")


def _move(delivery: Delivery, *, to_status: str, actor: User | None, actor_label: str = "", note: str = "", **fields: Any) -> None:
    """The lifecycle's guarded move (govservice.lib.lifecycle), with an event row."""
    lifecycle.move(
        delivery, to_status, fields=fields, event={"actor": actor, "actor_label": actor_label, "note": note},
        refused=_("送达状态不能从“%(status)s”变更。") % {"status": delivery.get_status_display()},
        stale=_("送达状态已被他人更改，请刷新。"),
    )


def _locked(case_id: int) -> tuple[Case, Delivery | None]:
    case = Case.objects.select_for_update(of=("self",)).select_related("citizen", "matter", "hall").get(id=case_id)
    return case, Delivery.objects.select_for_update().filter(case=case).first()


def _certificate(case: Case) -> Document | None:
    return case.documents.filter(kind=DocumentKind.CERTIFICATE).order_by("issued_at", "id").first()


# --- The citizen's choice -------------------------------------------------------------------------------


@transaction.atomic
def delivery_choose(
    *, citizen: User, number: str, method: str, recipient_name: str = "", recipient_phone: str = "", address: str = ""
) -> Delivery:
    """The citizen chooses how to receive the result: pickup at the hall that received the case, free
    post to an address, or the e-licence download. Open until the result is issued."""
    found = Case.objects.filter(number=number, citizen=citizen).values_list("id", flat=True).first()
    if found is None:
        raise DomainError(_("未找到该办件。"), code="not_found")
    return _choose(found, actor=citizen, method=method, recipient_name=recipient_name, recipient_phone=recipient_phone, address=address)


@transaction.atomic
def delivery_choose_at_window(
    *, clerk: User, number: str, method: str, recipient_name: str = "", recipient_phone: str = "", address: str = ""
) -> Delivery:
    """The same choice, recorded at intake by the clerk of the hall holding the case, as the applicant says."""
    case = case_get_for_staff(user=clerk, number=number)
    return _choose(case.id, actor=clerk, method=method, recipient_name=recipient_name, recipient_phone=recipient_phone, address=address)


def delivery_choice_check(*, method: str, recipient_name: str = "", recipient_phone: str = "", address: str = "") -> dict[str, Any]:
    """A choice of how to receive the result, checked: the method, and for post a recipient, an 11-digit mobile
    number and an address. Returns the delivery's fields (empty address fields unless posted). Also what an
    online application checks before the case exists (issue 15)."""
    if method not in DeliveryMethod.values:
        raise DomainError(_("请选择结果领取方式。"), code="invalid_method")
    fields: dict[str, Any] = {"method": method, "recipient_name": "", "recipient_phone": "", "address": ""}
    if method == DeliveryMethod.POST:
        recipient_name, recipient_phone, address = recipient_name.strip(), recipient_phone.strip(), address.strip()
        errors = []
        if not 2 <= len(recipient_name) <= 30:
            errors.append(_("收件人姓名"))
        if not PHONE_RE.match(recipient_phone):
            errors.append(_("11位手机号码"))
        if not 8 <= len(address) <= 200:
            errors.append(_("详细邮寄地址（8至200字）"))
        if errors:
            # Translators: the separator between the items of a list (a comma in English).
            missing = _("、").join(errors)
            raise DomainError(_("邮寄送达请填写：%(fields)s。") % {"fields": missing}, code="address_invalid")
        fields |= {"recipient_name": recipient_name, "recipient_phone": recipient_phone, "address": address}
    return fields


def _choose(case_id: int, *, actor: User, method: str, recipient_name: str, recipient_phone: str, address: str) -> Delivery:
    case, delivery = _locked(case_id)
    if method not in DeliveryMethod.values:
        raise DomainError(_("请选择结果领取方式。"), code="invalid_method")
    if not case.can_choose_delivery:
        raise Conflict(_("办件结果已出具或本件无证照结果，不能再选择领取方式。"), code="invalid_state")
    if delivery is not None and not delivery.can_change:
        raise Conflict(_("结果已在送达中，不能再变更领取方式。"), code="invalid_state")
    fields = delivery_choice_check(method=method, recipient_name=recipient_name, recipient_phone=recipient_phone, address=address)
    label = DeliveryMethod(method).label
    before = delivery_wire_fields(delivery) if delivery is not None else None
    if delivery is None:
        delivery = Delivery.objects.create(case=case, **fields)
    else:
        for name, value in fields.items():
            setattr(delivery, name, value)
        delivery.chosen_at = timezone.now()
        delivery.save(update_fields=[*fields, "chosen_at"])
    by_clerk = actor.id != case.citizen_id
    DeliveryEvent.objects.create(
        delivery=delivery, actor=actor, actor_label=actor.audit_label if by_clerk else "", from_status=delivery.status,
        to_status=delivery.status, note=f"{'窗口登记' if by_clerk else '选择'}领取方式：{label}",
    )
    _tell_central_choice(case, delivery, before=before, actor=actor)
    return delivery


def _tell_central_choice(case: Case, delivery: Delivery, *, before: dict[str, str] | None, actor: User) -> None:
    """Central issues the result for the way chosen (issue #5): a case already handed to it hears of each
    change, in this transaction; a case not yet accepted carries the choice in case.submitted. The method
    only, and for post the city and district: the address, phone and recipient stay here (DOMAIN.md §8)."""
    if case.accepted_at is None:
        return
    now = delivery_wire_fields(delivery)
    if now == before:
        return  # the same choice again (a new address in the same district): nothing central would see
    outbox_enqueue(
        peer=peer_central(),
        payload=contract.CaseDeliveryChosen(
            number=case.number, method=DeliveryMethod(now["delivery_method"]), region=now["delivery_region"]
        ),
        actor=actor.audit_label if actor.id != case.citizen_id else "申请人",
    )


# --- The result arrives at the front --------------------------------------------------------------------


def delivery_result_arrived(*, case: Case, title: str) -> Delivery:
    """The certificate has reached the front (inside the exchange handler's transaction, the case row
    locked): hand it over the way the citizen chose, electronic if they chose nothing."""
    delivery = Delivery.objects.select_for_update().filter(case=case).first()
    if delivery is None:
        delivery = Delivery.objects.create(case=case, method=delivery_conf.DELIVERY_DEFAULT_METHOD)
    if delivery.status != HandoverStatus.CHOSEN:
        return delivery
    _move(delivery, to_status=HandoverStatus.READY, actor=None, actor_label="系统", note=f"{title}已到达", ready_at=timezone.now())
    if delivery.method == DeliveryMethod.PICKUP:
        notify(
            recipient=case.citizen, event="case.result_ready_pickup", case=case,
            context={"hall": case.hall.name, "hall_address": case.hall.address},
        )
    elif delivery.method == DeliveryMethod.POST:
        from .tasks import delivery_dispatch as delivery_dispatch_task  # tasks import services

        # Broker down: the periodic sweep (deliveries_dispatch_due) orders the courier.
        enqueue_on_commit(delivery_dispatch_task, delivery.id)
    else:
        notify(recipient=case.citizen, event="case.result_ready", case=case)
    return delivery


def delivery_dispatch(*, delivery_id: int) -> Delivery:
    """Order the courier for a result to be posted, then record the tracking number and tell the
    citizen. The courier is called outside any transaction (no lock held while it answers); the same
    reference gets the same waybill, so a retried or doubled run posts once."""
    delivery = Delivery.objects.select_related("case__matter").get(id=delivery_id)
    if delivery.method != DeliveryMethod.POST or delivery.status != HandoverStatus.READY:
        return delivery
    backend = courier_backend()
    waybill = Waybill(
        reference=f"CW-D{delivery.id}", recipient_name=delivery.recipient_name, recipient_phone=delivery.recipient_phone or "",
        address=delivery.address or "", contents=f"{delivery.case.matter.name}办理结果",
    )
    tracking = backend.order(waybill)
    with transaction.atomic():
        case, locked = _locked(delivery.case_id)
        if locked is None or locked.status != HandoverStatus.READY:
            return locked or delivery
        _move(
            locked, to_status=HandoverStatus.POSTED, actor=None, actor_label=backend.label,
            note=f"已交{backend.label}寄出，运单号{tracking}", courier=backend.name, tracking_number=tracking, posted_at=timezone.now(),
        )
        notify(
            recipient=case.citizen, event="case.result_posted", case=case,
            context={"courier": backend.label, "tracking_number": tracking},
        )
    return locked


def deliveries_dispatch_due(*, batch: int = 100) -> int:
    """The periodic sweep behind the on-commit kick: post every result still waiting for a courier."""
    due = list(
        Delivery.objects.filter(method=DeliveryMethod.POST, status=HandoverStatus.READY).order_by("ready_at").values_list("id", flat=True)[:batch]
    )
    posted = 0
    for delivery_id in due:
        try:
            if delivery_dispatch(delivery_id=delivery_id).status == HandoverStatus.POSTED:
                posted += 1
        except CourierError as exc:
            logger.warning("delivery %s: courier refused (%s); tried again at the next sweep", delivery_id, exc)
    return posted


def _deliver(case: Case, delivery: Delivery, *, actor: User | None, actor_label: str, note: str, how: str, **fields: Any) -> None:
    """The result has reached the citizen: the delivery and the case both say so, and the citizen is told."""
    now = timezone.now()
    fields.setdefault("delivered_at", now)
    _move(delivery, to_status=HandoverStatus.DELIVERED, actor=actor, actor_label=actor_label, note=note, **fields)
    case_transition(case=case, to_status=CaseStatus.DELIVERED, actor=actor, actor_label=actor_label, note=note)
    notify(recipient=case.citizen, event="case.delivered", case=case, context={"how": how})
    # Central records that its result reached the applicant (issue #7): how and when, the waybill for post.
    payload = contract.CaseDelivered(
        number=case.number, method=DeliveryMethod(delivery.method), delivered_at=fields["delivered_at"],
        tracking_number=delivery.tracking_number if delivery.method == DeliveryMethod.POST else None,
    )
    outbox_enqueue(peer=peer_central(), payload=payload, actor=actor_label)


@transaction.atomic
def delivery_courier_update(*, courier: str, tracking_number: str, status: str, at: dt.datetime | None = None) -> Delivery:
    """The courier's status push for a waybill: ``in_transit`` is noted, ``delivered`` completes the
    delivery. A repeated push changes nothing."""
    found = Delivery.objects.filter(courier=courier, tracking_number=tracking_number).values_list("case_id", flat=True).first()
    if found is None:
        raise DomainError(_("未知运单号。"), code="not_found")
    case, delivery = _locked(found)
    assert delivery is not None  # found through it, and deliveries are never deleted (PROTECT)
    if status == "in_transit":
        DeliveryEvent.objects.create(delivery=delivery, actor_label=courier, from_status=delivery.status, to_status=delivery.status, note="运输中")
        return delivery
    if status != "delivered":
        raise DomainError(_("未知的运单状态 %(status)s。") % {"status": status}, code="invalid_status")
    if delivery.status == HandoverStatus.DELIVERED:
        return delivery
    if delivery.status != HandoverStatus.POSTED:
        raise Conflict(_("该运单尚未寄出。"), code="invalid_state")
    _deliver(
        case, delivery, actor=None, actor_label=courier, note=f"快递已妥投（运单号{tracking_number}）", how="邮寄妥投",
        delivered_at=at or timezone.now(),
    )
    return delivery


# --- Pickup at the window ---------------------------------------------------------------------------------


def _collector(case: Case, id_index: str) -> tuple[User | None, Authority | None, DomainError | None]:
    """Who holds this ID number, if not the applicant: a verified person collecting for them (代领), with the
    authority that lets them (apps/front/mandates: a mandate in force allowing collection, or a company's legal
    representative), or the refusal that says why not."""
    person = verified_citizens().filter(id_number_index=id_index).first()
    if person is None:
        return None, None, DomainError(
            _("证件号码与申请人不符，且持证人不是经申请人授权的代领人，不能领取。"), code="id_mismatch"
        )
    try:
        authority = authority_check(agent=person, principal=case.citizen, act=Act.COLLECT, case=case)
    except DomainError as refusal:
        if refusal.code == "no_mandate":
            refusal = DomainError(
                _("证件号码与申请人不符，且持证人不是经申请人授权的代领人，不能领取。"), code="id_mismatch"
            )
        return person, None, refusal
    return person, authority, None


def delivery_pickup(*, clerk: User, number: str, id_number: str) -> Delivery:
    """Hand the result over at the window: the ID number typed or read from the card is compared with
    the applicant's through the blind index, never shown or stored in clear. Another person's number is
    checked against the applicant's mandates (代领, DOMAIN.md §9): an authorised agent collects, recorded on
    the delivery and the receipt beside the applicant; anyone else is refused with the reason. A refused
    attempt is recorded. On success the case is DELIVERED and a 送达回执 with a verification code is issued."""
    staff_case = case_get_for_staff(user=clerk, number=number)
    try:
        parsed = idcard.parse(id_number)
    except idcard.InvalidIdNumber as exc:
        # The reason is govservice.lib.idcard's own sentence.
        raise DomainError(str(exc), code="invalid_id_number") from None
    refusal: DomainError | None = None
    with transaction.atomic():
        case, delivery = _locked(staff_case.id)
        if delivery is None or delivery.method != DeliveryMethod.PICKUP:
            raise Conflict(_("该办件未选择窗口领取。"), code="wrong_method")
        if delivery.status == HandoverStatus.DELIVERED:
            raise Conflict(_("该办件结果已领取。"), code="already_delivered")
        if delivery.status != HandoverStatus.READY:
            raise Conflict(_("办理结果尚未到达大厅。"), code="not_ready")
        index = id_number_index(parsed.value)
        if hmac.compare_digest(index, case.citizen.id_number_index or ""):
            receipt = _receipt_issue(case=case, delivery=delivery, clerk=clerk)
            _deliver(
                case, delivery, actor=clerk, actor_label=clerk.audit_label, note=f"窗口领取，已核验本人身份证件（回执{receipt.verification_code}）",
                how=f"在{case.hall.name}窗口领取", handed_over_by=clerk, receipt=receipt,
            )
            return delivery
        person, authority, refusal = _collector(case, index)
        if person is not None and authority is not None:
            who = "法定代表人" if authority.as_representative else "代领人"
            receipt = _receipt_issue(case=case, delivery=delivery, clerk=clerk, collector=person, collector_role=who)
            letter = f"，委托书{authority.mandate.number}" if authority.mandate is not None else ""
            _deliver(
                case, delivery, actor=clerk, actor_label=clerk.audit_label,
                note=f"窗口{who}领取：{person.real_name}，已核验其身份证件{letter}（回执{receipt.verification_code}）",
                how=f"由{who}{person.masked_name}在{case.hall.name}窗口领取", handed_over_by=clerk, receipt=receipt,
                collected_by=person,
            )
            mandate_act_record(
                mandate=authority.mandate, kind=EventKind.COLLECTED, actor=clerk, reference=case.number,
                note=f"{case.hall.name}窗口代领（回执{receipt.verification_code}）",
            )
            return delivery
        DeliveryEvent.objects.create(
            delivery=delivery, actor=clerk, actor_label=clerk.audit_label, from_status=delivery.status,
            to_status=delivery.status,
            note="领取人证件与申请人不符，未发放" + (f"（{person.real_name}：{refusal.code if refusal else ''}）" if person else ""),
        )
    assert refusal is not None
    raise refusal


def _receipt_issue(
    *, case: Case, delivery: Delivery, clerk: User, collector: User | None = None, collector_role: str = ""
) -> Document:
    """送达回执: what was handed over, to whom (masked ID, DOMAIN.md §8) — the applicant, or the person who
    collected for them beside the applicant — where, when and by whom; fixed at issue and verifiable by its
    code like every other document."""
    certificate = _certificate(case)
    post = StaffPost.objects.filter(user=clerk).select_related("window").first()
    now = timezone.localtime()
    content = {
        "number": case.number,
        "matter": case.matter.name,
        "department": case.matter.department.name,
        "result_title": certificate.content.get("title", "") if certificate else "",
        "licence_number": certificate.content.get("licence_number", "") if certificate else "",
        "hall": case.hall.name,
        "hall_address": case.hall.address,
        "window": str(post.window.number) if post and post.window else "",
        "applicant": case.citizen.real_name,
        "applicant_id": mask_id_public(case.citizen.id_number or ""),
        "method": str(DeliveryMethod.PICKUP.label),
        "id_checked": f"已核验{collector_role}居民身份证及授权" if collector is not None else "已核验本人居民身份证",
        "collector": collector.real_name if collector is not None else "",
        "collector_id": mask_id_public(collector.id_number or "") if collector is not None else "",
        "collector_role": collector_role,
        "delivered_at": now.strftime("%Y-%m-%d %H:%M"),
        "issued_on": now.date().isoformat(),
        "clerk": clerk.real_name or clerk.username,
    }
    return document_record(case=case, kind=DocumentKind.DELIVERY_RECEIPT, content=content, by=clerk)


# --- Electronic --------------------------------------------------------------------------------------------


@transaction.atomic
def delivery_downloaded(*, citizen: User, document: Document, by: User | None = None) -> None:
    """The owner (or ``by``, an agent collecting for them, their authority checked by apps/front/mandates) has
    downloaded the e-licence: for an electronic delivery that is the handover."""
    if document.case.citizen_id != citizen.id or document.kind != DocumentKind.CERTIFICATE:
        return
    case, delivery = _locked(document.case_id)
    if delivery is None or delivery.method != DeliveryMethod.ELECTRONIC or delivery.status != HandoverStatus.READY:
        return
    if case.status != CaseStatus.RESULT_READY:
        return
    if by is not None and by.pk != citizen.pk:
        _deliver(
            case, delivery, actor=by, actor_label="代领人", note=f"代领人 {by.real_name} 已下载电子证照", how="电子证照下载（代领）",
            collected_by=by,
        )
        return
    _deliver(case, delivery, actor=citizen, actor_label="申请人", note="申请人已下载电子证照", how="电子证照下载")


# --- Status lookup without an account ------------------------------------------------------------------


class LookupLocked(Throttled):
    default_code = "locked"


def case_lookup(*, number: str, password: str, ip: str) -> Case:
    """A case by number and query password (查询密码), for anyone holding both. The same answer whether
    the number exists or the password is wrong, so numbers cannot be probed; repeated failures lock the
    number and the address for a while (settings TRACK_*)."""
    number, password = number.strip().upper(), password.strip()
    if not number or not password:
        raise DomainError(_("请输入办件编号和查询密码。"), code="invalid")
    allowed, retry_after = hit("track:ip", ip, limit=delivery_conf.TRACK_RATE_PER_IP, window_seconds=delivery_conf.TRACK_RATE_WINDOW)
    if not allowed:
        raise LookupLocked(_("查询过于频繁，请%(seconds)s秒后再试。") % {"seconds": retry_after}, code="throttled")
    for scope, ident in (("track-number", number), ("track-ip", ip)):
        wait = lockout.locked_seconds(scope, ident)
        if wait:
            raise _locked_error(wait)
    case = case_for_lookup(number=number) if CASE_NUMBER_RE.match(number) else None
    if case is not None and check_password(password, case.query_password_hash):
        lockout.forget_failures("track-number", number)
        return case
    if case is None:
        make_password(password)  # the same work as a real check: no timing difference either
    window, lock = delivery_conf.TRACK_FAILURE_WINDOW, delivery_conf.TRACK_LOCKOUT_SECONDS
    locked = max(
        lockout.failure("track-number", number, limit=delivery_conf.TRACK_MAX_FAILURES, window_seconds=window, lock_seconds=lock),
        lockout.failure("track-ip", ip, limit=delivery_conf.TRACK_MAX_FAILURES_PER_IP, window_seconds=window, lock_seconds=lock),
    )
    if locked:
        raise _locked_error(locked)
    raise DomainError(_("办件编号或查询密码不正确。"), code="not_found")


def _locked_error(seconds: int) -> LookupLocked:
    minutes = max((seconds + 59) // 60, 1)
    return LookupLocked(_("查询失败次数过多，请%(minutes)s分钟后再试。") % {"minutes": minutes}, code="locked")


def delivery_courier_push(
    *, courier: str, signature: str, tracking_number: str, status: str, at: dt.datetime | None = None
) -> tuple[Delivery, bool]:
    """A verified courier push, applied once: the push is recorded by its message id (a digest of its
    signature) in the transaction that applies it, so a replay — or the same push twice at once — finds the
    record and changes nothing. Returns the delivery and whether this push was a repeat."""
    message_id = hashlib.sha256(f"{courier}\n{signature}".encode()).hexdigest()
    with transaction.atomic():
        try:
            with transaction.atomic():
                CourierPush.objects.create(courier=courier, message_id=message_id, tracking_number=tracking_number, status=status)
        except IntegrityError:
            delivery = Delivery.objects.filter(courier=courier, tracking_number=tracking_number).first()
            if delivery is None:  # a refused push leaves no record, so this cannot be
                raise DomainError(_("未知运单号。"), code="not_found") from None
            return delivery, True
        return delivery_courier_update(courier=courier, tracking_number=tracking_number, status=status, at=at), False
