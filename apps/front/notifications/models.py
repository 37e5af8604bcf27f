"""Notifications: versioned templates, one service, three channels, a delivery log (DOMAIN.md §7).

Modelled on GOV.UK Notify: a business event (case accepted…) is kept apart from the delivery of its
messages. Each message records the template version it was rendered from; each attempt to hand it to a
provider is one ``DeliveryAttempt`` row; the reference a provider sees is a random UUID, never personal data.
"""

from __future__ import annotations

import uuid

import pghistory
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    SMS = "sms", _("短信")
    EMAIL = "email", _("电子邮件")
    INBOX = "inbox", _("站内信")


class Language(models.TextChoices):
    ZH_HANS = "zh-hans", "简体中文"
    EN = "en", "English"


class DeliveryStatus(models.TextChoices):
    CREATED = "created", _("已创建")
    SENDING = "sending", _("发送中")
    DELIVERED = "delivered", _("已送达")
    PERMANENT_FAILURE = "permanent-failure", _("永久失败")
    TEMPORARY_FAILURE = "temporary-failure", _("暂时失败")
    TECHNICAL_FAILURE = "technical-failure", _("技术故障")


# The whole lifecycle in one place (DOMAIN.md §7); services and the gateway callback refuse anything not
# listed. A temporary or technical failure may still turn out delivered: a send that timed out can have
# reached the phone, and the gateway's late receipt must stop the retries (never send a delivered message
# again). Delivered and permanent failure are final.
DELIVERY_TRANSITIONS: dict[str, frozenset[str]] = {
    # Sent (claimed for its first attempt); an inbox message is created delivered, never moved there.
    DeliveryStatus.CREATED: frozenset({DeliveryStatus.SENDING}),
    DeliveryStatus.SENDING: frozenset(
        {
            DeliveryStatus.DELIVERED,
            DeliveryStatus.PERMANENT_FAILURE,
            DeliveryStatus.TEMPORARY_FAILURE,
            DeliveryStatus.TECHNICAL_FAILURE,
        }
    ),
    DeliveryStatus.TEMPORARY_FAILURE: frozenset({DeliveryStatus.SENDING, DeliveryStatus.DELIVERED}),
    DeliveryStatus.TECHNICAL_FAILURE: frozenset({DeliveryStatus.SENDING, DeliveryStatus.DELIVERED}),
    DeliveryStatus.DELIVERED: frozenset(),
    DeliveryStatus.PERMANENT_FAILURE: frozenset(),
}


class AttemptStatus(models.TextChoices):
    """One attempt's states: the message's, less "created" — an attempt exists only once it is being sent."""

    SENDING = DeliveryStatus.SENDING.value, DeliveryStatus.SENDING.label
    DELIVERED = DeliveryStatus.DELIVERED.value, DeliveryStatus.DELIVERED.label
    PERMANENT_FAILURE = DeliveryStatus.PERMANENT_FAILURE.value, DeliveryStatus.PERMANENT_FAILURE.label
    TEMPORARY_FAILURE = DeliveryStatus.TEMPORARY_FAILURE.value, DeliveryStatus.TEMPORARY_FAILURE.label
    TECHNICAL_FAILURE = DeliveryStatus.TECHNICAL_FAILURE.value, DeliveryStatus.TECHNICAL_FAILURE.label


# An attempt ends in one outcome; a failure that was not final may still turn out delivered (the gateway's late
# receipt). A retry is a new attempt, so an attempt never goes back to sending.
ATTEMPT_TRANSITIONS: dict[str, frozenset[str]] = {
    AttemptStatus.SENDING: frozenset(
        {
            AttemptStatus.DELIVERED,
            AttemptStatus.PERMANENT_FAILURE,
            AttemptStatus.TEMPORARY_FAILURE,
            AttemptStatus.TECHNICAL_FAILURE,
        }
    ),
    AttemptStatus.TEMPORARY_FAILURE: frozenset({AttemptStatus.DELIVERED}),
    AttemptStatus.TECHNICAL_FAILURE: frozenset({AttemptStatus.DELIVERED}),
    AttemptStatus.DELIVERED: frozenset(),
    AttemptStatus.PERMANENT_FAILURE: frozenset(),
}

# States a message can be (re)sent from.
SENDABLE_STATUSES = (DeliveryStatus.CREATED, DeliveryStatus.TEMPORARY_FAILURE, DeliveryStatus.TECHNICAL_FAILURE)


def can_transition(current: str, new: str) -> bool:
    return new in DELIVERY_TRANSITIONS.get(current, frozenset())


class TemplateSource(models.TextChoices):
    CODE = "code", _("代码默认文本")
    EDIT = "edit", _("人工编辑")


