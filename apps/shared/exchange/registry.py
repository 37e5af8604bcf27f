"""Message handlers, registered by the apps that own the effect (intake at the front, review at central),
so the wire itself knows no business."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .models import Peer


@dataclass(frozen=True)
class IncomingFile:
    name: str
    content_type: str
    sha256: str
    content: bytes


Handler = Callable[[Peer, str, dict[str, Any], list[IncomingFile]], dict[str, Any]]

_handlers: dict[str, Handler] = {}


class NotReady(Exception):
    """The message arrived before one it depends on; the sender retries later (409, nothing recorded)."""


class Rejected(Exception):
    """The message can never be applied (422, recorded: a resend gets the same answer)."""


def handles(kind: str) -> Callable[[Handler], Handler]:
    def register(func: Handler) -> Handler:
        if kind in _handlers and _handlers[kind] is not func:
            raise RuntimeError(f"two handlers for {kind}")
        _handlers[kind] = func
        return func

    return register


def handler_for(kind: str) -> Handler | None:
    return _handlers.get(kind)
