"""The wire's services (DESIGN.md §5): ``outbox`` sends, ``inbox`` receives. Other apps import from here."""

from .inbox import InboxResult, inbox_receive, secret_for
from .outbox import (
    EXCHANGE_PATH,
    OutgoingFile,
    backoff_seconds,
    build_body,
    outbox_claim_due,
    outbox_enqueue,
    outbox_redrive,
    outbox_relay_due,
    outbox_send,
    outbox_sweep,
    signing_key,
)

__all__ = [
    "EXCHANGE_PATH",
    "InboxResult",
    "OutgoingFile",
    "backoff_seconds",
    "build_body",
    "inbox_receive",
    "outbox_claim_due",
    "outbox_enqueue",
    "outbox_redrive",
    "outbox_relay_due",
    "outbox_send",
    "outbox_sweep",
    "secret_for",
    "signing_key",
]