class MessageTemplate(models.Model):
    """The text of one business event on one channel. Its wording lives in versions: editing makes a
    new version, and every message records the version it used."""

    event = models.CharField(_("业务事件"), max_length=64)
    channel = models.CharField(_("渠道"), max_length=8, choices=Channel.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["event", "channel"]
        constraints = [
            models.UniqueConstraint(fields=["event", "channel"], name="message_template_event_channel_unique"),
            models.CheckConstraint(
                condition=models.Q(channel__in=Channel.values), name="message_template_channel_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} / {self.channel}"


class MessageTemplateVersion(models.Model):
    """One immutable wording of a template, in both languages. Both languages live in the row (not in a
    gettext catalogue) so that a version number says exactly what was sent, whatever the language."""

    template = models.ForeignKey(MessageTemplate, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField(_("版本"))
    subject_zh = models.CharField(_("标题（中文）"), max_length=200)
    body_zh = models.TextField(_("正文（中文）"))
    subject_en = models.CharField(_("标题（英文）"), max_length=200, blank=True)
    body_en = models.TextField(_("正文（英文）"), blank=True)
    source = models.CharField(max_length=8, choices=TemplateSource.choices, default=TemplateSource.EDIT)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.CharField(_("修改说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["template", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["template", "version"], name="message_template_version_unique"),
            models.CheckConstraint(condition=models.Q(version__gte=1), name="message_template_version_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.template} v{self.version}"

    def texts(self, language: str) -> tuple[str, str]:
        """(subject, body) in ``language``; Chinese when the English text is missing."""
        if language == Language.EN and self.body_en:
            return self.subject_en or self.subject_zh, self.body_en
        return self.subject_zh, self.body_zh


@pghistory.track(model_name="NotificationAudit")
class Notification(models.Model):
    """A message to one person on one channel about one business event. The ``reference`` given to a
    provider is a random UUID, never personal data; the gateway's delivery receipts come back with it."""

    TRANSITIONS = DELIVERY_TRANSITIONS

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    event = models.CharField(max_length=64)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    # The case the message is about, named by string: notifications sits below intake and imports nothing
    # of it (ARCHITECTURE.md). A string rather than a generic (content type, id) reference, because every
    # message that is about something is about a case: the foreign key keeps the database's integrity (SET NULL
    # when a case goes), the join for a case's messages and the audit trail's column, with no data to
    # move; a generic reference would give up all three for a flexibility nothing uses.
    case = models.ForeignKey(
        "intake.Case", on_delete=models.SET_NULL, null=True, blank=True, related_name="notifications"
    )
    template_version = models.ForeignKey(
        MessageTemplateVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="notifications"
    )
    language = models.CharField(max_length=8, choices=Language.choices, default=Language.ZH_HANS)
    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    urgent = models.BooleanField(default=False)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    status = models.CharField(max_length=24, choices=DeliveryStatus.choices, default=DeliveryStatus.CREATED)
    attempts = models.PositiveSmallIntegerField(default=0)
    # When the next attempt is due (also the end of quiet hours for a held message, or the lease of an
    # attempt in flight). NULL: nothing more will happen by itself (delivered, final, awaiting a receipt).
    next_attempt_at = models.DateTimeField(null=True, blank=True, default=timezone.now)
    last_error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=DeliveryStatus.values), name="notification_status_valid"
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="notification_due_idx",
                condition=models.Q(next_attempt_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.channel} ({self.status})"

    @property
    def awaits_first_send(self) -> bool:
        """Not tried yet (held for the end of quiet hours, or just queued)."""
        return self.status == DeliveryStatus.CREATED

    @property
    def is_final(self) -> bool:
        return self.status in (DeliveryStatus.DELIVERED, DeliveryStatus.PERMANENT_FAILURE) or (
            self.status != DeliveryStatus.SENDING and self.next_attempt_at is None
        )


class DeliveryAttempt(models.Model):
    """One try at handing a message to its provider, and what became of it (the delivery log)."""

    TRANSITIONS = ATTEMPT_TRANSITIONS

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="delivery_attempts")
    number = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=24, choices=AttemptStatus.choices, default=AttemptStatus.SENDING)
    # The provider's own id for the message, as it answered (not ours, and never personal data of ours).
    provider_reference = models.CharField(max_length=100, blank=True)
    error = models.CharField(max_length=200, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    # When the gateway's delivery receipt (callback) reported the final outcome of this attempt.
    reported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["notification", "number"]
        constraints = [
            models.UniqueConstraint(fields=["notification", "number"], name="delivery_attempt_number_unique"),
            models.CheckConstraint(
                condition=models.Q(status__in=AttemptStatus.values), name="delivery_attempt_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.notification_id} attempt {self.number} ({self.status})"


class GatewayCallback(models.Model):
    """A delivery receipt received from the SMS gateway, kept by its message id: a repeated callback gets
    the first answer and changes nothing."""

    message_id = models.CharField(max_length=100, unique=True)
    body_digest = models.CharField(max_length=64)
    notification = models.ForeignKey(Notification, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField(default=dict)
    received_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.message_id} → {self.status_code}"


@pghistory.track(model_name="NotificationPreferenceAudit")
class NotificationPreference(models.Model):
    """The citizen's channel choices and language. The in-app inbox is always on: it is where every
    message can be found again, and it disturbs no one."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    sms = models.BooleanField(_("短信通知"), default=True)
    email = models.BooleanField(_("电子邮件通知"), default=True)
    language = models.CharField(_("通知语言"), max_length=8, choices=Language.choices, default=Language.ZH_HANS)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(language__in=Language.values), name="notification_preference_language_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: sms={self.sms} email={self.email} {self.language}"
