"""Records of the personal-information lifecycle: consents given, exports made, accounts deleted and runs of
the retention job. The records themselves (appointments, cases, …) belong to their apps."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ConsentPurpose(models.TextChoices):
    # DOMAIN.md §9 数据共享: a query about a person needs their consent unless the law requires it.
    REGISTRY_CHECK = "registry_check", _("实名核验：向人口信息库核验姓名与身份证号码")
    VAULT_REUSE = "vault_reuse", _("调取证照库材料用于办件")


class Channel(models.TextChoices):
    WEB = "web", _("网页")
    API = "api", _("接口")
    WINDOW = "window", _("大厅窗口")


class Consent(models.Model):
    """One consent given (PIPL Art. 14: informed, voluntary and explicit): who, for what, when, on which
    version of the text they were shown (consents.py keeps every version's text), where, and what it was about.
    At a window the clerk records the consent the applicant gave in person (``recorded_by``)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("用途"), max_length=32, choices=ConsentPurpose.choices)
    version = models.CharField(_("告知文本版本"), max_length=16)
    channel = models.CharField(_("渠道"), max_length=8, choices=Channel.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The registration, or the case the shared data went into.
    reference = models.CharField(_("业务编号"), max_length=64, blank=True)
    given_at = models.DateTimeField(_("同意时间"), default=timezone.now)
    # The account was deleted (PIPL Art. 15: processing on consent ends with it); the row stays as proof.
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)

    class Meta:
        ordering = ["-given_at", "-id"]
        verbose_name = _("授权同意")
        verbose_name_plural = _("授权同意")
        constraints = [
            models.CheckConstraint(condition=models.Q(purpose__in=ConsentPurpose.values), name="consent_purpose_valid"),
            models.CheckConstraint(condition=models.Q(channel__in=Channel.values), name="consent_channel_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.purpose} v{self.version} {self.given_at:%Y-%m-%d %H:%M}"


class DataExport(models.Model):
    """A citizen downloaded what is held about them (PIPL Art. 45): when, how, how big."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    format = models.CharField(max_length=8)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    size = models.PositiveIntegerField()

    class Meta:
        ordering = ["-at"]
        verbose_name = _("个人信息导出记录")
        verbose_name_plural = _("个人信息导出记录")

    def __str__(self) -> str:
        return f"{self.user_id} {self.format} {self.at:%Y-%m-%d %H:%M}"


class AccountDeletion(models.Model):
    """An account deleted at its owner's request (PIPL Art. 47): the account row stays, emptied of the person
    (case files point at it, as the law keeps them), and this row says when and what each app erased."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="privacy_deletion")
    at = models.DateTimeField(default=timezone.now)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    erased = models.JSONField(default=dict)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("账户注销记录")
        verbose_name_plural = _("账户注销记录")

    def __str__(self) -> str:
        return f"{self.user_id} {self.at:%Y-%m-%d %H:%M}"


class RetentionRun(models.Model):
    """One run of the retention job: rows deleted or anonymised per kind of record (or due, in a dry run)."""

    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    dry_run = models.BooleanField(default=False)
    # False when the run stopped at PRIVACY_RUN_MAX_SECONDS; the next run goes on.
    complete = models.BooleanField(default=True)
    counts = models.JSONField(default=dict)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("保存期限清理记录")
        verbose_name_plural = _("保存期限清理记录")

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} {sum(self.counts.values())}"
