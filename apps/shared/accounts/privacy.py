"""What accounts holds about people, for the personal-information lifecycle (apps/shared/privacy): the SMS
challenges, registrations never verified, the log of ID reveals, sign-in records, sessions and tokens; the
account in a citizen's export; and the account itself, emptied last when its owner deletes it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.sessions.models import Session
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from knox.models import AuthToken

from apps.shared.privacy import registry
from apps.shared.privacy.registry import Action, RecordKind

from .models import AccountTakeover, PersonalDataAccess, PhoneChallenge, Role, User
from .services import ANONYMISED_USERNAME, account_erase

PIPL_19 = _("个人信息保护法第十九条：保存期限为实现处理目的所必要的最短时间")
PIPL_56 = _("个人信息保护法第五十六条：处理情况记录至少保存三年")
NETWORK_LOG = _("网络安全法第二十一条：网络日志留存不少于六个月")


def challenges_due(cutoff: dt.datetime) -> QuerySet[PhoneChallenge]:
    """SMS challenges expired before the cutoff (used or not: a code opens nothing once expired)."""
    return PhoneChallenge.objects.filter(expires_at__lt=cutoff)


def pending_accounts_due(cutoff: dt.datetime) -> QuerySet[User]:
    """Registrations never verified and never used, made before the cutoff: inactive citizen accounts whose
    identity was never proved, never signed in, neither frozen by a takeover nor a deleted account's row."""
    return User.objects.filter(
        role=Role.CITIZEN,
        is_active=False,
        identity_verified_at__isnull=True,
        frozen_at__isnull=True,
        last_login__isnull=True,
        date_joined__lt=cutoff,
        privacy_deletion__isnull=True,
    ).exclude(username=ANONYMISED_USERNAME)


def data_access_log_due(cutoff: dt.datetime) -> QuerySet[PersonalDataAccess]:
    return PersonalDataAccess.objects.filter(viewed_at__lt=cutoff)


def login_attempts_due(cutoff: dt.datetime) -> QuerySet[AccessAttempt]:
    return AccessAttempt.objects.filter(attempt_time__lt=cutoff)


def login_failures_due(cutoff: dt.datetime) -> QuerySet[AccessFailureLog]:
    return AccessFailureLog.objects.filter(attempt_time__lt=cutoff)


def login_log_due(cutoff: dt.datetime) -> QuerySet[AccessLog]:
    return AccessLog.objects.filter(attempt_time__lt=cutoff)


def sessions_due(cutoff: dt.datetime) -> QuerySet[Session]:
    return Session.objects.filter(expire_date__lt=cutoff)


def tokens_due(cutoff: dt.datetime) -> QuerySet[AuthToken]:
    return AuthToken.objects.filter(expiry__lt=cutoff)


for kind in (
    RecordKind(
        "accounts.phone_challenges",
        _("短信验证码记录"),
        "RETENTION_PHONE_CHALLENGES_DAYS",
        Action.DELETE,
        challenges_due,
        PIPL_19,
    ),
    RecordKind(
        "accounts.pending_accounts",
        _("未完成实名核验的注册"),
        "RETENTION_PENDING_ACCOUNTS_DAYS",
        Action.DELETE,
        pending_accounts_due,
        _("个人信息保护法第四十七条：处理目的无法实现的，应当删除"),
    ),
    RecordKind(
        "accounts.data_access_log",
        _("查看完整证件号码的记录"),
        "RETENTION_DATA_ACCESS_LOG_DAYS",
        Action.DELETE,
        data_access_log_due,
        PIPL_56,
        minimum_days=3 * 365,
    ),
    RecordKind(
        "accounts.login_attempts",
        _("登录失败与锁定记录"),
        "RETENTION_LOGIN_RECORDS_DAYS",
        Action.DELETE,
        login_attempts_due,
        NETWORK_LOG,
        minimum_days=180,
    ),
    RecordKind(
        "accounts.login_failures",
        _("登录失败日志"),
        "RETENTION_LOGIN_RECORDS_DAYS",
        Action.DELETE,
        login_failures_due,
        NETWORK_LOG,
        minimum_days=180,
    ),
    RecordKind(
        "accounts.login_log",
        _("登录日志"),
        "RETENTION_LOGIN_RECORDS_DAYS",
        Action.DELETE,
        login_log_due,
        NETWORK_LOG,
        minimum_days=180,
    ),
    RecordKind(
        "accounts.sessions",
        _("已过期的登录会话"),
        "RETENTION_EXPIRED_SESSIONS_DAYS",
        Action.DELETE,
        sessions_due,
        PIPL_19,
    ),
    RecordKind(
        "accounts.api_tokens",
        _("已过期的接口令牌"),
        "RETENTION_EXPIRED_SESSIONS_DAYS",
        Action.DELETE,
        tokens_due,
        PIPL_19,
    ),
):
    registry.register_kind(kind)


def export_account(user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "real_name": user.real_name,
        "id_number": user.id_number or "",
        "phone": user.phone or "",
        "email": user.email,
        "date_joined": user.date_joined,
        "last_login": user.last_login,
        "phone_verified_at": user.phone_verified_at,
        "identity_verified_at": user.identity_verified_at,
        "identity_verified_via": user.identity_verified_via,
        "api_tokens": [
            {"id": token.token_key, "created": token.created, "expiry": token.expiry}
            for token in AuthToken.objects.filter(user=user).order_by("-created")
        ],
    }


def export_data_access_log(user: User) -> list[dict[str, Any]]:
    """Who viewed my ID number in clear, when and why (DOMAIN.md §8)."""
    return [
        {
            "viewed_at": row.viewed_at,
            "viewer": row.viewer.display_name,
            "reason": row.reason,
            "case_reference": row.case_reference,
        }
        for row in PersonalDataAccess.objects.filter(subject=user).select_related("viewer")
    ]


def export_takeovers(user: User) -> list[dict[str, Any]]:
    return [
        {
            "at": row.created_at,
            "hall": row.hall,
            "this_account": "verified" if row.new_account_id == user.pk else "frozen",
            "moved": row.moved,
        }
        for row in AccountTakeover.objects.filter(Q(new_account=user) | Q(old_account=user))
    ]


registry.register_export("account", export_account)
registry.register_export("data_access_log", export_data_access_log)
registry.register_export("identity_takeovers", export_takeovers)
# Last: the account is emptied after every app detached what it holds.
registry.register_eraser("accounts", account_erase, order=1000)
