"""Signed link tokens for SMS links (no login): an invitation to rate, or to rate a fix.

A token carries a row id and an HMAC of it (Django's signing, keyed by SECRET_KEY, one salt per purpose),
never personal data. The row says until when it is valid and whether it was used."""

from __future__ import annotations

from django.core import signing

INVITATION_SALT = "ratings.invitation"
FIX_SALT = "ratings.fix"


def make(row_id: int, *, salt: str) -> str:
    return signing.Signer(salt=salt, sep=".").sign(str(row_id))


def read(token: str, *, salt: str) -> int | None:
    """The id inside a genuine token; None for a forged or damaged one."""
    try:
        value = signing.Signer(salt=salt, sep=".").unsign(token.strip())
    except signing.BadSignature:
        return None
    return int(value) if value.isdigit() else None
