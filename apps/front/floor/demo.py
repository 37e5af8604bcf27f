"""The floor's demo rows for ``manage.py seed_demo`` (booking's demo hooks): a smart terminal per hall
and a rating tablet at the demo clerk's window. Development only: the device tokens below are public."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping

from apps.front.booking.models import Hall

from .models import Terminal

# hall code -> (terminal name, clear device token); only the SHA-256 is stored.
TERMINALS = {
    "TZ": ("1号自助服务终端", "dev-terminal-tz-0001"),
    "YS": ("1号自助服务终端", "dev-terminal-ys-0001"),
    "SZ": ("1号自助服务终端", "dev-terminal-sz-0001"),
}
# Window rating tablets (评价器): hall, window number, name, device token.
TABLETS = [("TZ", 5, "5号窗口评价器", "dev-tablet-tz-w5")]  # the demo clerk's window


def terminals_seed_demo(*, halls: Mapping[str, Hall]) -> dict[str, int]:
    created = 0
    for code, (name, token) in TERMINALS.items():
        if code not in halls:  # another demo platform's hall
            continue
        _terminal, new = Terminal.objects.get_or_create(
            token_sha256=hashlib.sha256(token.encode()).hexdigest(), defaults={"hall": halls[code], "name": name}
        )
        created += int(new)
    for code, number, name, token in TABLETS:
        if code not in halls:
            continue
        _tablet, new = Terminal.objects.get_or_create(
            token_sha256=hashlib.sha256(token.encode()).hexdigest(),
            defaults={"hall": halls[code], "name": name, "window": halls[code].windows.get(number=number)},
        )
        created += int(new)
    return {"terminals": created}


def terminal_logins(*, url: Callable[[str], str]) -> list[str]:
    lines = ["Terminal tokens (Authorization: Terminal <token>):"]
    lines += [f"  {code} {name}  {token}  {url('terminal')}" for code, (name, token) in TERMINALS.items()]
    lines += [f"  {code} {name}  {token}  {url('ratings_tablet')}" for code, _number, name, token in TABLETS]
    return lines
