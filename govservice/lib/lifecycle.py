"""One status mover for every lifecycle (STYLE.md "State changes").

A model whose rows move through statuses declares the whole lifecycle next to its status choices, as a map
``{from: frozenset({to, …})}``, and names it on the model as ``TRANSITIONS``. Every move goes through
:func:`move` (a row the caller has read, or locked) or :func:`move_pk` (a row it has not read):

1. the map is checked, and a move it does not list is refused;
2. one conditional ``UPDATE … SET status = <to>, <the caller's fields> WHERE pk = … AND status IN
   (<sources>)`` makes the move. It is a compare-and-set: of two concurrent moves of one row exactly one
   updates it and the other finds no row and is refused, so no lock is needed. A caller that does take a
   lock (a SKIP LOCKED claim of the next ticket) keeps it and lets this do the guarded move;
3. when the model records its changes (it has a ``transition_event`` method, :class:`RecordsTransitions`),
   the event row is written in the same transaction: the move and its record commit or roll back together.

For :func:`move` the sources are the one status the caller read: the event row must say truly where the
row came from, and a row someone else moved since was decided on stale facts, so that move is refused too.

A refusal, whether the map forbids the move or another writer was first, is one domain error:
:class:`TransitionRefused`, code ``invalid_state``, answered as 409 Conflict. It is raised before anything is
written, so a caller may catch it and carry on in its transaction; that is also why a move opens no
savepoint of its own (the hot paths, call-next among them, would pay two round trips per move): inside the
caller's transaction the move and its event row commit or roll back with it, outside one they get their own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Protocol, TypeVar, runtime_checkable

from django.db import models, transaction
from django.db.models.expressions import Combinable
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from govservice.lib.errors import Conflict

# The one code every refused status change answers, whatever the lifecycle (README "Changes").
REFUSED = "invalid_state"

Transitions = Mapping[str, frozenset[str]]
M = TypeVar("M", bound=models.Model)


class TransitionRefused(Conflict):
    """The lifecycle does not allow this move from the row's status, or another writer moved it first."""

    default_code = REFUSED

    def __init__(self, detail: Any):
        super().__init__(detail, code=REFUSED)


@runtime_checkable
class RecordsTransitions(Protocol):
    """A model with an event table: it builds (does not save) the event row of one move. ``details`` are
    what the caller passed as ``event=`` (actor, note, and whatever else its event table holds)."""

    def transition_event(self, *, from_status: str, to_status: str, **details: Any) -> models.Model: ...


def transitions_of(model: type[models.Model]) -> Transitions:
    transitions = getattr(model, "TRANSITIONS", None)
    if transitions is None:
        raise TypeError(f"{model.__name__} declares no TRANSITIONS map")
    return transitions


def allows(obj: models.Model, to_status: str, *, field: str = "status") -> bool:
    """Whether the lifecycle lets this row go to ``to_status`` now: the cheap check behind ``can_*``."""
    return to_status in transitions_of(type(obj)).get(getattr(obj, field), frozenset())


def sources_of(model: type[models.Model], to_status: str) -> frozenset[str]:
    """Every status the lifecycle allows a move to ``to_status`` from."""
    return frozenset(source for source, targets in transitions_of(model).items() if to_status in targets)


def _choices(model: type[models.Model], field: str) -> dict[str, str]:
    return {str(value): str(label) for value, label in getattr(model._meta.get_field(field), "flatchoices", ())}


def _display(model: type[models.Model], status: str, field: str) -> str:
    return _choices(model, field).get(status, status)


def _refused_text(model: type[models.Model], status: str, field: str) -> str:
    return _("当前状态为“%(status)s”，不能执行此操作。") % {"status": _display(model, status, field)}


# Lazy: read in the language of whoever is refused, not of whoever imported the module first.
STALE_TEXT = gettext_lazy("状态已被他人更改，请刷新。")


def _stamped(model: type[models.Model], fields: Mapping[str, Any]) -> dict[str, Any]:
    """The caller's fields, plus ``auto_now`` columns: a conditional update skips save(), which sets them."""
    values = dict(fields)
    for f in model._meta.concrete_fields:
        if getattr(f, "auto_now", False) and f.name not in values:
            values[f.name] = timezone.now()
    return values


def _record(obj: models.Model, *, from_status: str, to_status: str, event: Mapping[str, Any] | None) -> None:
    if isinstance(obj, RecordsTransitions):
        obj.transition_event(from_status=from_status, to_status=to_status, **(event or {})).save()


