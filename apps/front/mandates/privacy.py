"""What the mandates app holds about people, for the personal-information lifecycle (apps/shared/privacy).

* **Mandates** (授权委托书) with their letters (the generated PDF or the scanned paper letter) and the record
  of every act done under them: evidence of who acted for whom in the cases of the principal, kept as long as
  those case files (RETENTION_CASE_FILES_DAYS, 30 years) counted from the mandate's end (revoked, or its last
  valid day); then deleted with their letters.
* **Unconfirmed electronic 委托书** the principal never confirmed by SMS: nothing was ever done under them;
  deleted after RETENTION_UNCONFIRMED_MANDATES_DAYS.
* A **company** (法人) is the legal person's registration, not data about a natural person held for a
  service: it is kept while the company uses the platform (tests/shared/privacy lists it with that reason).

The citizen's export lists the mandates they gave and hold, with what was done under them. An account that
represents a company cannot be deleted (the company would be left without anyone to act for it); deleting an
account revokes the mandates it gave or holds."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.shared.accounts.models import User
from apps.shared.privacy import registry
from apps.shared.privacy.registry import Action, RecordKind
from govservice.lib.errors import Conflict

from .models import EventKind, Mandate, MandateEvent, MandateStatus

ARCHIVES = gettext_lazy("委托书及代办记录随所办理的办件档案保存（档案法：办件档案定期30年），自授权终止之日起算")
PIPL_19 = gettext_lazy("个人信息保护法第十九条：保存期限为实现处理目的所必要的最短时间")


def ended_due(cutoff: dt.datetime) -> QuerySet[Mandate]:
    """Mandates that ended before the cutoff: revoked then, or past their last valid day."""
    return Mandate.objects.filter(
        Q(status=MandateStatus.REVOKED, revoked_at__lt=cutoff)
        | Q(status=MandateStatus.ACTIVE, valid_until__lt=timezone.localdate(cutoff))
    )


def unconfirmed_due(cutoff: dt.datetime) -> QuerySet[Mandate]:
    return Mandate.objects.filter(status=MandateStatus.PENDING, created_at__lt=cutoff)


def delete_with_letters(pks: list[Any]) -> int:
    mandates = list(Mandate.objects.filter(pk__in=pks))
    for mandate in mandates:
        if mandate.letter.name:
            mandate.letter.storage.delete(mandate.letter.name)
    return Mandate.objects.filter(pk__in=pks).delete()[1].get(Mandate._meta.label, 0)


for kind in (
    RecordKind(
        "mandates.mandates",
        gettext_lazy("授权委托书及代办记录"),
        "RETENTION_CASE_FILES_DAYS",
        Action.DELETE,
        ended_due,
        ARCHIVES,
        apply=delete_with_letters,
        covers=(MandateEvent,),
        minimum_days=30 * 365,
    ),
    RecordKind(
        "mandates.unconfirmed",
        gettext_lazy("未确认的电子委托书"),
        "RETENTION_UNCONFIRMED_MANDATES_DAYS",
        Action.DELETE,
        unconfirmed_due,
        PIPL_19,
        apply=delete_with_letters,
        covers=(MandateEvent,),
    ),
):
    registry.register_kind(kind)


def represents_guard(user: User) -> None:
    names = list(user.companies_represented.values_list("name", flat=True)[:3])
    if names:
        raise Conflict(
            _("您是%(names)s的法定代表人，请先到大厅窗口办理法人账户变更后再注销个人账户。")
            % {"names": "、".join(names)},
            code="represents_company",
        )


def export_mandates(user: User) -> dict[str, Any]:
    def row(m: Mandate) -> dict[str, Any]:
        return {
            "number": m.number,
            "kind": m.kind,
            "principal": m.principal.real_name,
            "agent": m.agent.real_name,
            "matters": list(m.matter_codes),
            "all_matters": m.all_matters,
            "case": m.case.number if m.case is not None else "",
            "may_apply": m.may_apply,
            "may_collect": m.may_collect,
            "valid_from": m.valid_from,
            "valid_until": m.valid_until,
            "form": m.form,
            "status": m.status,
            "revoked_at": m.revoked_at,
            "acts": [{"kind": e.kind, "reference": e.reference, "note": e.note, "at": e.at} for e in m.events.all()],
        }

    related = ("principal", "agent", "case")
    return {
        "given": [
            row(m) for m in Mandate.objects.filter(principal=user).select_related(*related).prefetch_related("events")
        ],
        "held": [
            row(m) for m in Mandate.objects.filter(agent=user).select_related(*related).prefetch_related("events")
        ],
    }


def erase(user: User) -> dict[str, int]:
    """The account goes: the mandates it gave or holds end now (their record stays with the case files)."""
    now = timezone.now()
    ended = 0
    for mandate in Mandate.objects.filter(
        Q(principal=user) | Q(agent=user), status__in=[MandateStatus.PENDING, MandateStatus.ACTIVE]
    ):
        from_status = mandate.status
        if Mandate.objects.filter(id=mandate.id, status=from_status).update(
            status=MandateStatus.REVOKED, revoked_at=now, revoke_reason="账户注销", updated_at=now
        ):
            MandateEvent.objects.create(
                mandate=mandate,
                kind=EventKind.REVOKED,
                from_status=from_status,
                to_status=MandateStatus.REVOKED,
                note="账户注销，授权终止",
            )
            ended += 1
    return {"mandates_revoked": ended}


registry.register_guard(represents_guard)
registry.register_export("mandates", export_mandates)
registry.register_eraser("mandates", erase)
