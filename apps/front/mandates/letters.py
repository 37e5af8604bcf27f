"""The 委托书 as a PDF (govservice/lib/pdf.py, WeasyPrint): what the principal confirms with the SMS code and
what the window reads. Personal numbers appear masked (DOMAIN.md §8: paper shows the public mask)."""

from __future__ import annotations

from apps.shared.catalog.models import Matter
from govservice.lib.masking import mask_id_public
from govservice.lib.pdf import render_pdf

from .models import Mandate, MandateForm, MandateKind
from .selectors import company_for_account


def _scope(mandate: Mandate, matter: Matter | None) -> str:
    if mandate.case is not None:
        return f"办件 {mandate.case.number}（{mandate.case.matter.name}）"
    if mandate.all_matters:
        return "本单位可办理的全部政务服务事项"
    if matter is not None:
        return f"{matter.name}（事项编码 {matter.code}）"
    names = dict(Matter.objects.filter(code__in=mandate.matter_codes, is_current=True).values_list("code", "name"))
    return "；".join(f"{names.get(code, code)}（{code}）" for code in mandate.matter_codes)


def letter_pdf(mandate: Mandate, *, matter: Matter | None) -> bytes:
    principal, agent = mandate.principal, mandate.agent
    company = company_for_account(principal) if principal.is_company else None
    # The document is Chinese whatever the reader's language (like every voucher of the hall).
    acts = "、".join(
        text
        for allowed, text in (
            (mandate.may_apply, "代为申请办理（预约、申报、窗口办理）"),
            (mandate.may_collect, "代为领取办理结果"),
        )
        if allowed
    )
    confirm_line = {
        MandateForm.ELECTRONIC: "（委托人以注册手机短信验证码确认后生效）",
        MandateForm.REPRESENTATIVE: "（法定代表人实名登录授权，即时生效）",
        MandateForm.PAPER: "（纸质委托书经窗口核验登记）",
    }[MandateForm(mandate.form)]
    return render_pdf(
        "documents/mandate_letter.html",
        {
            "title": "法人授权委托书" if mandate.kind == MandateKind.STAFF else "授权委托书",
            "m": mandate,
            "principal_name": company.name if company is not None else principal.real_name,
            "principal_kind": "法人" if company is not None else "自然人",
            "principal_id": (company.credit_code if company is not None else mask_id_public(principal.id_number or "")),
            "representative": company.representative.real_name if company is not None else "",
            "agent_name": agent.real_name,
            "agent_id": mask_id_public(agent.id_number or ""),
            "scope": _scope(mandate, matter),
            "acts": acts,
            "confirm_line": confirm_line,
        },
    )
