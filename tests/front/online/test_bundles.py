"""一件事一次办 (issue 15; DOMAIN.md §9): one merged form (a field asked once feeds every matter that asks it), one
merged checklist (a material uploaded once, by key, goes to every matter needing it), one submission that makes one
case per matter; the departments decide in parallel; a dependent step is sent only once its prerequisite is
approved, and dropped with the reason when it is not; one bundle status; one combined notice when all are done."""

from __future__ import annotations

import hashlib

import pytest

from apps.front.intake.models import Case, CaseStatus
from apps.front.notifications.models import Language, Notification
from apps.front.notifications.services import preference_update
from apps.front.online.models import BundleApplication, OnlineApplication
from apps.shared.exchange.models import OutboxMessage
from tests.front.intake.test_central_events import event
from tests.journey_helpers import PDF, PNG, upload

pytestmark = pytest.mark.django_db


ANSWERS = {"child-name": "王小宝", "birth-date": "2026-11-20", "bank": "北京银行"}


def start(api, user, status=201) -> dict:
    response = api(user).post("/api/v1/online/bundle-applications/", {"bundle": "newborn"}, format="json")
    assert response.status_code == status, response.content
    return response.json()


def submitted_bundle(api, citizen) -> dict:
    code = start(api, citizen)["code"]
    base = f"/api/v1/online/bundle-applications/{code}/"
    assert api(citizen).patch(base, {"form_values": ANSWERS}, format="json").status_code == 200
    for key, content in (("birth-certificate", PDF), ("household-register", PDF + b"hk"), ("photo", PNG)):
        name = "photo.png" if key == "photo" else f"{key}.pdf"
        kind = "image/png" if key == "photo" else "application/pdf"
        sent = api(citizen).post(
            f"{base}files/", {"material": key, "file": upload(name, content, kind)}, format="multipart"
        )
        assert sent.status_code == 201, sent.content
    done = api(citizen).post(f"{base}submit/", {"declaration": True}, format="json")
    assert done.status_code == 201, done.content
    return done.json()


def parts(body) -> dict[str, dict]:
    return {p["matter_code"]: p for p in body["status"]["parts"]}


def accept_and_decide(api, client, clerk, number, decision="approved"):
    assert api(clerk).post(f"/api/v1/workbench/prereview/{number}/accept/").status_code == 200
    event(
        client,
        "case.decided",
        {"number": number, "decision": decision, "reason": "审查意见", "decided_at": "2026-12-01T10:00:00+08:00"},
    )


class TestOneForm:
    def test_a_field_is_asked_once_and_a_material_listed_once(self, api, citizen, newborn):
        body = start(api, citizen)
        assert [f["key"] for f in body["form"]] == ["child-name", "birth-date", "bank"]
        checklist = {item["key"]: item for item in body["checklist"]}
        assert list(checklist) == ["birth-certificate", "household-register", "photo"]
        assert checklist["household-register"]["matters"] == ["户口登记", "医保参保登记"]
        again = start(api, citizen, status=200)
        assert again["code"] == body["code"]

    def test_every_missing_answer_and_material_is_named_at_once(self, api, citizen, newborn, central_peer):
        code = start(api, citizen)["code"]
        refused = api(citizen).post(
            f"/api/v1/online/bundle-applications/{code}/submit/", {"declaration": True}, format="json"
        )
        assert refused.status_code == 422 and refused.json()["code"] == "form_incomplete"
        assert set(refused.json()["errors"]) == {"child-name", "birth-date", "bank"}
        api(citizen).patch(f"/api/v1/online/bundle-applications/{code}/", {"form_values": ANSWERS}, format="json")
        missing = api(citizen).post(
            f"/api/v1/online/bundle-applications/{code}/submit/", {"declaration": True}, format="json"
        )
        assert missing.status_code == 422 and all(
            n in missing.json()["detail"] for n in ("出生医学证明", "居民户口簿", "近期免冠照片")
        )
        assert not Case.objects.exists()


