import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.front.booking.models import Appointment, AppointmentStatus, GroupMatter, Slot
from apps.front.booking.services import appointment_book_by_staff
from apps.shared.catalog.models import Target
from govservice.lib.errors import DomainError
from tests.factories import make_matter
from tests.front.mandates.conftest import make_company
from tests.personas_front import make_slot


@pytest.mark.django_db
class TestBooking:
    def test_it_books_a_released_slot_and_counts_it(self, api, citizen, slot, matter):
        response = api(citizen).post("/api/v1/appointments/", {"slot": slot.id, "matter": matter.code}, format="json")
        assert response.status_code == 201, response.content
        body = response.json()
        assert len(body["code"]) == 8
        assert body["status"] == "booked"
        slot.refresh_from_db()
        assert slot.booked == 1
        assert Appointment.objects.get(code=body["code"]).events.get().to_status == "booked"

    def test_it_answers_409_when_the_slot_is_full_and_keeps_nothing(self, api, citizen, other_citizen, hall, matter):
        slot = make_slot(hall, capacity=1)
        assert (
            api(other_citizen)
            .post("/api/v1/appointments/", {"slot": slot.id, "matter": matter.code}, format="json")
            .status_code
            == 201
        )
        response = api(citizen).post("/api/v1/appointments/", {"slot": slot.id, "matter": matter.code}, format="json")
        assert response.status_code == 409
        assert response.json()["code"] == "slot_full"
        assert "约满" in response.json()["detail"]
        assert not Appointment.objects.filter(citizen=citizen).exists()
        slot.refresh_from_db()
        assert slot.booked == 1

    def test_it_refuses_a_slot_not_yet_released(self, api, citizen, hall, matter):
        slot = make_slot(hall, released=False)
        response = api(citizen).post("/api/v1/appointments/", {"slot": slot.id, "matter": matter.code}, format="json")
        assert response.status_code == 422
        assert response.json()["code"] == "not_released"

    def test_it_refuses_a_same_day_slot(self, api, citizen, hall, matter):
        slot = make_slot(hall, days_ahead=0)
        response = api(citizen).post("/api/v1/appointments/", {"slot": slot.id, "matter": matter.code}, format="json")
        assert response.json()["code"] == "too_late"

    def test_it_allows_one_active_appointment_per_matter(self, api, citizen, hall, matter):
        first, second = make_slot(hall, hour=9), make_slot(hall, hour=10)
        assert (
            api(citizen)
            .post("/api/v1/appointments/", {"slot": first.id, "matter": matter.code}, format="json")
            .status_code
            == 201
        )
        response = api(citizen).post("/api/v1/appointments/", {"slot": second.id, "matter": matter.code}, format="json")
        assert response.status_code == 409
        assert response.json()["code"] == "duplicate"

    def test_it_returns_the_first_result_for_a_repeated_idempotency_key(self, api, citizen, slot, matter):
        client = api(citizen)
        one = client.post(
            "/api/v1/appointments/", {"slot": slot.id, "matter": matter.code}, format="json", HTTP_IDEMPOTENCY_KEY="abc"
        )
        two = client.post(
            "/api/v1/appointments/", {"slot": slot.id, "matter": matter.code}, format="json", HTTP_IDEMPOTENCY_KEY="abc"
        )
        assert one.json()["code"] == two.json()["code"]
        assert Slot.objects.get(id=slot.id).booked == 1

    def test_it_refuses_an_idempotency_key_reused_for_another_booking(self, api, citizen, hall, matter):
        first, second = make_slot(hall, hour=9), make_slot(hall, hour=10)
        client = api(citizen)
        one = client.post(
            "/api/v1/appointments/",
            {"slot": first.id, "matter": matter.code},
            format="json",
            HTTP_IDEMPOTENCY_KEY="abc",
        )
        assert one.status_code == 201
        other = client.post(
            "/api/v1/appointments/",
            {"slot": second.id, "matter": matter.code},
            format="json",
            HTTP_IDEMPOTENCY_KEY="abc",
        )
        assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
        assert "幂等键" in other.json()["detail"]
        english = client.post(
            "/api/v1/appointments/",
            {"slot": second.id, "matter": matter.code},
            format="json",
            HTTP_IDEMPOTENCY_KEY="abc",
            HTTP_ACCEPT_LANGUAGE="en",
        )
        assert english.status_code == 422 and "Idempotency-Key" in english.json()["detail"]
        assert Slot.objects.get(id=first.id).booked == 1 and Slot.objects.get(id=second.id).booked == 0

    def test_it_cancels_and_gives_the_place_back(self, api, citizen, slot, matter):
        code = (
            api(citizen)
            .post("/api/v1/appointments/", {"slot": slot.id, "matter": matter.code}, format="json")
            .json()["code"]
        )
        response = api(citizen).post(f"/api/v1/appointments/{code}/cancel/")
        assert response.status_code == 200
        assert response.json()["status"] == AppointmentStatus.CANCELLED_BY_CITIZEN
        assert Slot.objects.get(id=slot.id).booked == 0
        assert api(citizen).post(f"/api/v1/appointments/{code}/cancel/").status_code == 409

    def test_it_reschedules_atomically_and_keeps_history(self, api, citizen, hall, matter):
        first, second = make_slot(hall, hour=9), make_slot(hall, hour=11, capacity=1)
        code = (
            api(citizen)
            .post("/api/v1/appointments/", {"slot": first.id, "matter": matter.code}, format="json")
            .json()["code"]
        )
        response = api(citizen).post(f"/api/v1/appointments/{code}/reschedule/", {"slot": second.id}, format="json")
        assert response.status_code == 201, response.content
        new = Appointment.objects.get(code=response.json()["code"])
        assert new.rescheduled_from.code == code
        assert new.rescheduled_from.status == AppointmentStatus.CANCELLED_BY_CITIZEN
        assert (Slot.objects.get(id=first.id).booked, Slot.objects.get(id=second.id).booked) == (0, 1)

    def test_it_keeps_the_old_appointment_when_the_new_slot_is_full(self, api, citizen, other_citizen, hall, matter):
        first, full = make_slot(hall, hour=9), make_slot(hall, hour=11, capacity=1)
        from apps.front.booking.models import GroupMatter
        from tests.factories import make_matter

        other_matter = make_matter("M-009", name="其他事项")
        GroupMatter.objects.create(group=hall.groups.get(), matter_code=other_matter.code)
        api(other_citizen).post("/api/v1/appointments/", {"slot": full.id, "matter": other_matter.code}, format="json")
        code = (
            api(citizen)
            .post("/api/v1/appointments/", {"slot": first.id, "matter": matter.code}, format="json")
            .json()["code"]
        )
        response = api(citizen).post(f"/api/v1/appointments/{code}/reschedule/", {"slot": full.id}, format="json")
        assert response.status_code == 409 and response.json()["code"] == "slot_full"
        assert Appointment.objects.get(code=code).status == AppointmentStatus.BOOKED
        assert (Slot.objects.get(id=first.id).booked, Slot.objects.get(id=full.id).booked) == (1, 1)

    def test_it_hides_another_citizens_appointment(self, api, citizen, other_citizen, slot, matter):
        code = (
            api(citizen)
            .post("/api/v1/appointments/", {"slot": slot.id, "matter": matter.code}, format="json")
            .json()["code"]
        )
        assert api(other_citizen).get(f"/api/v1/appointments/{code}/").status_code == 404
        assert api(other_citizen).post(f"/api/v1/appointments/{code}/cancel/").status_code == 404
        assert Appointment.objects.get(code=code).status == "booked"
        from django.test import Client

        page = Client()
        page.force_login(other_citizen)
        assert page.get(f"/appointments/{code}/").status_code == 404

    def test_it_lists_my_appointments_in_constant_queries(self, api, citizen, hall, matter):
        from apps.front.booking.models import GroupMatter
        from tests.factories import make_matter

        client = api(citizen)
        for i in range(3):
            m = make_matter(f"M-10{i}", name=f"事项{i}")
            GroupMatter.objects.create(group=hall.groups.get(), matter_code=m.code)
            client.post(
                "/api/v1/appointments/", {"slot": make_slot(hall, hour=9 + i).id, "matter": m.code}, format="json"
            )
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/api/v1/appointments/")
        assert len(response.json()) == 3
        assert len(queries) <= 3

    def test_it_shows_open_slots_with_remaining_places(self, api, slot, matter, hall):
        response = api(None).get(f"/api/v1/slots/?hall={hall.id}&matter={matter.code}")
        assert response.status_code == 200
        assert [s["id"] for s in response.json()] == [slot.id]
        assert response.json()[0]["remaining"] == 2
        assert api(None).get("/api/v1/slots/?hall=x").status_code == 400


