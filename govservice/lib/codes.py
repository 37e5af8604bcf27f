"""Short human-readable codes: appointment codes, query passwords."""

from __future__ import annotations

import secrets

# No 0/O, 1/I/L: codes are read aloud and typed on kiosks.
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def human_code(length: int = 8) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def digits(length: int = 6) -> str:
    return "".join(secrets.choice("0123456789") for _ in range(length))
