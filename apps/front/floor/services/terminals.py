"""The smart terminals' device tokens: a kiosk or a window's rating tablet proves itself with a token whose
hash alone is stored (issue 12: no device secret in clear)."""

from __future__ import annotations

import hashlib
import secrets

from ..models import Terminal


def terminal_authenticate(token: str, *, tablet: bool = False) -> Terminal | None:
    """The active device with this token: a kiosk, or with ``tablet`` a window's rating tablet. A tablet's
    token never opens the kiosk (tickets, check-in, the terminal API) nor a kiosk's the tablet."""
    digest = hashlib.sha256(token.encode()).hexdigest()
    return (
        Terminal.objects.select_related("hall", "window")
        .filter(token_sha256=digest, active=True, window__isnull=not tablet)
        .first()
    )


def terminal_token_issue(terminal: Terminal) -> str:
    """A new device token for the terminal (registering it, or renewing a lost or leaked one: the old token
    stops working at once). Only its hash is kept; the token itself is returned to be shown once."""
    token = secrets.token_urlsafe(24)
    terminal.token_sha256 = hashlib.sha256(token.encode()).hexdigest()
    if terminal.pk:
        Terminal.objects.filter(pk=terminal.pk).update(token_sha256=terminal.token_sha256)
    return token
