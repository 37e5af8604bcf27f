"""Texts of the messages for each business event (Chinese first; English through gettext)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

# event -> (subject, body). Bodies are str.format templates over: name, number, matter, sentence, next_step,
# promised_date, decision. Never an ID number or a phone in a message.
MESSAGES = {
    "case.accepted": (
        _("您的办件已受理"),
        _("【云窗口】{name}您好，您申请的“{matter}”已受理，办件编号{number}，承诺办结日期{promised_date}。{next_step}"),
    ),
    "case.decided": (
        _("您的办件已有审批结果"),
        _("【云窗口】{name}您好，您的办件{number}（{matter}）审批结果：{decision}。请登录查看并对本次服务进行评价。"),
    ),
}
