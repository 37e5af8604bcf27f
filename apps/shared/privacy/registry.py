"""What each app holds about people, told to this app by the app that holds it.

The lifecycle of personal information has one mechanism (this app: the retention job, the citizen's export
and the deletion of an account) and many owners: each app describes its own records in its ``privacy.py``,
beside its models, and registers them here. This app sits below every other (it imports none of them); the
``privacy`` modules are found like Django's ``admin`` modules (``AppConfig.ready()`` autodiscovers them), so
an app that holds personal data says so in one file and nowhere else.

Four things an app can register:

* a **kind of record** (``RecordKind``): which rows are past their period at a cutoff, and what happens to
  them (deleted, or anonymised: the row stays for the statistics, the person goes). The period is a knob of
  this app's ``conf.py``, named by the kind;
* an **export section**: what it holds about a citizen, as JSON, and the citizen's own files;
* a **guard**: why an account cannot be deleted now (raises a ``DomainError`` with its code);
* an **eraser**: what it deletes or detaches when an account is deleted, inside the deletion's transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils import timezone

if TYPE_CHECKING:
    from django.db.models.fields.files import FieldFile
    from django_stubs_ext import StrOrPromise


class Action:
    DELETE = "delete"
    ANONYMISE = "anonymise"


@dataclass(frozen=True)
class RecordKind:
    """One kind of record and its end. ``due(cutoff)`` gives the rows whose period ended before ``cutoff``
    and that were not dealt with yet (an anonymised row no longer matches, so a second run finds nothing);
    ``apply(pks)`` deletes or anonymises those rows and returns how many it did. Without ``apply`` a DELETE
    kind deletes the rows (one by one where a protected reference keeps one: that row waits)."""

    key: str
    label: StrOrPromise
    knob: str
    action: str
    due: Callable[[dt.datetime], models.QuerySet[Any]]
    basis: StrOrPromise
    apply: Callable[[list[Any]], int] | None = None
    minimum_days: int = 0
    # Audit-trail tables (django-pghistory event models) this kind deals with itself: the general audit rule
    # leaves them alone (a case file's trail stays as long as the case file).
    audit_models: tuple[type[models.Model], ...] = field(default=())
    # Other tables whose rows end with this kind's rows (a case's events, documents and materials): said here
    # so that every table of personal data is seen to have an end (tests/shared/privacy).
    covers: tuple[type[models.Model], ...] = field(default=())

    @property
    def models(self) -> tuple[type[models.Model], ...]:
        """The tables this kind ends: its own (its queryset's, built lazily: no query runs) and those it covers."""
        return (self.due(timezone.now()).model, *self.covers)


@dataclass(frozen=True)
class ExportFile:
    """A file of the citizen's, put in the export's zip as ``files/<path>``."""

    path: str
    file: FieldFile


@dataclass(frozen=True)
class ExportSection:
    name: str
    data: Callable[[Any], Any]
    files: Callable[[Any], Iterable[ExportFile]] | None = None


# (user) -> None; raises a DomainError saying why the account cannot be deleted now.
Guard = Callable[[Any], None]
# (user) -> {"what": rows}; runs inside the deletion's transaction.
Eraser = Callable[[Any], dict[str, int]]

_kinds: dict[str, RecordKind] = {}
_sections: dict[str, ExportSection] = {}
_guards: list[Guard] = []
_erasers: list[tuple[int, str, Eraser]] = []


def register_kind(kind: RecordKind) -> RecordKind:
    existing = _kinds.get(kind.key)
    if existing is not None and existing.due.__module__ != kind.due.__module__:
        raise RuntimeError(f"two kinds of record named {kind.key}")
    _kinds[kind.key] = kind
    return kind


def kinds() -> tuple[RecordKind, ...]:
    return tuple(_kinds.values())


def register_export(
    name: str, data: Callable[[Any], Any], files: Callable[[Any], Iterable[ExportFile]] | None = None
) -> None:
    _sections[name] = ExportSection(name=name, data=data, files=files)


def export_sections() -> tuple[ExportSection, ...]:
    return tuple(_sections.values())


def register_guard(guard: Guard) -> None:
    if guard not in _guards:
        _guards.append(guard)


def guards() -> tuple[Guard, ...]:
    return tuple(_guards)


def register_eraser(name: str, eraser: Eraser, *, order: int = 100) -> None:
    """``order``: lower first. The account itself (accounts) goes last, after every app detached its rows."""
    _erasers[:] = [entry for entry in _erasers if entry[1] != name]
    _erasers.append((order, name, eraser))
    _erasers.sort(key=lambda entry: entry[0])


def erasers() -> tuple[tuple[str, Eraser], ...]:
    return tuple((name, eraser) for _order, name, eraser in _erasers)


def claimed_audit_models() -> set[type[models.Model]]:
    return {model for kind in _kinds.values() for model in kind.audit_models}


def final_statuses(transitions: dict[str, frozenset[str]]) -> Sequence[str]:
    """The states a lifecycle ends in (nothing follows them), read from its transition map: a state added
    later is counted without touching the rules here."""
    return [str(status) for status, following in transitions.items() if not following]
