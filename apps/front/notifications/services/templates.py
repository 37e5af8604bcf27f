"""Versioned message templates (GOV.UK Notify style), in Chinese and English.

The first wording of every (event, channel) comes from the code: ``apps/front/notifications/messages.py`` holds the
Chinese texts, marked for translation, and ``locale/en/LC_MESSAGES/django.po`` their English. On first
use (or with ``manage.py notification_templates``) that wording becomes version 1 in the database, both
languages in the same row. From then on the database is the store: an edit (admin, or
``template_version_create``) adds a version and never changes one, and each message records the version
it was rendered from — so "what exactly did we send" has one answer in either language.
"""

from __future__ import annotations

import logging
import string
from collections.abc import Mapping

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from apps.shared.accounts.models import User
from govservice.api import DomainError

from ..messages import MESSAGES
from ..models import Channel, Language, MessageTemplate, MessageTemplateVersion, TemplateSource

logger = logging.getLogger(__name__)

# Fields a template may use. Everything a template can show is listed here, and none of it is an ID
# number, a phone number or a full name (the name is always masked): DOMAIN.md §8.
CASE_FIELDS = frozenset(
    {
        "name",
        "number",
        "matter",
        "sentence",
        "next_step",
        "promised_date",
        "decision",
        "items",
        "intake_deadline",
        "correction",
        "correction_deadline",
        "procedure",
        "commitment",
        "commitment_deadline",
        "notice_answer_deadline",
    }
)


def seed_texts(event: str) -> tuple[str, str, str, str]:
    """(subject_zh, body_zh, subject_en, body_en) of an event as the code has it. English is empty when
    the catalogue has no translation yet (rendering then falls back to Chinese)."""
    subject, body = MESSAGES[event]
    with translation.override(Language.ZH_HANS):
        subject_zh, body_zh = str(subject), str(body)
    with translation.override(Language.EN):
        subject_en, body_en = str(subject), str(body)
    if body_en == body_zh:
        subject_en, body_en = "", ""
    return subject_zh, body_zh, subject_en, body_en


def template_current_version(*, event: str, channel: str) -> MessageTemplateVersion:
    """The latest version of an event's template on a channel, created from the code's texts on first
    use. Safe inside the caller's transaction and against a concurrent first use: INSERT … ON CONFLICT
    DO NOTHING waits for the other insert and then finds its row, instead of aborting the transaction."""
    if event not in MESSAGES and not MessageTemplate.objects.filter(event=event, channel=channel).exists():
        raise KeyError(f"no message text for event {event!r} (apps/front/notifications/messages.py)")
    version = (
        MessageTemplateVersion.objects.filter(template__event=event, template__channel=channel)
        .select_related("template")
        .order_by("-version")
        .first()
    )
    if version is not None:
        return version
    MessageTemplate.objects.bulk_create([MessageTemplate(event=event, channel=channel)], ignore_conflicts=True)
    template = MessageTemplate.objects.get(event=event, channel=channel)
    subject_zh, body_zh, subject_en, body_en = seed_texts(event)
    MessageTemplateVersion.objects.bulk_create(
        [
            MessageTemplateVersion(
                template=template,
                version=1,
                subject_zh=subject_zh,
                body_zh=body_zh,
                subject_en=subject_en,
                body_en=body_en,
                source=TemplateSource.CODE,
                note="代码默认文本",
            )
        ],
        ignore_conflicts=True,
    )
    return MessageTemplateVersion.objects.select_related("template").get(template=template, version=1)


def _check_placeholders(text: str, allowed: frozenset[str] | None) -> None:
    try:
        fields = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError as exc:
        raise DomainError(_("模板格式错误：%(error)s。") % {"error": exc}, code="template_invalid") from None
    for name in fields:
        if not name.isidentifier():
            raise DomainError(
                _("模板占位符“{%(name)s}”无效。") % {"name": name},
                code="template_invalid",
            )
        if allowed is not None and name not in allowed:
            raise DomainError(
                _("模板占位符“{%(name)s}”不可用，可用：%(allowed)s。")
                % {"name": name, "allowed": "、".join(sorted(allowed))},
                code="template_invalid",
            )


