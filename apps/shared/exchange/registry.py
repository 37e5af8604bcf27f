"""Message handlers, registered by the apps that own the effect (intake at the front, review at central),
so the wire itself knows no business. What a message may carry is the contract's (contract/); a handler
receives its kind's payload already validated, as that kind's typed class."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from .contract import MessageKind, WirePayload
from .models import Peer


@dataclass(frozen=True)
class IncomingFile:
    name: str
    content_type: str
    sha256: str
    content: bytes


P = TypeVar("P", bound=WirePayload)
# Each handler is typed with its own kind's payload class (CaseDecided, …); the registry holds them all.
Handler = Callable[[Peer, str, Any, list[IncomingFile]], dict[str, Any]]
TypedHandler = Callable[[Peer, str, P, list[IncomingFile]], dict[str, Any]]

_handlers: dict[MessageKind, Handler] = {}


class NotReady(Exception):
    """The message arrived before one it depends on; the sender retries later (409, nothing recorded)."""


class Rejected(Exception):
    """The message can never be applied (422, recorded: a resend gets the same answer)."""

    def __init__(self, detail: str, *, code: str = "rejected") -> None:
        super().__init__(detail)
        self.code = code


def handles(kind: MessageKind) -> Callable[[TypedHandler[P]], TypedHandler[P]]:
    kind = MessageKind(kind)  # a misspelt kind fails at start-up, not when the first message arrives

    def register(func: TypedHandler[P]) -> TypedHandler[P]:
        if kind in _handlers and _handlers[kind] is not func:
            raise RuntimeError(f"two handlers for {kind}")
        _handlers[kind] = func
        return func

    return register


def handler_for(kind: MessageKind) -> Handler | None:
    return _handlers.get(kind)
