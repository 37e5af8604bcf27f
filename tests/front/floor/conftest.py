"""Hall-floor places and people beyond the shared personas: a second window group, more clerks, tickets."""

from __future__ import annotations

import pytest

from apps.front.booking.models import GroupMatter, StaffPost, Window, WindowGroup
from apps.shared.accounts.models import Role
from tests.factories import make_matter, make_user


@pytest.fixture
def group_a(hall):
    return hall.groups.get(letter="A")


@pytest.fixture
def group_b(hall, matter, clerk, slot):
    # After the shared personas, which look up the hall's only group and window with .get().
    group = WindowGroup.objects.create(hall=hall, letter="B", name="社保医保")
    Window.objects.create(hall=hall, group=group, number=5)
    return group


@pytest.fixture
def matter_b(group_b):
    matter = make_matter("M-B01", name="城乡居民医保参保登记")
    GroupMatter.objects.create(group=group_b, matter_code=matter.code)
    return matter


@pytest.fixture
def clerk_b(group_b):
    user = make_user("clerk_b", Role.CLERK, real_name="孙窗口")
    StaffPost.objects.create(user=user, hall=group_b.hall, window=group_b.windows.get())
    return user


@pytest.fixture
def neighbour_clerk(hall, group_a, clerk):
    """Same hall and group as ``clerk``, another window."""
    window = Window.objects.create(hall=hall, group=group_a, number=2)
    user = make_user("clerk_a2", Role.CLERK, real_name="周窗口")
    StaffPost.objects.create(user=user, hall=hall, window=window)
    return user
