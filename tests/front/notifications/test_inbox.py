"""The in-app inbox over the API: mine only, a constant number of queries, mark read."""

import pytest
from django.db import transaction

from apps.front.notifications.models import Channel
from apps.front.notifications.services import notify


def _send(user, n=1):
    with transaction.atomic():
        for i in range(n):
            notify(
                recipient=user,
                event="booking.confirmed",
                context={"code": f"C{i}", "matter": "m", "hall": "h", "address": "a", "time": "t"},
            )


@pytest.mark.django_db
class TestInbox:
    def test_it_lists_only_my_messages_with_a_constant_number_of_queries(
        self, api, citizen, other_citizen, django_assert_max_num_queries
    ):
        _send(citizen, 2)
        _send(other_citizen, 1)
        client = api(citizen)
        with django_assert_max_num_queries(3) as few:
            first = client.get("/api/v1/inbox/").json()
        _send(citizen, 5)
        with django_assert_max_num_queries(len(few.captured_queries)):
            many = client.get("/api/v1/inbox/").json()
        assert len(first) == 2 and len(many) == 7
        assert {m["channel"] for m in many} == {Channel.INBOX}
        assert all("C" in m["body"] for m in many)

    def test_it_marks_a_message_read_once(self, api, citizen):
        _send(citizen)
        client = api(citizen)
        message = client.get("/api/v1/inbox/").json()[0]
        assert message["read_at"] is None
        first = client.post(f"/api/v1/inbox/{message['id']}/read/").json()
        again = client.post(f"/api/v1/inbox/{message['id']}/read/").json()
        assert first["read_at"] and again["read_at"] == first["read_at"]

    def test_another_citizen_gets_404(self, api, citizen, other_citizen):
        _send(citizen)
        message = api(citizen).get("/api/v1/inbox/").json()[0]
        response = api(other_citizen).post(f"/api/v1/inbox/{message['id']}/read/")
        assert response.status_code == 404 and response.json()["code"] == "not_found"

    def test_an_sms_row_is_not_an_inbox_message(self, api, citizen):
        with transaction.atomic():
            rows = notify(recipient=citizen, event="booking.confirmed", context={"code": "X"})
        sms = next(n for n in rows if n.channel == Channel.SMS)
        assert api(citizen).post(f"/api/v1/inbox/{sms.id}/read/").status_code == 404
