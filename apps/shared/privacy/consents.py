"""Consent where personal data is shared (DOMAIN.md §9 数据共享; PIPL Art. 14 and 23).

Each purpose has the text the person is shown, with a version: a consent row names the version it was given
on, and every version's text stays here (change a text by adding a version, never by editing one), so that
what someone agreed to can always be read back. The check is the server's: a service that shares data calls
``consent_require`` with what the person ticked, and records the consent in the same transaction as the act.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from govservice.lib.errors import DomainError

from .models import Channel, Consent, ConsentPurpose

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class ConsentText:
    purpose: str
    version: str
    text: StrOrPromise


TEXTS: dict[tuple[str, str], ConsentText] = {
    (text.purpose, text.version): text
    for text in (
        ConsentText(
            ConsentPurpose.REGISTRY_CHECK,
            "2026.1",
            gettext_lazy(
                "我同意将本人的姓名和公民身份号码通过加密通道提交人口信息库核验，仅用于实名注册；"
                "核验只返回“一致”或“不一致”，核验记录按规定保存三年。"
            ),
        ),
        ConsentText(
            ConsentPurpose.VAULT_REUSE,
            "2026.1",
            gettext_lazy(
                "申请人同意窗口调取其证照库中的证照和已核验材料用于本次办件，"
                "并随办件报送审批部门，不再重复提交纸质材料。"
            ),
        ),
        # Issue 15: the same consent given online by the applicant (网上申报), not only at a window.
        ConsentText(
            ConsentPurpose.VAULT_REUSE,
            "2026.2",
            gettext_lazy(
                "申请人同意受理机构（窗口或网上预审）调取其证照库中的证照和已核验材料用于本次办件，"
                "并随办件报送审批部门，不再重复提交。"
            ),
        ),
    )
}
# The version shown now, per purpose.
CURRENT: dict[str, str] = {ConsentPurpose.REGISTRY_CHECK: "2026.1", ConsentPurpose.VAULT_REUSE: "2026.2"}


def current_text(purpose: str) -> ConsentText:
    return TEXTS[(purpose, CURRENT[purpose])]


def text_of(consent: Consent) -> str:
    found = TEXTS.get((consent.purpose, consent.version))
    return str(found.text) if found else ""


class ConsentRequired(DomainError):
    default_code = "consent_required"


def consent_require(*, given: bool, purpose: str) -> None:
    """Refuse to go on without the person's consent (the box they must tick)."""
    if not given:
        if purpose == ConsentPurpose.VAULT_REUSE:
            message = _("调取证照库中的材料须经申请人同意，请勾选申请人的授权。")
        else:
            message = _("请阅读并同意实名核验的个人信息处理说明。")
        raise ConsentRequired(message, code="consent_required")


def consent_record(
    *, user: Any, purpose: str, channel: str = Channel.WEB, reference: str = "", recorded_by: Any = None
) -> Consent:
    """Record a consent on the current version of its text, in the caller's transaction."""
    return Consent.objects.create(
        user=user,
        purpose=purpose,
        version=CURRENT[purpose],
        channel=channel,
        reference=reference[:64],
        recorded_by=recorded_by,
    )


def consents_for(user: Any) -> list[dict[str, Any]]:
    """A person's consents with the text each was given on, newest first."""
    return [
        {
            "purpose": consent.purpose,
            "purpose_label": str(consent.get_purpose_display()),
            "version": consent.version,
            "text": text_of(consent),
            "channel": consent.channel,
            "channel_label": str(consent.get_channel_display()),
            "reference": consent.reference,
            "given_at": consent.given_at,
            "withdrawn_at": consent.withdrawn_at,
        }
        for consent in Consent.objects.filter(user=user)
    ]
