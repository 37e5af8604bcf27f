"""Short human-readable codes: appointment codes, query passwords."""

from __future__ import annotations

import secrets
import uuid

# No 0/O, 1/I/L: codes are read aloud and typed on kiosks.
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def human_code(length: int = 8) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def digits(length: int = 6) -> str:
    return "".join(secrets.choice("0123456789") for _ in range(length))


def form_idempotency_key() -> str:
    """A fresh idempotency key for one rendered form: random, never derived from a session, token or device
    secret (the key is stored with what it created and shown to staff). A double submit of the same form
    sends the same key and gets the first answer; a new form gets a new key."""
    return uuid.uuid4().hex