@pytest.mark.django_db
def test_it_generates_slots_idempotently_for_working_days(hall, matter):
    import datetime as dt

    from apps.front.booking.services import slots_generate

    created = slots_generate(today=dt.date(2026, 9, 30), horizon=3)
    # Oct 1-7 2026 is the National Day holiday; Oct 8, Oct 9 and Oct 10 (a 调休 Saturday) work.
    dates = sorted(set(Slot.objects.values_list("date", flat=True)))
    assert dates == [dt.date(2026, 10, 8), dt.date(2026, 10, 9), dt.date(2026, 10, 10)]
    assert created == 3 * 13
    assert slots_generate(today=dt.date(2026, 9, 30), horizon=3) == 0


@pytest.mark.django_db
@pytest.mark.unpublished_calendar
def test_it_stops_generating_at_an_unpublished_year(hall, matter):
    import datetime as dt

    from apps.front.booking.services import slots_generate

    slots_generate(today=dt.date(2026, 12, 28), horizon=10)
    assert max(Slot.objects.values_list("date", flat=True)) == dt.date(2026, 12, 31)


@pytest.mark.django_db
def test_it_offers_the_appointment_as_a_calendar_event(api, citizen, other_citizen, slot, matter):
    from django.test import Client

    code = (
        api(citizen)
        .post("/api/v1/appointments/", {"slot": slot.id, "matter": matter.code}, format="json")
        .json()["code"]
    )
    page = Client()
    page.force_login(citizen)
    response = page.get(f"/appointments/{code}.ics")
    assert response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    assert "BEGIN:VEVENT" in body and f"UID:{code}@cloudwindow" in body
    assert f"DTSTART:{slot.start.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}" in body
    assert "居民身份证" in body and "\r\n" in body
    other = Client()
    other.force_login(other_citizen)
    assert other.get(f"/appointments/{code}.ics").status_code == 404


