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
    "case.promised_date_set": (
        _("承诺办结日期已确定"),
        _("【云窗口】{name}您好，节假日安排已公布，您的办件{number}（{matter}）的承诺办结日期确定为{promised_date}。"),
    ),
    "case.refused": (
        _("您的申请不予受理"),
        _(
            "【云窗口】{name}您好，您申请的“{matter}”不予受理，办件编号{number}。不予受理通知书载明了理由和救济途径，请登录查看。"
        ),
    ),
    "case.one_time_notice": (
        _("请补正申请材料（一次性告知）"),
        _("【云窗口】{name}您好，您申请的“{matter}”（办件编号{number}）需补正材料，详见一次性告知书：{items}。"),
    ),
    "intake.deadline_near": (
        _("收件即将超过5个工作日受理期限"),
        _(
            "【云窗口】办件{number}（{matter}）已收件，受理期限为{intake_deadline}，请尽快作出受理、不予受理或一次性告知。"
        ),
    ),
    "case.correction_requested": (
        _("请补正申请材料"),
        _(
            "【云窗口】{name}您好，您的办件{number}（{matter}）需补正材料：{correction}。请在{correction_deadline}前登录上传，补正期间审批时限暂停计算。"
        ),
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
        _(
            "【云窗口】{name}您好，您的办件{number}（{matter}）的办理结果已出具，可登录下载电子证照，或按您选择的方式领取。"
        ),
    ),
    "case.withdrawn": (
        _("您的申请已撤回"),
        _("【云窗口】{name}您好，您的办件{number}（{matter}）已按您的申请撤回。"),
    ),
    "case.decided": (
        _("您的办件已有审批结果"),
        _("【云窗口】{name}您好，您的办件{number}（{matter}）审批结果：{decision}。请登录查看并对本次服务进行评价。"),
    ),
    # The originals visit of an online case still booked when the case got its answer (intake's services/originals.py):
    # an appointment's fields (code, hall, time) with the case's, and status (the case's, as its page names it).
    "case.visit_released": (
        _("无需再到大厅核验原件"),
        _(
            "【云窗口】{name}您好，您的办件{number}（{matter}）当前状态为“{status}”，无需再到大厅核验原件：{time}在{hall}的预约（{code}）已自动取消，不计违约。"
        ),
    ),
}

# Issue 13, intake: the acceptance by law (行政许可法 Art. 32 (4)) and the 容缺受理 commitment's follow-up.
# Case fields as above, plus commitment (the deferred items still owed) and commitment_deadline.
MESSAGES |= {
    "case.deemed_accepted": (
        _("您的申请已依法视为受理"),
        _(
            "【云窗口】{name}您好，大厅未在5个工作日内对您的“{matter}”申请作出受理决定或一次性告知，依据行政许可法第三十二条，自收件之日起视为受理，办件编号{number}，承诺办结日期{promised_date}。"
        ),
    ),
    "case.commitment_reminder": (
        _("请按承诺补交容缺材料"),
        _(
            "【云窗口】{name}您好，您的办件{number}（{matter}）按容缺受理承诺，须于{commitment_deadline}前补交：{commitment}。可登录在线上传，或到窗口提交。"
        ),
    ),
    "case.commitment_broken": (
        _("容缺材料逾期未补交"),
        _(
            "【云窗口】{name}您好，您的办件{number}（{matter}）未在{commitment_deadline}前补交容缺材料（{commitment}），审批已中止，并已记入信用记录。补齐材料后审批继续。"
        ),
    ),
}

# Issue 13, a one-time notice never answered: reminded before its last day, then deemed withdrawn
# (逾期未补正的，视为撤回申请; apps/front/intake/services/held.py). Case fields, plus notice_answer_deadline.
MESSAGES |= {
    "case.notice_answer_reminder": (
        _("请按一次性告知补正材料"),
        _(
            "【云窗口】{name}您好，您的办件{number}（{matter}）须于{notice_answer_deadline}前按一次性告知书补正：{items}。逾期未补正的，申请视为撤回。"
        ),
    ),
    "case.deemed_withdrawn": (
        _("您的申请已视为撤回"),
        _(
            "【云窗口】{name}您好，您的办件{number}（{matter}）未在{notice_answer_deadline}前按一次性告知书补正材料，申请视为撤回。如仍需办理，可重新申请。"
        ),
    ),
}

