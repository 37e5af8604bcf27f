from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from encrypted_fields.fields import EncryptedCharField

from govservice.lib import masking


class Role(models.TextChoices):
    CITIZEN = "citizen", _("市民")
    CLERK = "clerk", _("窗口人员")
    HALL_SUPERVISOR = "hall_supervisor", _("大厅主管")
    APPROVER = "approver", _("审批人员")
    CENTRAL_SUPERVISOR = "central_supervisor", _("后台主管")
    ADMIN = "admin", _("系统管理员")


STAFF_ROLES = frozenset({Role.CLERK, Role.HALL_SUPERVISOR, Role.APPROVER, Role.CENTRAL_SUPERVISOR, Role.ADMIN})


class User(AbstractUser):
    """One account table per site: a front user and a central user are different people's records.

    ID numbers and phones are encrypted at rest (Fernet) with a keyed blind index beside them for
    lookup and uniqueness (DOMAIN.md §8); the clear values never appear in a URL or a log line.
    """

    role = models.CharField(max_length=32, choices=Role.choices, default=Role.CITIZEN)
    real_name = models.CharField(_("姓名"), max_length=64, blank=True)
    id_number = EncryptedCharField(_("身份证号码"), max_length=18, blank=True, null=True)
    id_number_index = models.CharField(max_length=64, blank=True, editable=False)
    phone = EncryptedCharField(_("手机号码"), max_length=20, blank=True, null=True)
    phone_index = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    # On the credit blacklist (失信): 容缺受理 is not offered (DOMAIN.md §4).
    credit_restricted = models.BooleanField(_("信用受限"), default=False)
    # When the password last changed: API tokens made before it no longer open anything (accounts/tokens.py).
    password_changed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(role__in=Role.values), name="user_role_valid"),
            # One account per real person.
            models.UniqueConstraint(
                fields=["id_number_index"], condition=~models.Q(id_number_index=""), name="user_id_number_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.username

    def set_password(self, raw_password: str | None) -> None:
        """Every way a password changes (page, reset, admin, command) passes here: the old tokens end."""
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()

    @property
    def is_citizen(self) -> bool:
        return self.role == Role.CITIZEN

    @property
    def display_name(self) -> str:
        return self.real_name or self.username

    @property
    def audit_label(self) -> str:
        """Who acted, for the other site's records: role, name and account, never personal numbers."""
        return f"{self.get_role_display()} {self.real_name} ({self.username})".strip()

    @property
    def masked_id(self) -> str:
        return masking.mask_id_staff(self.id_number) if self.id_number else ""

    @property
    def masked_phone(self) -> str:
        return masking.mask_phone(self.phone) if self.phone else ""

    @property
    def masked_name(self) -> str:
        return masking.mask_name(self.real_name)


class PersonalDataAccess(models.Model):
    """Every view of a clear ID number: who, when, whose, which case, why (DOMAIN.md §8).

    Citizens may see who looked at their file.
    """

    viewer = models.ForeignKey(User, on_delete=models.PROTECT, related_name="pii_views")
    subject = models.ForeignKey(User, on_delete=models.PROTECT, related_name="pii_viewed_by")
    case_reference = models.CharField(max_length=64, blank=True)
    reason = models.CharField(max_length=200)
    viewed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-viewed_at"]

    def __str__(self) -> str:
        return f"{self.viewer} → {self.subject} {self.viewed_at:%Y-%m-%d %H:%M}"