@transaction.atomic
def template_version_create(
    *,
    event: str,
    channel: str,
    subject_zh: str,
    body_zh: str,
    subject_en: str = "",
    body_en: str = "",
    author: User | None = None,
    note: str = "",
    source: str = TemplateSource.EDIT,
) -> MessageTemplateVersion:
    """Edit a template: adds the next version (the earlier ones stay as they were sent)."""
    template_texts_validate(
        event=event, channel=channel, subject_zh=subject_zh, body_zh=body_zh, subject_en=subject_en, body_en=body_en
    )
    MessageTemplate.objects.bulk_create([MessageTemplate(event=event, channel=channel)], ignore_conflicts=True)
    # Lock the template row: two editors saving at once get versions n+1 and n+2, not a clash.
    template = MessageTemplate.objects.select_for_update().get(event=event, channel=channel)
    last = template.versions.order_by("-version").values_list("version", flat=True).first() or 0
    return MessageTemplateVersion.objects.create(
        template=template,
        version=last + 1,
        subject_zh=subject_zh.strip(),
        body_zh=body_zh.strip(),
        subject_en=subject_en.strip(),
        body_en=body_en.strip(),
        source=source,
        author=author,
        note=note[:200],
    )


def template_texts_validate(
    *, event: str, channel: str, subject_zh: str, body_zh: str, subject_en: str = "", body_en: str = ""
) -> None:
    """Refuse (DomainError) a wording that could not be sent: no Chinese text, a malformed or unknown
    placeholder, English text without an English subject."""
    if channel not in Channel.values:
        raise DomainError(_("渠道无效。"), code="invalid_channel")
    if not body_zh.strip():
        raise DomainError(_("中文正文不能为空。"), code="template_invalid")
    if body_en.strip() and not subject_en.strip() and channel != Channel.SMS:
        raise DomainError(_("请填写英文标题。"), code="template_invalid")
    current = template_current_version(event=event, channel=channel) if event in MESSAGES else None
    # Placeholders an edit may use: the ones the current wording uses plus the case fields; an extra
    # one would render empty, which an editor should hear about now rather than from a citizen.
    allowed = (
        CASE_FIELDS
        | _placeholders(current.body_zh if current else "")
        | _placeholders(current.subject_zh if current else "")
    )
    for text in (subject_zh, body_zh, subject_en, body_en):
        _check_placeholders(text, allowed)


def _placeholders(text: str) -> frozenset[str]:
    try:
        return frozenset(name for _, name, _, _ in string.Formatter().parse(text) if name)
    except ValueError:
        return frozenset()


class _Blank(dict):
    """Missing fields render empty (and are logged by name) rather than failing the business
    transaction that sends the message."""

    def __init__(self, data: Mapping[str, str], event: str):
        super().__init__(data)
        self.event = event

    def __missing__(self, key: str) -> str:
        logger.warning("notification template of %s uses %r, which the sender did not give", self.event, key)
        return ""


def render(version: MessageTemplateVersion, *, language: str, context: Mapping[str, str]) -> tuple[str, str]:
    """(subject, body) of a version in ``language`` with the context filled in."""
    subject, body = version.texts(language)
    fields = _Blank(context, version.template.event)
    return subject.format_map(fields), body.format_map(fields)


def templates_sync(*, update: bool = False) -> list[MessageTemplateVersion]:
    """Create version 1 of every event × channel the code knows. With ``update``, also add a version
    where the code's wording changed and nobody edited the template since (an edit always wins)."""
    created = []
    for event in MESSAGES:
        for channel in Channel.values:
            exists = MessageTemplateVersion.objects.filter(template__event=event, template__channel=channel).exists()
            current = template_current_version(event=event, channel=channel)
            if not exists:
                created.append(current)
                continue
            if not update or current.source != TemplateSource.CODE:
                continue
            texts = seed_texts(event)
            if texts != (current.subject_zh, current.body_zh, current.subject_en, current.body_en):
                created.append(
                    template_version_create(
                        event=event,
                        channel=channel,
                        subject_zh=texts[0],
                        body_zh=texts[1],
                        subject_en=texts[2],
                        body_en=texts[3],
                        source=TemplateSource.CODE,
                        note="代码默认文本更新",
                    )
                )
    return created