# A pre-filing (在线预填) lives on the visit it was made for (apps/front/intake/services/applicant.py).
MESSAGES |= {
    "case.prefiling_lapsed": (
        _("您的在线预填已失效"),
        _(
            "【云窗口】{name}您好，您为“{matter}”在线预填的申请（办件编号{number}）因预约已取消或已过办理时间而失效。如仍需办理，请重新预约并预填。"
        ),
    ),
}

# Issue 15, fully online applications (网上申报): received when submitted, pre-reviewed online.
MESSAGES |= {
    "case.submitted_online": (
        _("您的网上申请已提交"),
        _(
            "【云窗口】{name}您好，您网上申请的“{matter}”已提交，办件编号{number}，大厅将在预审期限内答复，依法应在{intake_deadline}前作出受理决定或一次性告知。"
        ),
    ),
}

# Issue 15, 一件事一次办: one combined notice once every matter of the bundle has its answer; a message when a part
# is dropped (not submitted), at that moment. Fields: name, bundle (its name), code (the bundle application's),
# summary (each matter and what became of it), matter and reason (the part dropped and why). The ``_agent`` events
# go to the agent who filed the bundle for someone, with principal (a company's name, or the masked name).
MESSAGES |= {
    "bundle.completed": (
        _("您申请的一件事已全部办结"),
        _("【云窗口】{name}您好，您申请的“{bundle}”（申请编号{code}）各事项均已有结果：{summary}。请登录查看。"),
    ),
    "bundle.completed_agent": (
        _("您代为申请的一件事已全部办结"),
        _(
            "【云窗口】{name}您好，您代{principal}申请的“{bundle}”（申请编号{code}）各事项均已有结果：{summary}。请登录查看。"
        ),
    ),
    "bundle.part_dropped": (
        _("一件事中的一个事项未提交"),
        _(
            "【云窗口】{name}您好，您申请的“{bundle}”（申请编号{code}）中的“{matter}”未提交：{reason}其他事项不受影响，照常办理。"
        ),
    ),
    "bundle.part_dropped_agent": (
        _("您代为申请的一件事中的一个事项未提交"),
        _(
            "【云窗口】{name}您好，您代{principal}申请的“{bundle}”（申请编号{code}）中的“{matter}”未提交：{reason}其他事项不受影响，照常办理。"
        ),
    ),
}

