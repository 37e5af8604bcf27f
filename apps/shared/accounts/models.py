from __future__ import annotations

import uuid

import pghistory
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from govservice.lib import masking
from govservice.lib.fieldcrypto import EncryptedCharField


class Role(models.TextChoices):
    CITIZEN = "citizen", _("市民")
    CLERK = "clerk", _("窗口人员")
    HALL_SUPERVISOR = "hall_supervisor", _("大厅主管")
    APPROVER = "approver", _("审批人员")
    CENTRAL_SUPERVISOR = "central_supervisor", _("后台主管")
    ADMIN = "admin", _("系统管理员")
    # A legal person's account (法人账户): the applicant of the company's appointments and cases. Nobody signs
    # in with it (no usable password); its representative and its authorised 经办人 act for it with their own
    # accounts (apps/front/mandates).
    COMPANY = "company", _("法人")


class ApplicantKind(models.TextChoices):
    """Who applies (DOMAIN.md §9): a natural person, or a legal person through the people acting for it."""

    PERSON = "person", _("自然人")
    COMPANY = "company", _("法人")


class IdentityProof(models.TextChoices):
    REGISTRY = "registry", _("人口库比对")
    WINDOW = "window", _("窗口核验身份证")
    SEED = "seed", _("演示数据")
    # A legal person's account: its code, name and legal representative matched the register of companies.
    COMPANY_REGISTER = "company_register", _("企业登记信息比对")


STAFF_ROLES = frozenset({Role.CLERK, Role.HALL_SUPERVISOR, Role.APPROVER, Role.CENTRAL_SUPERVISOR, Role.ADMIN})


class User(AbstractUser):
    """One account table per site: a front user and a central user are different people's records.

    ID numbers and phones are encrypted at rest (Fernet) with a keyed blind index beside them for
    lookup and uniqueness (DOMAIN.md §8); the clear values never appear in a URL or a log line.
    """

    role = models.CharField(max_length=32, choices=Role.choices, default=Role.CITIZEN)
    real_name = models.CharField(_("姓名"), max_length=64, blank=True)
    # The account's 证件号码: a person's ID number; for a legal person's account (Role.COMPANY) its unified
    # social credit code (GB 32100, also 18 characters), so that every voucher, the wire's Applicant and the
    # pickup desk name the applicant by the number of its kind. Only citizens are ever found by it.
    id_number = EncryptedCharField(_("身份证号码"), max_length=18, blank=True, null=True)
    id_number_index = models.CharField(max_length=64, blank=True, editable=False)
    phone = EncryptedCharField(_("手机号码"), max_length=20, blank=True, null=True)
    phone_index = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    # On the credit blacklist (失信): 容缺受理 is not offered (DOMAIN.md §4).
    credit_restricted = models.BooleanField(_("信用受限"), default=False)
    # Real-name verification (DOMAIN.md §8: the ID number plus at least two verified items). The phone is
    # proved by an SMS code; name and ID number by the population registry, or at a hall window with the
    # ID card in hand. A citizen account is "verified" when both are set and it is active; only verified
    # accounts are found by ID number (selectors.citizen_verified_by_id_number).
    phone_verified_at = models.DateTimeField(_("手机号码核验时间"), null=True, blank=True)
    identity_verified_at = models.DateTimeField(_("实名核验时间"), null=True, blank=True)
    identity_verified_via = models.CharField(
        _("实名核验方式"), max_length=16, choices=IdentityProof.choices, blank=True, default=""
    )
    # A verified person took this account's ID number over at a window (AccountTakeover): the account is
    # inactive for good and keeps no claim on the ID number.
    frozen_at = models.DateTimeField(_("冻结时间"), null=True, blank=True)
    # When the password last changed: API tokens made before it no longer open anything (accounts/tokens.py).
    password_changed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(role__in=Role.values), name="user_role_valid"),
            # One verified account per real person. Unverified registrations of the same ID number may
            # exist side by side (whoever types a number first must not own it); the first to prove
            # themselves takes it, and the others can never be verified while it holds it.
            models.UniqueConstraint(
                fields=["id_number_index"],
                condition=~models.Q(id_number_index="") & models.Q(identity_verified_at__isnull=False),
                name="user_verified_id_number_unique",
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
    def is_company(self) -> bool:
        """A legal person's account (the applicant), never a person who signs in."""
        return self.role == Role.COMPANY

    @property
    def applicant_kind(self) -> str:
        return ApplicantKind.COMPANY if self.role == Role.COMPANY else ApplicantKind.PERSON

    @property
    def is_real_name_verified(self) -> bool:
        """Phone and identity both proved, and the account neither inactive nor frozen."""
        return bool(self.is_active and self.phone_verified_at and self.identity_verified_at and not self.frozen_at)

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


class ChallengePurpose(models.TextChoices):
    REGISTER = "register", _("注册")
    RESET = "reset", _("重置密码")
    # The principal confirms a power of attorney (委托书) they gave another person (apps/front/mandates).
    MANDATE = "mandate", _("确认授权委托")


class PhoneChallenge(models.Model):
    """One SMS one-time code (otp.py). Only a keyed hash of the code is kept; it is valid for
    OTP_TTL_SECONDS and OTP_MAX_ATTEMPTS wrong tries. The id is the opaque handle the person carries to the
    next step. A password reset for no account still gets a challenge (``user`` empty, nothing sent), so
    the answer never says whether an account exists."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    purpose = models.CharField(max_length=16, choices=ChallengePurpose.choices)
    user = models.ForeignKey(User, on_delete=models.CASCADE, null=True, blank=True, related_name="phone_challenges")
    code_hash = models.CharField(max_length=64)
    attempts = models.PositiveSmallIntegerField(default=0)
    sends = models.PositiveSmallIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(purpose__in=ChallengePurpose.values), name="challenge_purpose_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.purpose} {self.id}"


@pghistory.track(model_name="AccountTakeoverAudit")
class AccountTakeover(models.Model):
    """A person proved at a hall window, ID card in hand, that an ID number is theirs: the account that
    held it (registered by someone else) is frozen and what it held moved to the verified person. The row
    and its audit trail are the record; both people are told by SMS."""

    clerk = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    old_account = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    new_account = models.ForeignKey(User, on_delete=models.PROTECT, related_name="identity_takeovers")
    hall = models.CharField(max_length=100, blank=True)
    reason = models.CharField(max_length=200)
    # What moved, by owning app: {"booking.appointments": 2, "intake.cases": 1, ...}
    moved = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.new_account} ← {self.old_account} {self.created_at:%Y-%m-%d %H:%M}"
