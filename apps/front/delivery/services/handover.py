"""How a delivery changes, whatever the way the citizen chose (DOMAIN.md §5, §8): the locked read, the
lifecycle's guarded move with its event row, the result arriving at the front, the handover that completes the
delivery and the case, and the e-licence download that is the electronic handover.

Lock order, everywhere: the case row, then its delivery row.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from apps.front.delivery.conf import delivery_conf
from apps.front.intake.models import Case, CaseStatus, Document, DocumentKind
from apps.front.intake.selectors import case_central
from apps.front.intake.services import case_transition
from apps.front.notifications.services import notify
from apps.shared.accounts.models import User
from apps.shared.exchange import contract
from apps.shared.exchange.services import outbox_enqueue
from govservice.lib import lifecycle
from govservice.lib.tasks import enqueue_on_commit

from ..models import Delivery, DeliveryMethod, HandoverStatus


def _move(
    delivery: Delivery, *, to_status: str, actor: User | None, actor_label: str = "", note: str = "", **fields: Any
) -> None:
    """The lifecycle's guarded move (govservice.lib.lifecycle), with an event row."""
    lifecycle.move(
        delivery,
        to_status,
        fields=fields,
        event={"actor": actor, "actor_label": actor_label, "note": note},
        refused=_("送达状态不能从“%(status)s”变更。") % {"status": delivery.get_status_display()},
        stale=_("送达状态已被他人更改，请刷新。"),
    )


def _locked(case_id: int) -> tuple[Case, Delivery | None]:
    case = Case.objects.select_for_update(of=("self",)).select_related("citizen", "matter", "hall").get(id=case_id)
    return case, Delivery.objects.select_for_update().filter(case=case).first()


def _deliver(
    case: Case,
    delivery: Delivery,
    *,
    actor: User | None,
    actor_label: str,
    note: str,
    how: str | Promise,
    **fields: Any,
) -> None:
    """The result has reached the citizen: the delivery and the case both say so, and the citizen is told."""
    now = timezone.now()
    fields.setdefault("delivered_at", now)
    _move(delivery, to_status=HandoverStatus.DELIVERED, actor=actor, actor_label=actor_label, note=note, **fields)
    case_transition(case=case, to_status=CaseStatus.DELIVERED, actor=actor, actor_label=actor_label, note=note)
    notify(recipient=case.citizen, event="case.delivered", case=case, context={"how": how})
    # Central records that its result reached the applicant (issue #7): how and when, the waybill for post.
    payload = contract.CaseDelivered(
        number=case.number,
        method=DeliveryMethod(delivery.method),
        delivered_at=fields["delivered_at"],
        tracking_number=delivery.tracking_number if delivery.method == DeliveryMethod.POST else None,
    )
    outbox_enqueue(peer=case_central(case), payload=payload, actor=actor_label)


# --- The result arrives at the front --------------------------------------------------------------------


def delivery_result_arrived(*, case: Case, title: str) -> Delivery:
    """The certificate has reached the front (inside the exchange handler's transaction, the case row
    locked): hand it over the way the citizen chose, electronic if they chose nothing."""
    delivery = Delivery.objects.select_for_update().filter(case=case).first()
    if delivery is None:
        delivery = Delivery.objects.create(case=case, method=delivery_conf.DELIVERY_DEFAULT_METHOD)
    if delivery.status != HandoverStatus.CHOSEN:
        return delivery
    _move(
        delivery,
        to_status=HandoverStatus.READY,
        actor=None,
        actor_label="系统",
        note=f"{title}已到达",
        ready_at=timezone.now(),
    )
    if delivery.method == DeliveryMethod.PICKUP:
        notify(
            recipient=case.citizen,
            event="case.result_ready_pickup",
            case=case,
            context={"hall": case.hall.name, "hall_address": case.hall.address},
        )
    elif delivery.method == DeliveryMethod.POST:
        from ..tasks import delivery_dispatch as delivery_dispatch_task  # tasks import services

        # Broker down: the periodic sweep (deliveries_dispatch_due) orders the courier.
        enqueue_on_commit(delivery_dispatch_task, delivery.id)
    else:
        notify(recipient=case.citizen, event="case.result_ready", case=case)
    return delivery


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
            case,
            delivery,
            actor=by,
            actor_label="代领人",
            note=f"代领人 {by.real_name} 已下载电子证照",
            how=pgettext_lazy("how delivered", "电子证照下载（代领）"),
            collected_by=by,
        )
        return
    _deliver(
        case,
        delivery,
        actor=citizen,
        actor_label="申请人",
        note="申请人已下载电子证照",
        how=pgettext_lazy("how delivered", "电子证照下载"),
    )