# Consultation tickets (apps.front.consult). Fields: name, code, matter, kind, due_date, department, note, reason.
# Never the question or the answer itself: a message says where to read it.
MESSAGES |= {
    "consult.answered": (
        _("您的咨询已有答复"),
        _(
            "【云窗口】{name}您好，您关于“{matter}”的{kind}（工单编号{code}）已有答复，请登录“我的咨询”查看，并对答复进行评价。"
        ),
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

# 好差评 and rectification (apps.front.ratings). Context: hall, matter, number, expires, link (a signed token,
# no personal data); for staff: reference, event, unit, score, due, decision.
MESSAGES |= {
    "rating.invitation": (
        _("请对本次服务进行评价"),
        _(
            "【云窗口】{name}您好，感谢您在{hall}办理“{matter}”。欢迎对本次服务进行评价（自愿），{expires}前有效：{link}"
        ),
    ),
    "rating.rectification_done": (
        _("您的差评已整改答复"),
        _(
            "【云窗口】{name}您好，您对“{matter}”的评价已由责任单位回访整改并答复，请查看答复并对整改结果评价（{expires}前有效）：{link}"
        ),
    ),
    "rating.bad_received": (
        _("收到差评，请回访整改"),
        _(
            "【云窗口】{unit}收到差评（{score}，{event}，{matter}），整改单{reference}，请在{due}前回访、整改并答复：{link}"
        ),
    ),
    "rating.rectification_assigned": (
        _("差评整改单已指派给您"),
        _("【云窗口】整改单{reference}（{matter}）已指派给您回访，答复期限{due}：{link}"),
    ),
    "rating.rectification_reminder": (
        _("差评整改即将到期"),
        _("【云窗口】整改单{reference}（{unit}，{matter}）的答复期限为{due}，尚未答复，请尽快回访并答复：{link}"),
    ),
    "rating.rectification_escalated": (
        _("差评整改临期未答复，升级督办"),
        _("【云窗口】整改单{reference}（{unit}，{matter}）将于{due}到期仍未答复，请督办：{link}"),
    ),
    "rating.rectification_overdue": (
        _("差评整改已超期"),
        _("【云窗口】整改单{reference}（{unit}，{matter}）已超过答复期限{due}，请督办：{link}"),
    ),
    "rating.appeal_filed": (
        _("差评申诉待审核"),
        _("【云窗口】{unit}对整改单{reference}（{matter}）的差评提出申诉，请审核：{link}"),
    ),
    "rating.appeal_decided": (
        _("差评申诉已审核"),
        _("【云窗口】整改单{reference}（{matter}）的申诉审核结果：{decision}。{link}"),
    ),
    # Booking (apps/front/booking). Fields: code, matter, hall, address, time; and as named below.
    "booking.confirmed": (
        _("预约成功"),
        _(
            "【云窗口】{name}您好，您已预约{time}在{hall}（{address}）办理“{matter}”，预约码{code}。请于开始前30分钟至开始后15分钟内签到；如不能前往，请提前取消。"
        ),
    ),
    "booking.reminder": (
        _("明天的预约提醒"),
        _(
            "【云窗口】{name}您好，提醒您：{time}在{hall}（{address}）办理“{matter}”，预约码{code}。请带齐材料；如不能前往，请提前取消，以免计为爽约。"
        ),
    ),
    "booking.reminder_hour": (
        _("预约即将开始"),
        _(
            "【云窗口】{name}您好，您{time}在{hall}办理“{matter}”的预约将在1小时内开始，预约码{code}，请按时到取号机签到。"
        ),
    ),
    "booking.cancelled": (
        _("预约已取消"),
        _("【云窗口】{name}您好，您{time}在{hall}办理“{matter}”的预约（{code}）已取消。{late}"),
    ),
    "booking.cancelled_by_hall": (
        _("大厅暂停服务，您的预约已取消"),
        _(
            "【云窗口】{name}您好，因{reason}，{hall}暂停服务，您{time}办理“{matter}”的预约（{code}）已由大厅取消，不计违约。最近可约时段：{slots}。请登录重新预约。"
        ),
    ),
    "booking.penalty_warning": (
        _("预约违约提醒"),
        _(
            "【云窗口】{name}您好，您在{days}天内已{what}{count}次；达到{limit}次将暂停网上预约{block_days}天（现场取号不受影响）。如不能前往，请提前取消预约。"
        ),
    ),
    "booking.blocked": (
        _("网上预约已暂停"),
        _(
            "【云窗口】{name}您好，因{reason}，您的网上预约已暂停至{until}。期间仍可到大厅现场取号办理；如有异议，请联系大厅工作人员。"
        ),
    ),
    "waitlist.offer": (
        _("候补名额已为您保留"),
        _(
            "【云窗口】{name}您好，您候补的“{matter}”有空余名额：{time}，{hall}。名额为您保留至{expires}，请登录确认预约，逾期将顺延给下一位。"
        ),
    ),
    "waitlist.unfilled": (
        _("候补未成功"),
        _(
            "【云窗口】{name}您好，很抱歉，您候补的{date}在{hall}办理“{matter}”未能排到名额，候补已结束。您可登录预约其他日期，或到大厅现场取号办理。"
        ),
    ),
}

# Notifications (apps.front.notifications): the events of issue #7 that no other app has written yet.
# booking.moved_by_hall: code, matter, hall, address, time (the new time), old_time, reason.
# hall.checked_in: code, matter, hall, ticket (the queue number), ahead (people before it).
MESSAGES |= {
    "booking.moved_by_hall": (
        _("大厅调整了您的预约时间"),
        _(
            "【云窗口】{name}您好，因{reason}，您原定{old_time}在{hall}办理“{matter}”的预约（{code}）已调整为{time}，不计违约。如新时间不便，请登录改约或取消。"
        ),
    ),
    "hall.checked_in": (
        _("签到成功"),
        _(
            "【云窗口】{name}您好，您已在{hall}签到办理“{matter}”，排队号{ticket}，前面还有{ahead}人。请留意叫号屏和语音叫号。"
        ),
    ),
}

# Result delivery (apps.front.delivery). Extra fields: hall, hall_address, courier, tracking_number, how.
MESSAGES |= {
    "case.result_ready_pickup": (
        _("办理结果可以领取了"),
        _(
            "【云窗口】{name}您好，您的办件{number}（{matter}）的办理结果已到{hall}（{hall_address}），请本人携带居民身份证到窗口领取。"
        ),
    ),
    "case.result_posted": (
        _("办理结果已寄出"),
        _(
            "【云窗口】{name}您好，您的办件{number}（{matter}）的办理结果已由{courier}寄出，运单号{tracking_number}，请注意查收。"
        ),
    ),
    "case.delivered": (
        _("办理结果已送达"),
        _("【云窗口】{name}您好，您的办件{number}（{matter}）的办理结果已送达（{how}）。欢迎对本次服务进行评价。"),
    ),
}

# The ends central reaches on its own (issue 13, central; apps/front/intake/handlers.py): the reason is the
# case's procedure note, the deadline its correction deadline.
MESSAGES |= {
    "case.transferred": (
        _("您的办件已转至有权部门办理"),
        _("【云窗口】{name}您好，您的办件{number}（{matter}）{procedure}。审批时限连续计算，您无需重新申请。"),
    ),
    "case.voided": (
        _("您的办件已作废"),
        _("【云窗口】{name}您好，您的办件{number}（{matter}）已作废，{procedure}。如需办理，请重新申请。"),
    ),
    "case.closed_no_correction": (
        _("您的办件因逾期未补正已终止"),
        _(
            "【云窗口】{name}您好，您的办件{number}（{matter}）未在补正期限{correction_deadline}前补正材料，已终止办理。如需办理，可重新申请。"
        ),
    ),
    # A review suspended for deferred items (容缺) owed, and its end when they never came; procedure is the note.
    "case.review_suspended": (
        _("您的办件审批已中止"),
        _("【云窗口】{name}您好，您的办件{number}（{matter}）{procedure}。可登录在线上传，或到窗口提交。"),
    ),
    "case.closed_commitment_unmet": (
        _("您的办件因容缺材料逾期未补齐已终止"),
        _("【云窗口】{name}您好，您的办件{number}（{matter}）{procedure}。如需办理，可重新申请。"),
    ),
}

# Legal persons and people acting for others (apps.front.mandates), to the agent. Fields: principal (a company's
# name, or the principal's masked name), number (the 委托书's), valid_until.
MESSAGES |= {
    "mandate.granted": (
        _("您已获得授权代为办理"),
        _(
            "【云窗口】{name}您好，{principal}已授权您代为办理政务服务事项（委托书{number}，有效期至{valid_until}）。办理时请携带本人身份证件，登录后在“代办”中查看可办事项。"
        ),
    ),
    "mandate.revoked": (
        _("您的代办授权已撤销"),
        _("【云窗口】{name}您好，{principal}已撤销委托书{number}对您的授权，自即时起您不能再代其办理。"),
    ),
}
