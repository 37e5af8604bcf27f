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
    "case.refused": (
        _("您的申请不予受理"),
        _("【云窗口】{name}您好，您申请的“{matter}”不予受理，办件编号{number}。不予受理通知书载明了理由和救济途径，请登录查看。"),
    ),
    "case.one_time_notice": (
        _("请补正申请材料（一次性告知）"),
        _("【云窗口】{name}您好，您申请的“{matter}”（办件编号{number}）需补正材料，详见一次性告知书：{items}。"),
    ),
    "intake.deadline_near": (
        _("收件即将超过5个工作日受理期限"),
        _("【云窗口】办件{number}（{matter}）已收件，受理期限为{intake_deadline}，请尽快作出受理、不予受理或一次性告知。"),
    ),
    "case.correction_requested": (
        _("请补正申请材料"),
        _("【云窗口】{name}您好，您的办件{number}（{matter}）需补正材料：{correction}。请在{correction_deadline}前登录上传，补正期间审批时限暂停计算。"),
    ),
    "case.special_procedure": (
        _("您的办件进入特别程序"),
        _("【云窗口】{name}您好，您的办件{number}（{matter}）进入特别程序。{procedure}"),
    ),
    "case.extended": (
        _("您的办件审批时限延长"),
        _("【云窗口】{name}您好，您的办件{number}（{matter}）{procedure}。新的承诺办结日期{promised_date}。"),
    ),
    "case.result_ready": (
        _("办理结果已出具"),
        _("【云窗口】{name}您好，您的办件{number}（{matter}）的办理结果已出具，可登录下载电子证照，或按您选择的方式领取。"),
    ),
    "case.withdrawn": (
        _("您的申请已撤回"),
        _("【云窗口】{name}您好，您的办件{number}（{matter}）已按您的申请撤回。"),
    ),
    "case.decided": (
        _("您的办件已有审批结果"),
        _("【云窗口】{name}您好，您的办件{number}（{matter}）审批结果：{decision}。请登录查看并对本次服务进行评价。"),
    ),
}

# Result delivery (apps.delivery). Extra fields: hall, hall_address, courier, tracking_number, how.
MESSAGES |= {
    "case.result_ready_pickup": (
        _("办理结果可以领取了"),
        _("【云窗口】{name}您好，您的办件{number}（{matter}）的办理结果已到{hall}（{hall_address}），请本人携带居民身份证到窗口领取。"),
    ),
    "case.result_posted": (
        _("办理结果已寄出"),
        _("【云窗口】{name}您好，您的办件{number}（{matter}）的办理结果已由{courier}寄出，运单号{tracking_number}，请注意查收。"),
    ),
    "case.delivered": (
        _("办理结果已送达"),
        _("【云窗口】{name}您好，您的办件{number}（{matter}）的办理结果已送达（{how}）。欢迎对本次服务进行评价。"),
    ),
}

# Consultation tickets (apps.consult). Fields: name, code, matter, kind, due_date, department, note, reason.
# Never the question or the answer itself: a message says where to read it.
MESSAGES |= {
    "consult.answered": (
        _("您的咨询已有答复"),
        _("【云窗口】{name}您好，您关于“{matter}”的{kind}（工单编号{code}）已有答复，请登录“我的咨询”查看，并对答复进行评价。"),
    ),
    "consult.follow_up": (
        _("市民追问了您负责的工单"),
        _("【云窗口】工单{code}（{matter}）收到市民追问，请在{due_date}前答复。"),
    ),
    "consult.reminder": (
        _("工单即将到期"),
        _("【云窗口】工单{code}（{matter}）的办理期限为{due_date}，尚未答复，请及时处理。"),
    ),
    "consult.escalated": (
        _("工单升级督办"),
        _("【云窗口】工单{code}（{matter}）{reason}，请督办。"),
    ),
    "consult.routed": (
        _("有工单转办至您的部门"),
        _("【云窗口】工单{code}（{matter}）已转办至{department}，请在{due_date}前答复。转办说明：{note}"),
    ),
}
