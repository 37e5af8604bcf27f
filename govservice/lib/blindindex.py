"""Keyed hashes (HMAC-SHA256) stored beside encrypted personal data, for lookup and uniqueness
without decrypting (DOMAIN.md §8)."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings


def blind_index(value: str, *, purpose: str) -> str:
    """The purpose keeps an ID number's index different from the same digits typed as a phone."""
    key = hmac.new(settings.BLIND_INDEX_KEY.encode(), purpose.encode(), hashlib.sha256).digest()
    return hmac.new(key, value.strip().upper().encode(), hashlib.sha256).hexdigest()
