"""The demo data of the apps above booking, for ``manage.py seed_demo``: the command seeds the catalog,
the halls, the users and the central peer; each app above connects, in its AppConfig.ready(), a seeder
for its own rows in those halls (the floor its terminals, guidance its guided questions) and the logins
it wants printed. Booking never imports them, and every app writes its own tables."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Protocol

from govservice.lib.hooks import Hook

if TYPE_CHECKING:
    from .models import Hall


class DemoSeeder(Protocol):
    """Seed the app's demo rows, idempotently; return how many were created, by what they are."""

    def __call__(self, *, halls: Mapping[str, Hall]) -> dict[str, int]: ...


class DemoLogins(Protocol):
    """Lines for the logins the command prints; ``url`` makes a URL name absolute."""

    def __call__(self, *, url: Callable[[str], str]) -> list[str]: ...


demo_seeders: Hook[DemoSeeder] = Hook("front demo data")
demo_logins: Hook[DemoLogins] = Hook("front demo logins")
