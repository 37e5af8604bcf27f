"""The hall's display board: public, live, masked, announced once per call."""

import re

import pytest

from apps.front.floor.services import ticket_call_next, ticket_recall, ticket_walk_in
from tests.factories import make_user, valid_id_number


@pytest.fixture
def named_citizen(db):
    return make_user(
        "board_citizen", real_name="张三丰", id_number=valid_id_number(birth="19850505"), phone="13912345678"
    )


@pytest.mark.django_db
class TestBoard:
    def test_it_shows_calls_and_queues_to_anyone_without_login(
        self, client, hall, matter, terminal, clerk, named_citizen
    ):
        ticket_walk_in(terminal=terminal, matter_code=matter.code, id_number=named_citizen.id_number)
        ticket_walk_in(terminal=terminal, matter_code=matter.code)
        ticket_walk_in(terminal=terminal, matter_code=matter.code)
        called = ticket_call_next(clerk=clerk)
        response = client.get(f"/board/{hall.code}/")
        assert response.status_code == 200
        html = response.content.decode()
        current = re.search(r'<tr class="status-called" data-window="1">(.*?)</tr>', html, re.S).group(1)
        assert called.label in current and "张**" in current and "1 号窗口" in current
        assert re.search(r'data-group="A">.*?<strong>2</strong>', html, re.S)
        assert 'data-say="请 A001 号到 1 号窗口办理"' in html
        assert 'hx-get="/board/TZ/live/"' in html and 'hx-trigger="every 2s"' in html

    def test_it_gives_a_recall_its_own_announcement(self, client, hall, matter, terminal, clerk):
        ticket_walk_in(terminal=terminal, matter_code=matter.code)
        ticket = ticket_call_next(clerk=clerk)
        ticket_recall(clerk=clerk, ticket_id=ticket.id)
        html = client.get(f"/board/{hall.code}/live/").content.decode()
        ids = re.findall(r'data-call-id="(\d+)" data-say="请 A001 号到 1 号窗口办理"', html)
        assert len(ids) == 2 and int(ids[0]) > int(ids[1])  # newest first, each with its own id

    def test_it_shows_nothing_personal_beyond_the_masked_name(
        self, client, hall, matter, terminal, clerk, named_citizen
    ):
        ticket_walk_in(terminal=terminal, matter_code=matter.code, id_number=named_citizen.id_number)
        ticket_call_next(clerk=clerk)
        html = client.get(f"/board/{hall.code}/").content.decode()
        assert "张**" in html
        for secret in (
            "张三丰",
            named_citizen.id_number,
            named_citizen.id_number[-4:],
            "13912345678",
            "5678",
            matter.name,
        ):
            assert secret not in html

    def test_it_shows_only_its_own_halls_calls(self, client, hall, other_hall, other_hall_clerk, matter, terminal):
        from apps.front.booking.models import GroupMatter

        GroupMatter.objects.create(group=other_hall.groups.get(), matter_code=matter.code)
        from apps.front.floor.models import Terminal

        ys = Terminal.objects.create(hall=other_hall, name="永顺取号机", token_sha256="x" * 64)
        ticket_walk_in(terminal=ys, matter_code=matter.code)
        ticket_call_next(clerk=other_hall_clerk)
        html = client.get(f"/board/{hall.code}/live/").content.decode()
        assert "data-call-id" not in html and "暂无呼叫" in html

    def test_it_answers_404_for_an_unknown_hall(self, client, hall):
        assert client.get("/board/NOPE/").status_code == 404
        assert client.get("/board/NOPE/live/").status_code == 404

    def test_it_reads_the_live_part_in_constant_queries(
        self, client, hall, matter, terminal, clerk, neighbour_clerk, django_assert_max_num_queries
    ):
        def queries() -> int:
            with django_assert_max_num_queries(10) as captured:
                assert client.get(f"/board/{hall.code}/live/").status_code == 200
            return len(captured)

        ticket_walk_in(terminal=terminal, matter_code=matter.code)
        ticket_call_next(clerk=clerk)
        few = queries()
        for _ in range(15):
            ticket_walk_in(terminal=terminal, matter_code=matter.code)
        ticket_call_next(clerk=neighbour_clerk)
        ticket_call_next(clerk=clerk)
        assert queries() == few
