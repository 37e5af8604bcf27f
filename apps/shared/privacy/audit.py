"""The audit trail's retention (django-pghistory): every audit table's rows are a record of processing, kept
RETENTION_AUDIT_EVENTS_DAYS (PIPL Art. 56: at least three years), except the tables a kind of record takes
for itself (a case file's trail stays with the case file: registry.RecordKind.audit_models). The contexts the
rows point at (who acted, from which page) go once no row of any audit table points at them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pghistory.models
from django.apps import apps
from django.db import models
from django.db.models import Exists, OuterRef
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from . import registry

THREE_YEARS = 3 * 365
BASIS = _("个人信息保护法第五十六条：处理情况记录至少保存三年")


def event_models() -> list[type[pghistory.models.Event]]:
    """The concrete audit tables of this site."""
    return [
        model
        for model in apps.get_models()
        if issubclass(model, pghistory.models.Event)
        and model._meta.managed
        and not model._meta.proxy
        and not model._meta.abstract
    ]


def _events_due(model: type[models.Model]):
    def due(cutoff: dt.datetime) -> models.QuerySet[Any]:
        return model._default_manager.filter(pgh_created_at__lt=cutoff)

    due.__qualname__ = f"audit_due_{model._meta.label_lower}"
    return due


def _contexts_due(cutoff: dt.datetime) -> models.QuerySet[Any]:
    contexts = pghistory.models.Context.objects.filter(updated_at__lt=cutoff)
    for model in event_models():
        contexts = contexts.exclude(Exists(model._default_manager.filter(**{"pgh_context_id": OuterRef("pk")})))
    return contexts


def register_audit_kinds() -> None:
    claimed = registry.claimed_audit_models()
    for model in event_models():
        if model in claimed:
            continue
        registry.register_kind(
            registry.RecordKind(
                key=f"audit.{model._meta.label_lower}",
                label=format_lazy("{}{}", _("审计记录："), model._meta.verbose_name),
                knob="RETENTION_AUDIT_EVENTS_DAYS",
                action=registry.Action.DELETE,
                due=_events_due(model),
                basis=BASIS,
                minimum_days=THREE_YEARS,
            )
        )
    registry.register_kind(
        registry.RecordKind(
            key="audit.contexts",
            label=_("审计记录的操作上下文"),
            knob="RETENTION_AUDIT_EVENTS_DAYS",
            action=registry.Action.DELETE,
            due=_contexts_due,
            basis=BASIS,
            minimum_days=THREE_YEARS,
        )
    )