class TestOneSubmission:
    def test_one_case_per_matter_in_parallel_and_the_dependent_step_waits(self, api, citizen, newborn, central_peer):
        body = submitted_bundle(api, citizen)
        state = parts(body)
        assert (state["NB-HK"]["state"], state["NB-SB"]["state"], state["NB-YB"]["state"]) == (
            "case",
            "case",
            "waiting",
        )
        assert body["status"]["overall"] == "in_progress" and body["status"]["done"] == 0
        assert "户口登记" in state["NB-YB"]["sentence"]
        hukou = Case.objects.get(number=state["NB-HK"]["case"]["number"])
        social = Case.objects.get(number=state["NB-SB"]["case"]["number"])
        assert hukou.status == social.status == CaseStatus.RECEIVED and hukou.online
        # Each matter's case carries what it needs: the answers it asks, the materials it lists.
        assert OnlineApplication.objects.get(case=hukou).form_values == {
            "child-name": "王小宝",
            "birth-date": "2026-11-20",
        }
        assert OnlineApplication.objects.get(case=social).form_values == {"child-name": "王小宝", "bank": "北京银行"}
        assert set(social.materials.values_list("name", flat=True)) == {"近期免冠照片", "网上申请表"}
        # The promise of the waiting step counts from its prerequisite's.
        assert Case.objects.count() == 2

    def test_the_prerequisite_approved_sends_the_waiting_step_with_the_same_upload(
        self, api, client, citizen, clerk, newborn, central_peer
    ):
        body = submitted_bundle(api, citizen)
        hukou = parts(body)["NB-HK"]["case"]["number"]
        accept_and_decide(api, client, clerk, hukou)
        after = api(citizen).get(f"/api/v1/online/bundle-applications/{body['code']}/").json()
        yibao = parts(after)["NB-YB"]
        assert yibao["state"] == "case" and yibao["case"]["status"] == "received"
        case = Case.objects.get(number=yibao["case"]["number"])
        # The household register, uploaded once, went to both matters that list it: the same stored file.
        digest = hashlib.sha256(PDF + b"hk").hexdigest()
        shared = Case.objects.get(number=hukou).materials.get(sha256=digest)
        assert case.materials.get(sha256=digest).file.name == shared.file.name
        assert after["status"]["done"] == 1 and after["status"]["overall"] == "in_progress"

    def test_each_part_goes_to_central_with_its_bundle(self, api, client, citizen, clerk, newborn, central_peer):
        body = submitted_bundle(api, citizen)
        hukou, social = parts(body)["NB-HK"]["case"]["number"], parts(body)["NB-SB"]["case"]["number"]
        accept_and_decide(api, client, clerk, hukou)
        sent = {
            m.payload["number"]: m.payload for m in OutboxMessage.objects.filter(kind="case.submitted").order_by("id")
        }
        wire = sent[hukou]["bundle"]
        assert (wire["id"], wire["code"], wire["name"]) == (body["code"], "newborn", "新生儿出生一件事")
        assert [(p["matter_code"], p["after"], p["number"]) for p in wire["parts"]] == [
            ("NB-HK", "", hukou),
            ("NB-YB", "NB-HK", ""),  # waiting when 户口 went
            ("NB-SB", "", social),
        ]
        yibao = parts(api(citizen).get(f"/api/v1/online/bundle-applications/{body['code']}/").json())["NB-YB"]
        assert api(clerk).post(f"/api/v1/workbench/prereview/{yibao['case']['number']}/accept/").status_code == 200
        later = next(
            m.payload
            for m in OutboxMessage.objects.filter(kind="case.submitted")
            if m.payload["number"] == yibao["case"]["number"]
        )
        assert [p["number"] for p in later["bundle"]["parts"]] == [hukou, yibao["case"]["number"], social]

    def test_a_refused_prerequisite_drops_the_waiting_step_and_says_why_the_parallel_one_goes_on(
        self, api, client, citizen, clerk, newborn, central_peer
    ):
        body = submitted_bundle(api, citizen)
        state = parts(body)
        hukou, social = state["NB-HK"]["case"]["number"], state["NB-SB"]["case"]["number"]
        accept_and_decide(api, client, clerk, hukou, decision="denied")
        after = parts(api(citizen).get(f"/api/v1/online/bundle-applications/{body['code']}/").json())
        assert after["NB-YB"]["state"] == "dropped" and after["NB-YB"]["outcome"] == "not"
        assert "户口登记" in after["NB-YB"]["sentence"] and "不予许可" in after["NB-YB"]["sentence"]
        assert after["NB-SB"]["outcome"] == "open"  # in parallel: not affected
        assert not Notification.objects.filter(event="bundle.completed").exists()
        # The last part's answer completes the bundle: one combined notice, once.
        accept_and_decide(api, client, clerk, social)
        final = api(citizen).get(f"/api/v1/online/bundle-applications/{body['code']}/").json()
        assert final["status"]["overall"] == "completed_with_refusals" and final["completed_at"]
        [notice] = Notification.objects.filter(recipient=citizen, event="bundle.completed", channel="inbox")
        assert "新生儿出生一件事" in notice.body
        assert (
            "户口登记：不予许可" in notice.body
            and "医保参保登记：未提交" in notice.body
            and "社会保障卡申领：准予许可" in notice.body
        )

    def test_all_approved_in_parallel_complete_the_bundle(self, api, client, citizen, clerk, newborn, central_peer):
        body = submitted_bundle(api, citizen)
        state = parts(body)
        accept_and_decide(api, client, clerk, state["NB-SB"]["case"]["number"])
        accept_and_decide(api, client, clerk, state["NB-HK"]["case"]["number"])
        yibao = parts(api(citizen).get(f"/api/v1/online/bundle-applications/{body['code']}/").json())["NB-YB"]["case"][
            "number"
        ]
        assert not BundleApplication.objects.get(code=body["code"]).completed_at
        accept_and_decide(api, client, clerk, yibao)
        final = api(citizen).get(f"/api/v1/online/bundle-applications/{body['code']}/").json()
        assert final["status"]["overall"] == "completed" and final["status"]["done"] == 3
        assert Notification.objects.filter(recipient=citizen, event="bundle.completed", channel="inbox").count() == 1


