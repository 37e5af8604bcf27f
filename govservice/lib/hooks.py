"""A hook: a named point where a lower app lets the apps above it take part without importing them.

The lower app declares the hook next to the code that fires it and calls its receivers; each higher app
connects its receiver in its ``AppConfig.ready()``, so every import points down the order of the apps
(ARCHITECTURE.md, "Rules of the house"). Unlike Django's model signals a hook is a plain, typed call
that the code fires on purpose, never as a side effect of ``save()``: receivers run at once, in the
caller's transaction, in the order they were connected (the order of INSTALLED_APPS), and what they
raise reaches the caller.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

Receiver = TypeVar("Receiver", bound=Callable[..., Any])


class Hook(Generic[Receiver]):
    """``Hook[SomeProtocol]("what happened")``; fire it with ``for receiver in hook.receivers(): …``."""

    def __init__(self, doc: str) -> None:
        self.doc = doc
        self._receivers: list[Receiver] = []

    def __repr__(self) -> str:
        return f"<Hook {self.doc!r}: {len(self._receivers)} receivers>"

    def connect(self, receiver: Receiver) -> Receiver:
        # ready() can run more than once (tests that reload the app registry): one receiver counts once.
        if receiver not in self._receivers:
            self._receivers.append(receiver)
        return receiver

    def receivers(self) -> tuple[Receiver, ...]:
        return tuple(self._receivers)
