"""The remote session's lifecycle, one for both sites (DESIGN.md §10): central keeps the session
(apps/central/remote.RemoteSession), the hall follows it (apps/front/remote.HallSession), and the wire carries
its values (contract.RemoteOutcome and contract.RemoteEnding); and the form both sides fill in, which is the
matter's own (below)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.shared.catalog.formfields import LONG_TEXT_MAX, TEXT_MAX, FormCheck, form_values_check, form_values_display
from apps.shared.catalog.models import Matter

from . import contract


class SessionStatus(models.TextChoices):
    RINGING = "ringing", _("等待应答")
    ACTIVE = "active", _("通话中")
    ENDED = "ended", _("已结束")


S = SessionStatus
# The whole lifecycle in one place; services refuse anything not listed. Answering is RINGING → ACTIVE by one
# conditional UPDATE at central (the first staff member wins); a ring nobody answers ends it. The hall's
# record moves as central's does (polls and the wire).
SESSION_TRANSITIONS: dict[str, frozenset[str]] = {
    S.RINGING: frozenset({S.ACTIVE, S.ENDED}),
    S.ACTIVE: frozenset({S.ENDED}),
    S.ENDED: frozenset(),
}


class SessionOutcome(models.TextChoices):
    """How it ended. The values are the wire's."""

    NONE = "", _("—")
    ACCEPTED = "accepted", _("远程受理")
    ONE_TIME_NOTICE = "one_time_notice", _("一次性告知")
    REFUSED = "refused", _("不予受理")
    UNANSWERED = "unanswered", _("无人应答")
    HUNG_UP = "hung_up", _("未办结挂断")
    CANCELLED = "cancelled", _("大厅取消")


# --- The shared application form (issue 14, "work together on the case") ------------------------------------
#
# The form both sides of a session see is the matter's own (its version's ``MatterField``s, the form an online
# application asks), checked with the same code (apps.shared.catalog.formfields), followed by the contact part
# every session has had (contract.REMOTE_FORM_FIELDS: phone and address, and the free statement for a matter
# with no form of its own). A peer that knows only the three contact fields still works: they are kept.

# The longest typed value the live form takes, by field kind (the checks at the outcome are the catalog's).
TYPED_MAX = {"text": TEXT_MAX, "long_text": LONG_TEXT_MAX, "number": 20, "date": 10, "choice": 100, "yes_no": 5}


@dataclass(frozen=True)
class FormRow:
    """One field of a session's form, as both pages draw it."""

    name: str
    label: str
    kind: str
    required: bool
    longest: int
    choices: tuple[str, ...] = ()
    help_text: str = ""
    contact: bool = False  # the contact part (contract.REMOTE_FORM_FIELDS), not the matter's own


def form_rows(matter: Matter, values: Mapping[str, Any] | None = None) -> list[FormRow]:
    """The session's form for ``matter`` (the session's own version): its fields, then the contact part. The
    statement is drawn for a matter without a form of its own, or when a peer already typed one."""
    own = list(matter.form_fields.all())
    rows = [
        FormRow(
            name=f.key,
            label=f.label,
            kind=f.kind,
            required=f.required,
            longest=TYPED_MAX.get(f.kind, 200),
            choices=tuple(f.choices or ()),
            help_text=f.help_text,
        )
        for f in own
    ]
    keys = {f.key for f in own}
    for name, label, longest in contract.REMOTE_FORM_FIELDS:
        if name in keys or (name == "statement" and own and not (values or {}).get(name)):
            continue
        kind = "long_text" if name == "statement" else "text"
        rows.append(FormRow(name=name, label=str(label), kind=kind, required=False, longest=longest, contact=True))
    return rows


def form_names(matter: Matter) -> dict[str, int]:
    """Every name the live form takes for ``matter``, with its longest value (the contact part's three always)."""
    names = {name: longest for name, _label, longest in contract.REMOTE_FORM_FIELDS}
    names.update({f.key: TYPED_MAX.get(f.kind, 200) for f in matter.form_fields.all()})
    return names


def form_label(matter: Matter, name: str) -> str | None:
    """The label of a field of the session's form (None for a name it does not have)."""
    for f in matter.form_fields.all():
        if f.key == name:
            return f.label
    return next((str(label) for n, label, _max in contract.REMOTE_FORM_FIELDS if n == name), None)


def form_answers(matter: Matter, values: Mapping[str, Any], *, complete: bool) -> tuple[FormCheck, dict[str, str]]:
    """The matter's own answers checked as an online application's are (``complete``: every required one given),
    and the contact part as typed."""
    keys = {f.key for f in matter.form_fields.all()}
    own = {k: v for k, v in values.items() if k in keys}
    contact_names = {name for name, _label, _max in contract.REMOTE_FORM_FIELDS}
    contact = {k: str(v) for k, v in values.items() if k in contact_names and k not in keys and str(v).strip()}
    return form_values_check(matter.form_fields.all(), own, complete=complete), contact


def form_lines(matter: Matter, values: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(label, answer) of the whole form, as people read them: the matter's answers (checked where they can be,
    as typed where not: nothing typed is lost), then the contact part that was filled in."""
    check, contact = form_answers(matter, values, complete=False)
    shown = {k: v for k, v in values.items() if k in check.errors}
    lines = form_values_display(matter.form_fields.all(), {**shown, **check.values})
    labels = {name: str(label) for name, label, _max in contract.REMOTE_FORM_FIELDS}
    return lines + [(labels[name], text) for name, text in contact.items()]
