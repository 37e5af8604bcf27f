"""Every screen right for its device and its user (issue 17), in a real browser: each page a citizen (360×800),
a kiosk (1080×1920 portrait), a clerk's workbench and the hall's board (1920×1080) show, in Chinese and in
English, in the standard mode and in 关怀模式, has no critical or serious axe-core violation; citizen pages do
not scroll sideways at 360 px, have no content text below 16 px and touch targets of at least 44 px; an
English page shows no Chinese beyond the data. Screenshots of each are kept under var/test-artifacts/.

One test per device walks its pages in the four reader settings and reports every finding at once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from apps.front.booking.models import GroupMatter, WindowGroup
from apps.front.booking.services import appointment_book
from apps.front.consult.services import ticket_ask
from apps.front.delivery.models import Delivery, DeliveryMethod, HandoverStatus
from apps.front.floor.services import ticket_walk_in
from apps.front.guidance.services import checklist_save
from apps.front.intake.models import Case, CaseEvent, CaseStatus
from apps.front.mandates.models import EventKind
from apps.front.mandates.services import mandate_act_record
from apps.front.notifications.models import Notification
from apps.front.online.services import application_start, application_update, bundle_application_start
from apps.front.ratings.models import Invitation, Score, ServiceKind
from apps.front.ratings.services import (
    evaluation_submit,
    invitation_token,
    rectification_assign,
    rectification_callback_record,
    rectification_reply,
)
from apps.shared.catalog.models import Matter
from apps.shared.privacy.consents import consent_record
from apps.shared.privacy.models import ConsentPurpose
from govservice.lib.decisions import Decision
from tests.factories import PASSWORD, make_matter
from tests.front.mandates.conftest import make_company, make_mandate
from tests.front.online.conftest import ANSWERS, make_online_matter
from tests.front.online.conftest import fill as online_fill
from tests.front.online.conftest import start as online_start
from tests.front.online.conftest import submit as online_submit
from tests.personas_front import TERMINAL_TOKEN, make_slot

from .axe import sweep
from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TRACK_PASSWORD = "135790"


@pytest.fixture
def citizen_world(citizen, clerk, hall, matter):
    """What a citizen has after a while: an appointment, a decided case with its message, a checklist and a
    question asked."""
    slots = [make_slot(hall, days_ahead=days, hour=hour, capacity=3) for days in (1, 2) for hour in (9, 10, 14)]
    appointment = appointment_book(citizen=citizen, slot_id=slots[0].id, matter_code=matter.code)
    case = Case.objects.create(
        number="TZ2026120100042",
        query_password_hash=make_password(TRACK_PASSWORD),
        citizen=citizen,
        matter=matter,
        hall=hall,
        clerk=clerk,
        status=CaseStatus.DECIDED,
        decision=Decision.APPROVED,
        accepted_at=timezone.now(),
        decided_at=timezone.now(),
        promised_date=timezone.localdate() + dt.timedelta(days=7),
    )
    for from_status, to_status in [
        ("", "received"),
        ("received", "accepted"),
        ("accepted", "in_review"),
        ("in_review", "decided"),
    ]:
        CaseEvent.objects.create(case=case, from_status=from_status, to_status=to_status, actor_label="审批总后台")
    message = Notification.objects.create(
        recipient=citizen,
        event="case.decided",
        channel="inbox",
        case=case,
        subject="您的办件已有审批结果",
        body=f"【云窗口】王小明您好，您的办件{case.number}（{matter.name}）审批结果：准予许可。请登录查看并对本次服务进行评价。",
    )
    checklist = checklist_save(matter_code=matter.code, raw_answers={}, user=citizen)
    question = ticket_ask(
        citizen=citizen, matter_code=matter.code, kind="consultation", title="社保卡补办", content="要带什么材料？"
    )
    data = [
        matter.name,
        matter.department.name,
        hall.name,
        hall.address,
        citizen.real_name,
        citizen.display_name,
        *(m.name for m in matter.materials.all()),
        *(m.notes for m in matter.materials.all() if m.notes),
        hall.groups.get().name,
        hall.opening_hours,
        "社保卡补办",
        "要带什么材料？",
        message.subject,
        message.body,
        "王**",
        clerk.display_name,
        # Each language's name in itself (the switches), and the sender named on a case's timeline as central
        # sent it (a label on the wire).
        "中文",
        "简体中文",
        "审批总后台",
    ]
    return {"appointment": appointment, "case": case, "checklist": checklist, "question": question, "data": data}


@pytest.fixture
def citizen_online_and_acting(citizen_world, citizen, clerk, agent, hall, matter, newborn):
    """What a citizen has who also files online and acts for others: an online application in draft and a life
    event's (一件事) draft; the consent registration records; a case waiting for corrections, a decided one with
    its rating link, and one rated 差评 whose fix the unit answered; a mandate given to 张丽 (who booked under
    it) and one from her; a company the citizen represents, with 张丽 as its 经办人. Adds its pages' data to
    ``citizen_world``."""
    online = make_online_matter(hall)
    draft, _ = application_start(applicant=citizen, actor=citizen, matter_code=online.code)
    application_update(actor=citizen, code=draft.code, form_values=ANSWERS)
    bundle_draft, _ = bundle_application_start(applicant=citizen, actor=citizen, bundle_code=newborn.code)
    given = make_mandate(citizen, agent, matter_codes=[matter.code])
    mandate_act_record(
        mandate=given, kind=EventKind.BOOKED, actor=agent, reference="AP2026120100007", note=f"{matter.name}：代为预约"
    )
    make_mandate(agent, citizen, matter_codes=[matter.code, online.code])
    # Filed by the citizen for 张丽: her application in the citizen's list, with who filed it.
    application_start(applicant=agent, actor=citizen, matter_code=online.code)
    company = make_company(citizen)
    consent_record(user=citizen, purpose=ConsentPurpose.REGISTRY_CHECK)  # as registration records it: /me/privacy/
    make_mandate(company.account, agent, all_matters=True)
    correction = Case.objects.create(
        number="TZ2026120100043",
        query_password_hash=make_password(TRACK_PASSWORD),
        citizen=citizen,
        matter=matter,
        hall=hall,
        status=CaseStatus.CORRECTION,
        accepted_at=timezone.now(),
        correction_items=["居民身份证复印件不清晰，请重新扫描"],
        correction_deadline=timezone.localdate() + dt.timedelta(days=10),
    )
    # A 差评 the unit called back about and answered: the case page asks the citizen to rate the fix.
    rated = Case.objects.create(
        number="TZ2026120100045",
        query_password_hash=make_password(TRACK_PASSWORD),
        citizen=citizen,
        matter=matter,
        hall=hall,
        clerk=clerk,
        status=CaseStatus.DECIDED,
        decision=Decision.APPROVED,
        accepted_at=timezone.now(),
        decided_at=timezone.now(),
    )
    fix = evaluation_submit(
        citizen=citizen, case_number=rated.number, score=Score.VERY_DISSATISFIED, comment="材料要求前后不一。"
    ).rectification
    rectification_assign(actor=clerk, rectification_id=fix.id)
    rectification_callback_record(
        actor=clerk, rectification_id=fix.id, called_at=timezone.now(), outcome="reached", summary="已电话致歉。"
    )
    rectification_reply(
        actor=clerk, rectification_id=fix.id, fix="统一了材料说明。", reply="已统一窗口的材料说明，感谢指正。"
    )
    invitation = Invitation.objects.create(
        kind=ServiceKind.CASE,
        case=citizen_world["case"],
        citizen=citizen,
        expires_at=timezone.now() + dt.timedelta(days=5),
    )
    matters = [online, *Matter.objects.filter(code__in=newborn.items.values("matter_code"))]
    citizen_world["data"] += [
        *(m.name for m in matters),
        *(m.department.name for m in matters),
        *(material.name for m in matters for material in m.materials.all()),
        *(f.label for m in matters for f in m.form_fields.all()),
        *(c for f in online.form_fields.all() for c in f.choices or []),
        *(str(value) for value in ANSWERS.values()),
        online.trips_reason,
        online.result_name,
        newborn.name,
        agent.real_name,
        agent.masked_name,
        company.name,
        "居民身份证复印件不清晰，请重新扫描",
        "材料要求前后不一。",
        "已统一窗口的材料说明，感谢指正。",
        # The messages sent meanwhile (the answer to the 差评), in the citizen's language when they were sent.
        *(text for n in Notification.objects.filter(recipient=citizen) for text in (n.subject, n.body)),
    ]
    return {
        **citizen_world,
        "online": draft,
        "bundle": bundle_draft,
        "agent": agent,
        "mandate": given,
        "company": company,
        "correction": correction,
        "rated": rated,
        "rate_token": invitation_token(invitation),
    }


def _track(page, live_server, world) -> None:
    page.goto(f"{live_server.url}/track/")
    page.locator("#number").fill(world["case"].number)
    page.locator("#password").fill(TRACK_PASSWORD)
    page.locator("#track-form button[type=submit]").click()
    page.locator("#track-result").wait_for()


def test_every_kiosk_screen_at_1080_by_1920(page, live_server, hall, matter, terminal, settings):
    settings.KIOSK_IDLE_SECONDS = 600  # long enough for the sweep: the reset has its own test
    page.add_init_script("window.print = function () {};")
    group = WindowGroup.objects.create(hall=hall, letter="B", name="不动产登记")
    other = make_matter("M-002", name="不动产登记资料查询")
    GroupMatter.objects.create(group=group, matter_code=other.code)
    page.set_viewport_size({"width": 1080, "height": 1920})

    def activate(page):
        page.goto(f"{live_server.url}/terminal/")
        page.locator("#token").fill(TERMINAL_TOKEN)
        page.locator("#token").press("Enter")
        page.locator("#checkin-form").wait_for()

    def failed_check_in(page):
        page.goto(f"{live_server.url}/terminal/")
        page.locator("#code").fill("ABCD2345")
        page.locator("#checkin-form button[type=submit]").click()
        page.locator("#kiosk-error").wait_for()

    def ticket(page):
        page.goto(f"{live_server.url}/terminal/walk-in/?group=A")
        page.locator("input[name=matter]").first.check()
        page.locator("#take-ticket").click()
        page.locator("#ticket-number").wait_for()

    pages = {
        "start": "/terminal/",
        "check-in-failed": failed_check_in,
        "walk-in-groups": "/terminal/walk-in/",
        "walk-in-matters": "/terminal/walk-in/?group=A",
        "ticket": ticket,
        "guide-groups": "/terminal/guide/",
        "guide-matters": "/terminal/guide/?group=B",
        "guide-matter": f"/terminal/guide/?matter={matter.code}",
        "consult": "/terminal/consult/",
        "rate": "/terminal/rate/",
    }
    data = [
        hall.name,
        matter.name,
        other.name,
        group.name,
        hall.groups.get(letter="A").name,
        matter.department.name,
        *(m.name for m in matter.materials.all()),
        *(m.notes for m in matter.materials.all() if m.notes),
        "中文",
    ]
    findings = sweep(page, live_server, "kiosk-1080x1920", pages, data, before=activate)
    assert not findings, "\n".join(findings)


@pytest.fixture
def clerk_world(api, citizen, clerk, hall, matter, terminal, central_peer):
    """A clerk's day: a case the hall holds after a one-time notice; a ticket at the window (three more waiting);
    a citizen's question not yet taken; an online application to pre-review; a result waiting to be collected,
    rated 差评 (a rectification for the hall). Returns what the pages need and the data they show."""
    from apps.front.floor.services import ticket_call_next
    from apps.front.intake.services import case_notify_missing

    ticket_walk_in(terminal=terminal, matter_code=matter.code, id_number=citizen.id_number)
    noticed = ticket_call_next(clerk=clerk)
    held, _ = case_notify_missing(clerk=clerk, ticket_id=noticed.id, items=["缺少居民身份证原件"])  # finishes it
    for green in ("", "military", ""):
        ticket_walk_in(terminal=terminal, matter_code=matter.code, green_channel=green)
    called = ticket_call_next(clerk=clerk)
    question = ticket_ask(
        citizen=citizen, matter_code=matter.code, kind="consultation", title="社保卡补办", content="要带什么材料？"
    )
    online = make_online_matter(hall)
    code = online_start(api, citizen, online)["code"]
    online_fill(api, citizen, code)
    prereview = online_submit(api, citizen, code)["case"]["number"]
    ready = Case.objects.create(
        number="TZ2026120100044",
        query_password_hash=make_password(TRACK_PASSWORD),
        citizen=citizen,
        matter=matter,
        hall=hall,
        clerk=clerk,
        status=CaseStatus.RESULT_READY,
        decision=Decision.APPROVED,
        accepted_at=timezone.now(),
        decided_at=timezone.now(),
        promised_date=timezone.localdate(),
    )
    Delivery.objects.create(
        case=ready, method=DeliveryMethod.PICKUP, status=HandoverStatus.READY, ready_at=timezone.now()
    )
    rated = evaluation_submit(
        citizen=citizen, case_number=ready.number, score=Score.VERY_DISSATISFIED, comment="窗口人员态度生硬。"
    )
    data = [hall.name, matter.name, hall.groups.get().name, clerk.display_name, "中文", citizen.real_name]
    data += [citizen.masked_name, "缺少居民身份证原件", "社保卡补办", "要带什么材料？", "窗口人员态度生硬。"]
    data += [m.name for m in matter.materials.all()] + [m.notes for m in matter.materials.all() if m.notes]
    data += [online.name, online.department.name, online.trips_reason, online.result_name, matter.department.name]
    data += [m.name for m in online.materials.all()] + [f.label for f in online.form_fields.all()]
    data += [str(value) for value in ANSWERS.values()]
    # The generated form's name among the case's materials, as the record (and the wire to central) holds it.
    data.append("网上申请表")
    return {
        "held": held,
        "called": called,
        "question": question,
        "prereview": prereview,
        "ready": ready,
        "rectification": rated.rectification,
        "data": data,
    }


def test_the_workbench_at_1920_by_1080(page, live_server, clerk, matter, clerk_world):
    """Every page of the clerk's menu (window, held cases, consultations, online pre-review, phone booking,
    result pickup, 差评 rectification) and the pages they open."""
    world = clerk_world
    page.set_viewport_size({"width": 1920, "height": 1080})
    called = world["called"].id
    pages = {
        "workbench": "/workbench/",
        "intake": f"/workbench/tickets/{called}/",
        "agent-check": f"/workbench/tickets/{called}/agent/",
        "remote-start": f"/workbench/tickets/{called}/remote/",
        "held-cases": "/workbench/cases/",
        "held-case": f"/workbench/cases/{world['held'].number}/",
        "consult-desk": "/consult/desk/",
        "consult-desk-ticket": f"/consult/desk/{world['question'].code}/",
        "prereview-queue": "/workbench/prereview/",
        "prereview-case": f"/workbench/prereview/{world['prereview']}/",
        "phone-booking": f"/workbench/book/?matter={matter.code}",
        "pickup": "/workbench/pickup/",
        "pickup-case": f"/workbench/pickup/?number={world['ready'].number}",
        "rectifications": "/rectifications/",
        "rectification": f"/rectifications/{world['rectification'].id}/",
    }
    findings = sweep(
        page,
        live_server,
        "workbench-1920x1080",
        pages,
        world["data"],
        before=lambda page: login(page, live_server, clerk.username, PASSWORD),
    )
    assert not findings, "\n".join(findings)


def test_the_display_board_at_1920_by_1080(page, live_server, hall, matter, terminal, clerk):
    from apps.front.floor.services import ticket_call_next

    for _ in range(3):
        ticket_walk_in(terminal=terminal, matter_code=matter.code)
    ticket_call_next(clerk=clerk)
    page.set_viewport_size({"width": 1920, "height": 1080})
    data = [hall.name, hall.groups.get().name, "中文"]
    findings = sweep(page, live_server, "board-1920x1080", {"board": f"/board/{hall.code}/"}, data)
    assert not findings, "\n".join(findings)


def test_every_citizen_page_at_360_px(page, live_server, citizen, matter, hall, citizen_online_and_acting):
    world = citizen_online_and_acting
    page.set_viewport_size({"width": 360, "height": 800})
    pages = {
        "home": "/",
        "find": "/find/?q=%E7%A4%BE%E4%BF%9D",
        "matter": f"/matters/{matter.code}/?hall={hall.id}",
        "guide": f"/guide/{matter.code}/",
        "checklist": f"/checklists/{world['checklist'].code}/",
        "checklists": "/checklists/",
        "checklist-booking": f"/checklists/{world['checklist'].code}/book/",
        "appointment": f"/appointments/{world['appointment'].code}/",
        "me": "/me/",
        "notification-settings": "/me/notifications/",
        "privacy": "/me/privacy/",
        "waitlist": "/waitlist/",
        "consult": "/consult/",
        "consult-ask": "/consult/ask/",
        "consult-ticket": f"/consult/{world['question'].code}/",
        "case": f"/cases/{world['case'].number}/",
        "case-correction": f"/cases/{world['correction'].number}/",
        "case-rated": f"/cases/{world['rated'].number}/",
        "track": _track,
        "online": "/online/",
        "online-application": f"/online/{world['online'].code}/",
        "bundles": "/bundles/",
        "bundle-application": f"/online/bundles/{world['bundle'].code}/",
        "authorisations": "/authorisations/",
        "authorisation": f"/authorisations/{world['mandate'].number}/",
        "acting": "/acting/",
        "acting-for": f"/acting/{world['agent'].pk}/",
        "companies": "/companies/",
        "company": f"/companies/{world['company'].credit_code}/",
    }
    anonymous = {
        "login": "/accounts/login/",
        "register": "/register/",
        "matter-signed-out": f"/matters/{matter.code}/?hall={hall.id}",
        "rate-link": f"/rate/{world['rate_token']}/",
    }
    device = "citizen-360x800"
    findings = sweep(page, live_server, device, anonymous, world["data"])
    signed_in = {
        name: (lambda page, where=where: where(page, live_server, world)) if callable(where) else where
        for name, where in pages.items()
    }
    findings += sweep(
        page,
        live_server,
        device,
        signed_in,
        world["data"],
        before=lambda page: login(page, live_server, citizen.username, PASSWORD),
    )
    assert not findings, "\n".join(findings)
