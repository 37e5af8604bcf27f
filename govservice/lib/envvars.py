"""Strict readers of environment variables, for the settings and the apps' configuration (conf.py).

A value that cannot be what the variable means stops the process at start-up with
``ImproperlyConfigured`` naming the variable and the value. The lenient readers this replaces turned an
unknown boolean such as ``Ture`` into False, so a typo in ``SECURE_SSL_REDIRECT`` or ``AXES_ENABLED``
silently switched protection off.

An unset variable means "use the default"; so does an empty boolean or number (``FOO=`` in an env file is
how people unset one), while an empty string or list is a value.
"""

from __future__ import annotations

import os

from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

TRUE_STRINGS = frozenset({"true", "1", "yes", "on"})
FALSE_STRINGS = frozenset({"false", "0", "no", "off"})


def _raw(name: str) -> str | None:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return None
    return value


def parse_bool(name: str, value: str) -> bool:
    """``true/false/1/0/yes/no/on/off`` in any case, surrounding spaces allowed; anything else refused."""
    word = value.strip().lower()
    if word in TRUE_STRINGS:
        return True
    if word in FALSE_STRINGS:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean: write one of true/false, 1/0, yes/no, on/off")


def env_bool(name: str, default: bool) -> bool:
    value = _raw(name)
    return default if value is None else parse_bool(name, value)


def env_int(name: str, default: int) -> int:
    value = _raw(name)
    if value is None:
        return default
    try:
        return int(value.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number") from None


def env_str(name: str, default: str) -> str:
    value = os.environ.get(name)
    return default if value is None else value


def env_list(name: str, default: list[str]) -> list[str]:
    """Comma-separated; blanks around items and empty items are dropped, so ``FOO=`` is the empty list."""
    value = os.environ.get(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_secret(name: str, dev_default: str, *, dev_mode: bool) -> str:
    """A secret that must be set outside development: its development default only with ``dev_mode``."""
    value = _raw(name)
    if value:
        return value
    if dev_mode:
        return dev_default
    raise ImproperlyConfigured(f"{name} must be set (it has no default outside development)")


def env_fernet_keys(name: str, dev_default: list[str], *, dev_mode: bool) -> list[str]:
    """Comma-separated Fernet keys (32 url-safe base64 bytes each, as ``Fernet.generate_key()`` makes them),
    required outside development like a secret; there the development keys are refused too, since they are
    in this repository. The message names the variable and the key's position, never the key."""
    keys = env_list(name, [])
    if not keys:
        if dev_mode:
            return list(dev_default)
        raise ImproperlyConfigured(f"{name} must be set (it has no default outside development)")
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except ValueError:
            raise ImproperlyConfigured(
                f"{name}: key {position} is not a Fernet key (32 url-safe base64-encoded bytes; make one with "
                '`python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"`)'
            ) from None
    if not dev_mode and set(keys) & set(dev_default):
        raise ImproperlyConfigured(f"{name} holds a development key, which is public: make a new one")
    return keys
