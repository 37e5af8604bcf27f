"""An app's business knobs, typed and documented in one place: the app's ``conf.py``.

Framework configuration (databases, security, backends) stays in ``govservice/settings/`` (a module per responsibility); the rules of
the business that operators may tune (booking horizons, no-show limits, quiet hours…) live with the app
they govern::

    class BookingConf(AppConf):
        # Working days ahead a citizen may book (DOMAIN.md §3).
        BOOKING_HORIZON_WORKDAYS = Knob(env_int, 10)

    booking_conf = BookingConf()
    booking_conf.BOOKING_HORIZON_WORKDAYS  # -> int

One name everywhere: the attribute, the environment variable and the Django setting are the same word.
A knob is read in this order:

1. a Django setting of that name, if one exists (govservice/settings/, ``override_settings``, pytest-django's
   ``settings`` fixture) — read at each access, so an override made after import still wins;
2. the environment variable of that name, read once when ``conf.py`` is imported and creates the instance (each app imports its
   conf in ``AppConfig.ready()``, so a malformed value stops the process at start-up);
3. the default written next to the knob.

Why not django-appconf: it copies each value onto its class when the class is created, so reading
``conf.X`` after a test's ``settings.X = …`` returns the old value; with appconf the code must keep reading
``django.conf.settings``, which is what this module exists to stop.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar, overload

from django.conf import settings

T = TypeVar("T")


class Knob(Generic[T]):
    """One business setting: ``Knob(env_int, 10)`` reads the environment variable named like the attribute."""

    def __init__(self, reader: Callable[[str, T], T], default: T) -> None:
        self.reader = reader
        self.default = default
        self.name = ""
        self.from_environment: T = default

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def load(self) -> None:
        """Read the environment variable (raises ImproperlyConfigured naming it if malformed)."""
        self.from_environment = self.reader(self.name, self.default)

    @overload
    def __get__(self, obj: None, owner: type) -> Knob[T]: ...

    @overload
    def __get__(self, obj: object, owner: type) -> T: ...

    def __get__(self, obj: object | None, owner: type) -> Knob[T] | T:
        if obj is None:
            return self
        value: T = getattr(settings, self.name, self.from_environment)
        return value

    def __set__(self, obj: object, value: Any) -> None:
        raise AttributeError(f"{self.name} is read-only here: override the Django setting of that name")


class AppConf:
    """Base of an app's configuration; subclasses declare ``Knob`` attributes. Creating the instance
    (once, in ``conf.py``) reads their environment variables."""

    def __init__(self) -> None:
        for knob in self.knobs().values():
            knob.load()

    @classmethod
    def knobs(cls) -> dict[str, Knob[Any]]:
        return {name: value for name, value in vars(cls).items() if isinstance(value, Knob)}