class TestWhatARefusalMeans:
    """A refusal of one part says what it means for the others: on the bundle page (the bundle and the part's own
    line) and in a message when a part is dropped, at that moment."""

    def test_a_refused_part_nothing_waits_for_says_the_others_go_on(
        self, api, client, citizen, clerk, newborn, central_peer
    ):
        body = submitted_bundle(api, citizen)
        accept_and_decide(api, client, clerk, parts(body)["NB-SB"]["case"]["number"], decision="denied")
        after = api(citizen).get(f"/api/v1/online/bundle-applications/{body['code']}/").json()
        state = parts(after)
        assert state["NB-SB"]["outcome"] == "not"
        assert "不影响本一件事的其他事项" in state["NB-SB"]["bearing"]
        assert state["NB-HK"]["outcome"] == "open" and state["NB-HK"]["bearing"] == ""
        assert after["status"]["overall"] == "in_progress"
        assert "其中1项未获准予或未提交，其余事项不受影响，照常办理" in after["status"]["sentence"]
        # The page says it too, in the reader's language.
        client.force_login(citizen)
        page = client.get(f"/online/bundles/{body['code']}/").content.decode()
        assert "其余事项不受影响，照常办理" in page and "不影响本一件事的其他事项" in page
        english = client.get(f"/online/bundles/{body['code']}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "the other matters are not affected and go on" in english
        assert "This matter was not approved; the bundle&#x27;s other matters are not affected and go on." in english
        # Nothing was dropped, so no message about a dropped part.
        assert not Notification.objects.filter(event="bundle.part_dropped").exists()

    def test_a_refused_prerequisite_names_the_part_it_stops_and_the_applicant_is_told_at_once(
        self, api, client, citizen, clerk, newborn, central_peer
    ):
        body = submitted_bundle(api, citizen)
        accept_and_decide(api, client, clerk, parts(body)["NB-HK"]["case"]["number"], decision="denied")
        state = parts(api(citizen).get(f"/api/v1/online/bundle-applications/{body['code']}/").json())
        assert "“医保参保登记”因此不再提交" in state["NB-HK"]["bearing"]
        assert "本事项未提交" in state["NB-YB"]["bearing"]
        # Told now, not only in the combined notice (which waits for 社保卡).
        [dropped] = Notification.objects.filter(recipient=citizen, event="bundle.part_dropped", channel="inbox")
        assert "医保参保登记" in dropped.body and "户口登记" in dropped.body and "不予许可" in dropped.body
        assert "其他事项不受影响" in dropped.body
        assert not Notification.objects.filter(event="bundle.completed").exists()


class TestCombinedNoticeLanguage:
    def test_the_combined_notice_is_in_the_applicants_language(
        self, api, client, citizen, clerk, newborn, central_peer
    ):
        preference_update(user=citizen, sms=False, email=False, language=Language.EN)
        body = submitted_bundle(api, citizen)
        state = parts(body)
        accept_and_decide(api, client, clerk, state["NB-HK"]["case"]["number"], decision="denied")
        [dropped] = Notification.objects.filter(recipient=citizen, event="bundle.part_dropped", channel="inbox")
        assert dropped.language == "en"
        assert "was not submitted" in dropped.body and "was not approved (Not granted)" in dropped.body
        accept_and_decide(api, client, clerk, state["NB-SB"]["case"]["number"])
        [notice] = Notification.objects.filter(recipient=citizen, event="bundle.completed", channel="inbox")
        assert notice.language == "en" and "every matter of" in notice.body
        assert "户口登记: Not granted; 医保参保登记: not submitted; 社会保障卡申领: Granted" in notice.body
        assert "不予许可" not in notice.body and "未提交" not in notice.body


class TestOwnership:
    def test_another_citizen_never_sees_a_bundle_application(self, api, citizen, other_citizen, newborn, central_peer):
        body = submitted_bundle(api, citizen)
        base = f"/api/v1/online/bundle-applications/{body['code']}/"
        other = api(other_citizen)
        assert other.get(base).status_code == 404
        assert other.patch(base, {"form_values": {"child-name": "x"}}, format="json").status_code == 404
        assert other.post(f"{base}submit/", {"declaration": True}, format="json").status_code == 404
        assert other.get("/api/v1/online/bundle-applications/").json() == []
        # Nor the cases it made.
        for part in body["status"]["parts"]:
            if part["case"]:
                assert other.get(f"/api/v1/cases/{part['case']['number']}/").status_code == 404

    def test_the_bundles_are_listed_for_anyone(self, api, newborn):
        listed = api(None).get("/api/v1/online/bundles/").json()
        assert [b["code"] for b in listed] == ["newborn"]
        assert listed[0]["items"][1] == {"matter_code": "NB-YB", "after": "NB-HK"}


class TestOneItem:
    def test_the_bundle_promise_is_its_latest_part_counting_a_waiting_step_from_its_prerequisite(
        self, api, citizen, clerk, newborn, central_peer
    ):
        from apps.shared.workcalendar.selectors import add_workdays_or_none

        body = submitted_bundle(api, citizen)
        state = parts(body)
        assert body["status"]["promised_date"] is None  # not accepted yet: no promise
        for key in ("NB-HK", "NB-SB"):
            assert (
                api(clerk).post(f"/api/v1/workbench/prereview/{state[key]['case']['number']}/accept/").status_code
                == 200
            )
        after = api(citizen).get(f"/api/v1/online/bundle-applications/{body['code']}/").json()
        hukou = Case.objects.get(number=state["NB-HK"]["case"]["number"])
        expected = add_workdays_or_none(hukou.promised_date, 5)
        assert parts(after)["NB-YB"]["promised_date"] == expected.isoformat()
        assert after["status"]["promised_date"] == expected.isoformat()

    def test_statistics_report_the_bundle_as_one_item_and_per_matter(
        self, api, client, citizen, other_citizen, clerk, newborn, central_peer, django_assert_max_num_queries
    ):
        from tests.factories import make_user

        first = submitted_bundle(api, citizen)
        submitted_bundle(api, other_citizen)
        state = parts(first)
        accept_and_decide(api, client, clerk, state["NB-HK"]["case"]["number"], decision="denied")
        accept_and_decide(api, client, clerk, state["NB-SB"]["case"]["number"])
        supervisor = make_user("hallsup", "hall_supervisor", real_name="陈主任")
        with django_assert_max_num_queries(8):
            [row] = api(supervisor).get("/api/v1/online/bundles/statistics/").json()
        assert (row["bundle"], row["submitted"], row["completed"], row["all_approved"]) == ("newborn", 2, 1, 0)
        assert row["average_days"] is not None
        by_matter = {m["matter"]: m for m in row["matters"]}
        assert by_matter["户口登记"] == {"matter": "户口登记", "approved": 0, "not_approved": 1, "open": 1}
        assert by_matter["医保参保登记"] == {"matter": "医保参保登记", "approved": 0, "not_approved": 1, "open": 1}
        assert by_matter["社会保障卡申领"] == {"matter": "社会保障卡申领", "approved": 1, "not_approved": 0, "open": 1}
        assert api(citizen).get("/api/v1/online/bundles/statistics/").status_code == 403
        assert api(supervisor).get("/api/v1/online/bundles/statistics/", {"days": "0"}).status_code == 400


class TestPages:
    def test_a_parent_applies_for_the_bundle_through_the_pages_and_sees_each_part(self, citizen, newborn, central_peer):
        from django.test import Client

        assert "新生儿出生一件事" in Client().get("/bundles/").content.decode()
        page = Client()
        page.force_login(citizen)
        started = page.get("/bundles/newborn/apply/")
        assert started.status_code == 302
        url = started["Location"]
        form = page.get(url).content.decode()
        # One field, one material, whatever the number of matters asking for it.
        assert form.count('name="field_child-name"') == 1 and form.count('name="material_household-register"') == 1
        saved = page.post(
            url,
            {
                "action": "save",
                "field_child-name": "王小宝",
                "field_birth-date": "2026-11-20",
                "field_bank": "北京银行",
                "method": "electronic",
                "material_birth-certificate": upload("出生证明.pdf", PDF, "application/pdf"),
                "material_household-register": upload("户口簿.pdf", PDF + b"hk", "application/pdf"),
                "material_photo": upload("photo.png"),
            },
        )
        assert saved.status_code == 302
        done = page.post(
            url,
            {
                "action": "submit",
                "field_child-name": "王小宝",
                "field_birth-date": "2026-11-20",
                "field_bank": "北京银行",
                "method": "electronic",
                "declaration": "on",
            },
        )
        assert done.status_code == 302, done.content.decode()[:1000]
        status = page.get(url).content.decode()
        assert 'data-overall="in_progress"' in status
        assert 'id="part-NB-YB" data-outcome="open"' in status and "等待“户口登记”准予后自动提交" in status
        assert Case.objects.count() == 2