def move(
    obj: M,
    to_status: str,
    *,
    fields: Mapping[str, Any] | None = None,
    where: Mapping[str, Any] | None = None,
    event: Mapping[str, Any] | None = None,
    refused: str = "",
    stale: str = "",
    field: str = "status",
) -> M:
    """Move ``obj`` from the status it was read in to ``to_status``, setting ``fields`` in the same UPDATE
    (``where`` adds conditions to it), and record the event. Returns ``obj`` updated in memory, or raises
    :class:`TransitionRefused` with ``refused`` (the map forbids it) or ``stale`` (someone else was first)."""
    model = type(obj)
    from_status: str = getattr(obj, field)
    if to_status not in transitions_of(model).get(from_status, frozenset()):
        raise TransitionRefused(refused or _refused_text(model, from_status, field))
    values = _stamped(model, fields or {})
    # The refusal is raised after the block: an exception leaving a savepoint-less block would doom the
    # caller's whole transaction, and nothing was written to undo.
    with transaction.atomic(savepoint=False):
        changed = model._default_manager.filter(pk=obj.pk, **{f"{field}__in": [from_status]}, **(where or {})).update(
            **{field: to_status}, **values
        )
        if changed:
            setattr(obj, field, to_status)
            computed = [name for name, value in values.items() if isinstance(value, Combinable)]
            for name, value in values.items():
                if name not in computed:
                    setattr(obj, name, value)
            if computed:
                obj.refresh_from_db(fields=computed)
            _record(obj, from_status=from_status, to_status=to_status, event=event)
    if not changed:
        raise TransitionRefused(stale or STALE_TEXT)
    return obj


def move_pk(
    model: type[M],
    pk: Any,
    to_status: str,
    *,
    sources: Iterable[str] | None = None,
    fields: Mapping[str, Any] | None = None,
    where: Mapping[str, Any] | None = None,
    event: Mapping[str, Any] | None = None,
    refused: str = "",
    field: str = "status",
    select_related: Iterable[str] = (),
) -> M:
    """Move the row ``pk`` (not read by the caller) to ``to_status`` from any of ``sources`` (all the map
    allows by default), and record the event (``select_related`` for the re-read). Returns the moved row,
    freshly read, or raises :class:`TransitionRefused` with ``refused`` when no row matched (wrong status,
    or ``where`` failed)."""
    allowed = sources_of(model, to_status)
    wanted = frozenset(sources) if sources is not None else allowed
    if not wanted <= allowed:
        raise ValueError(f"{model.__name__}: no move to {to_status} from {sorted(map(str, wanted - allowed))}")
    records = issubclass(model, RecordsTransitions)  # type: ignore[misc]
    from_status = next(iter(wanted)) if len(wanted) == 1 else None
    obj: M | None = None
    found: str | None = None
    with transaction.atomic(savepoint=False):  # refusals are raised after it, as in move()
        if records and from_status is None:
            # Several sources and an event row that must name the true one: read it under the row lock,
            # then the guarded move below cannot miss.
            locked = model._default_manager.select_for_update().filter(pk=pk, **where or {})
            found = locked.values_list(field, flat=True).first()
            from_status = found if found in wanted else None
            wanted = frozenset({found}) if found in wanted else frozenset()
        changed = bool(wanted) and bool(
            model._default_manager.filter(pk=pk, **{f"{field}__in": sorted(wanted)}, **(where or {})).update(
                **{field: to_status}, **_stamped(model, fields or {})
            )
        )
        if changed:
            obj = model._default_manager.select_related(*select_related).get(pk=pk)
            if from_status is not None:
                _record(obj, from_status=from_status, to_status=to_status, event=event)
    if obj is None:
        raise TransitionRefused(refused or (_refused_text(model, found, field) if found else STALE_TEXT))
    return obj


def lifecycle_problems(model: type[models.Model], *, field: str = "status") -> list[str]:
    """What is wrong with a model's lifecycle declaration: a map that does not cover exactly the choices of
    its status column (as sources and as targets), or no CHECK constraint keeping the column to them."""
    problems: list[str] = []
    choices = set(_choices(model, field))
    transitions = getattr(model, "TRANSITIONS", None)
    if transitions is None:
        return [f"{model.__name__}: no TRANSITIONS"]
    transitions = {str(source): {str(target) for target in targets} for source, targets in transitions.items()}
    if set(transitions) != choices:
        problems.append(f"{model.__name__}: map keys {sorted(set(transitions) ^ choices)} differ from the choices")
    targets = set().union(*transitions.values()) if transitions else set()
    if not targets <= choices:
        problems.append(f"{model.__name__}: targets {sorted(targets - choices)} are not choices")
    guarded = False
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.CheckConstraint):
            for child in getattr(constraint.condition, "children", ()):
                if isinstance(child, tuple) and child[0] == f"{field}__in" and set(child[1]) == choices:
                    guarded = True
    if not guarded:
        problems.append(f"{model.__name__}: no CheckConstraint({field}__in=<its choices>)")
    return problems