def test_the_matter_page_time_picker_posts_to_the_matter_and_explains_the_rules(client, citizen, slot, matter, hall):
    client.force_login(citizen)
    page = client.get(f"/matters/{matter.code}/?hall={hall.id}").content.decode()
    assert f'action="/matters/{matter.code}/book/" id="book-form"' in page and f'value="{slot.id}"' in page
    assert 'name="idempotency_key" value="' in page
    assert "预约规则" in page
    fragment = client.get(f"/matters/{matter.code}/?hall={hall.id}", headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in fragment and f'action="/matters/{matter.code}/book/"' in fragment and "预约规则" in fragment


@pytest.mark.django_db
class TestWhomTheMatterServes:
    """服务对象 (DOMAIN.md §9): a matter serves persons, companies or both, for everyone who books — not only an
    agent. The rule is the catalog's (apps/shared/catalog/applicants.py), read by the fast path with its facts."""

    def test_a_person_is_refused_a_matter_for_companies_and_books_nothing(self, api, citizen, slot, matter):
        matter.target = Target.ORGANISATION
        matter.save(update_fields=["target"])
        body = {"slot": slot.id, "matter": matter.code}
        refused = api(citizen).post("/api/v1/appointments/", body, format="json")
        assert (refused.status_code, refused.json()["code"]) == (422, "matter_not_for_persons")
        assert "面向法人办理" in refused.json()["detail"]
        english = api(citizen).post("/api/v1/appointments/", body, format="json", HTTP_ACCEPT_LANGUAGE="en")
        assert "serves companies" in english.json()["detail"]
        assert not Appointment.objects.exists() and Slot.objects.get(id=slot.id).booked == 0

    def test_a_matter_for_both_is_booked_by_a_person(self, api, citizen, slot, matter):
        matter.target = Target.BOTH
        matter.save(update_fields=["target"])
        booked = api(citizen).post("/api/v1/appointments/", {"slot": slot.id, "matter": matter.code}, format="json")
        assert booked.status_code == 201, booked.content

    def test_a_companys_agent_books_the_companys_matter(self, api, citizen, slot, hall):
        company = make_company(citizen)
        company_matter = make_matter("C-901", name="食品经营许可", target=Target.ORGANISATION)
        GroupMatter.objects.create(group=hall.groups.get(), matter_code=company_matter.code)
        booked = api(citizen).post(
            f"/api/v1/acting/{company.account.pk}/appointments/",
            {"slot": slot.id, "matter": company_matter.code},
            format="json",
        )
        assert booked.status_code == 201, booked.content
        assert Appointment.objects.get(code=booked.json()["code"]).citizen == company.account
        # The same person, booking for themselves, is refused the company's matter.
        own = api(citizen).post(
            "/api/v1/appointments/", {"slot": slot.id, "matter": company_matter.code}, format="json"
        )
        assert own.json()["code"] == "matter_not_for_persons"

    def test_hall_staff_cannot_book_a_person_into_a_matter_for_companies(self, citizen, slot, matter, clerk):
        matter.target = Target.ORGANISATION
        matter.save(update_fields=["target"])
        with pytest.raises(DomainError) as refused:
            appointment_book_by_staff(staff=clerk, citizen=citizen, slot_id=slot.id, matter_code=matter.code)
        assert refused.value.code == "matter_not_for_persons"
