"""Front-site personas and places: two halls, a matter, slots, citizens and clerks."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.utils import timezone

from apps.front.booking.models import GroupMatter, Hall, Slot, StaffPost, Window, WindowGroup
from apps.front.floor.models import Terminal
from apps.shared.accounts.models import Role
from apps.shared.exchange.models import Peer, PeerKey
from tests.factories import make_matter, make_user

TERMINAL_TOKEN = "terminal-token-tz"


def _hall(code: str, name: str) -> tuple[Hall, WindowGroup, Window]:
    hall = Hall.objects.create(code=code, name=name, address=f"{name}地址", case_prefix=code)
    group = WindowGroup.objects.create(hall=hall, letter="A", name="综合受理")
    window = Window.objects.create(hall=hall, group=group, number=1)
    return hall, group, window


@pytest.fixture
def hall(db):
    return _hall("TZ", "北京城市副中心政务服务中心")[0]


@pytest.fixture
def other_hall(db):
    return _hall("YS", "永顺镇便民服务中心")[0]


@pytest.fixture
def matter(db, hall):
    matter = make_matter()
    GroupMatter.objects.create(group=hall.groups.get(), matter_code=matter.code)
    return matter


def make_slot(hall: Hall, *, days_ahead: int = 1, hour: int = 9, capacity: int = 1, released: bool = True) -> Slot:
    day = timezone.localdate() + dt.timedelta(days=days_ahead)
    start = timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))
    release_at = timezone.now() - dt.timedelta(hours=1) if released else timezone.now() + dt.timedelta(days=1)
    return Slot.objects.create(
        hall=hall,
        group=hall.groups.get(),
        date=day,
        start=start,
        end=start + dt.timedelta(minutes=30),
        capacity=capacity,
        release_at=release_at,
    )


@pytest.fixture
def slot(hall, matter):
    return make_slot(hall, capacity=2)


@pytest.fixture
def citizen(db):
    return make_user("citizen", real_name="王小明", phone="13800001111", email="wang@example.com")


@pytest.fixture
def other_citizen(db):
    return make_user("citizen2", real_name="欧阳娜娜", phone="13900002222")


@pytest.fixture
def clerk(db, hall):
    user = make_user("clerk", Role.CLERK, real_name="李窗口")
    StaffPost.objects.create(user=user, hall=hall, window=hall.windows.get())
    return user


@pytest.fixture
def other_hall_clerk(db, other_hall):
    user = make_user("clerk_ys", Role.CLERK, real_name="赵窗口")
    StaffPost.objects.create(user=user, hall=other_hall, window=other_hall.windows.get())
    return user


@pytest.fixture
def terminal(hall):
    return Terminal.objects.create(
        hall=hall, name="1号取号机", token_sha256=hashlib.sha256(TERMINAL_TOKEN.encode()).hexdigest()
    )


@pytest.fixture
def central_peer(db):
    peer = Peer.objects.create(code="central", name="审批总后台", base_url="http://127.0.0.1:9")
    PeerKey.objects.create(peer=peer, key_id="k1", secret="test-secret")
    return peer
