"""What every payload is made of: the wire types, the payload base class, and the delivery method both sites store."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _
from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer

from .kinds import MessageKind


class DeliveryMethod(models.TextChoices):
    """How the result reaches the applicant: chosen at the front, told to central (case.submitted,
    case.delivery_chosen), echoed back with the result (case.result_issued)."""

    PICKUP = "pickup", _("窗口领取")
    POST = "post", _("免费邮寄")
    ELECTRONIC = "electronic", _("电子证照下载")


# --- Wire types: dates travel as ISO strings, an unknown date as "" (as the code has always written) ---


def _blank_is_none(value: Any) -> Any:
    return None if value == "" else value


def _iso_or_blank(value: dt.date | None) -> str:
    return value.isoformat() if value is not None else ""


WireDate = Annotated[dt.date, PlainSerializer(dt.date.isoformat, return_type=str)]
# Aware: a moment, never a wall-clock reading whose zone the receiver would have to guess.
WireDateTime = Annotated[AwareDatetime, PlainSerializer(dt.datetime.isoformat, return_type=str)]
# "" on the wire for "no date" (a limit in an unpublished year, a certificate valid without end).
OptionalWireDate = Annotated[
    dt.date | None, BeforeValidator(_blank_is_none), PlainSerializer(_iso_or_blank, return_type=str)
]
OptionalWireDateTime = Annotated[
    AwareDatetime | None, BeforeValidator(_blank_is_none), PlainSerializer(_iso_or_blank, return_type=str)
]


def absent(value: Any) -> bool:
    """``exclude_if`` of an optional field that is left out of the payload, not sent as null or "", when unset."""
    return value is None


Number = Annotated[str, Field(title="办件编号", min_length=1, max_length=32)]


class WirePayload(BaseModel):
    """A message's payload. Frozen, so one built (and so validated) cannot turn invalid before it is sent;
    unknown fields are refused, so a misspelt field fails where it is written, not silently at the peer."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # Upper case: class constants, not fields (case.special_procedure carries a field named "kind").
    KIND: ClassVar[MessageKind]
    SCHEMA_VERSION: ClassVar[int] = 1

    def to_wire(self) -> dict[str, Any]:
        return self.model_dump(mode="json")
