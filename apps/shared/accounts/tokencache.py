"""The API token lookup made cheap, and a revoked token refused at once all the same.

Knox looks a token up with an ORM query compiled on every request (the token joined to its user, every
column, the personal-data fields decrypted): about half of what the site's stack cost an API request before
any view ran (``bench/stack_cost.py``). Two things instead:

- **The lookup** (a miss): one statement written once per process from the models' fields, the token and its
  user in one row with the database's clock of the read. The user's encrypted fields (ID number, phone) are left
  deferred: read with a query of their own on the rare request that uses them, never decrypted for nothing.
- **A cache per process** of what a lookup found (a hit): the token's row and its user's, by the token's
  digest, for ``API_TOKEN_CACHE_SECONDS`` (0: no cache), at most ``MAX_ENTRIES``. Every request still checks,
  in memory, the token's expiry, the user's ``is_active`` and the password change (as the lookup does), and
  asks Redis in one round trip whether the token or its user was **revoked since the entry was read**.

Revocation marks. Whenever a token row is deleted or changed (the API logout, logout-all, the owner's revoke,
the admin, the user's deletion by cascade, an expired token dropped) and whenever a user row is saved (a
password change, a deactivation, a new role, a takeover's freeze), Redis keeps the database's clock of that
moment under the token's or the user's key (``post_delete`` / ``post_save``: the only place every one of
those ways passes; it drives no business flow). A cached entry read at or before a mark is no longer used: the
next request looks the token up again and is refused by the database. The mark is written when the row
changes (so the same transaction and process see it) and again after the commit (so an entry read by another
process between the two, while the change was not yet visible, is refused too); a user's only while the
user has a token (nothing of theirs is cached otherwise, and a token made later reads the user anew). Both clocks are
PostgreSQL's (the lookup's snapshot, the mark's ``clock_timestamp()``), so app servers' clocks do not matter.

If Redis cannot be asked on a request, the entry is not used (the database decides). If a mark cannot be
written, the change that needed it fails with the error (never a revocation that only seems done). A row
changed by raw SQL or ``QuerySet.update()`` sends no signal: tokens and users change only through ``save()``
and ``delete()`` (no code path does otherwise; tests/shared/test_token_cache.py).
"""

from __future__ import annotations

import binascii
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, replace
from hmac import compare_digest

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connection, transaction
from django.db.models.signals import post_delete, post_save
from knox.crypto import hash_token
from knox.models import AuthToken
from knox.settings import CONSTANTS

from govservice.lib.ratelimit import _redis_client

from .models import User

MAX_ENTRIES = 20_000
# The user's fields never read into a cached entry: decrypted only when a request asks for them.
DEFERRED_USER_FIELDS = ("id_number", "phone")


@dataclass(frozen=True)
class Entry:
    token: tuple  # the token row's values, in _TOKEN_FIELDS order
    user: tuple  # the user row's values, in _USER_FIELDS order
    user_id: int
    read_at: float  # the database's clock when the read's snapshot was taken, seconds since the epoch
    cached_until: float  # time.monotonic() of this process


_entries: OrderedDict[str, Entry] = OrderedDict()
_lock = threading.Lock()  # gunicorn's gthread workers share the cache between threads

_TOKEN_FIELDS = list(AuthToken._meta.concrete_fields)
_USER_FIELDS = [f for f in User._meta.concrete_fields if f.name not in DEFERRED_USER_FIELDS]
_TOKEN_NAMES = [f.attname for f in _TOKEN_FIELDS]
_USER_NAMES = [f.attname for f in _USER_FIELDS]
_SQL: list[str] = []
# When the lookup's snapshot was at the latest: a statement's own start under READ COMMITTED (each statement
# sees what committed before it), the transaction's start under a stricter isolation (one snapshot for all).
_READ_AT = (
    "CASE WHEN current_setting('transaction_isolation') = 'read committed' "
    "THEN statement_timestamp() ELSE transaction_timestamp() END"
)


def _lookup_sql() -> str:
    if not _SQL:
        quote = connection.ops.quote_name
        columns = [f"t.{quote(str(f.column))}" for f in _TOKEN_FIELDS] + [f"u.{quote(str(f.column))}" for f in _USER_FIELDS]
        user_fk = str(AuthToken._meta.get_field("user").column)
        _SQL.append(
            f"SELECT {', '.join(columns)}, EXTRACT(EPOCH FROM {_READ_AT})::float8 "  # noqa: S608 (names from the models)
            f"FROM {quote(AuthToken._meta.db_table)} t JOIN {quote(User._meta.db_table)} u ON u.{quote(str(User._meta.pk.column))} = t.{quote(user_fk)} "
            f"WHERE t.{quote('token_key')} = %s"
        )
    return _SQL[0]


def _ttl() -> int:
    return max(0, int(getattr(settings, "API_TOKEN_CACHE_SECONDS", 0)))


def _build(entry: Entry) -> tuple[User, AuthToken]:
    """Fresh instances for this request (a view may change them; the entry stays as read)."""
    user = User.from_db(DEFAULT_DB_ALIAS, _USER_NAMES, entry.user)
    token = AuthToken.from_db(DEFAULT_DB_ALIAS, _TOKEN_NAMES, entry.token)
    token.user = user
    return user, token


# --- Revocation marks -----------------------------------------------------------------------------------


def _token_mark_key(digest: str) -> str:
    return cache.make_key(f"tokrev:t:{digest[:40]}")


def _user_mark_key(user_id: int) -> str:
    return cache.make_key(f"tokrev:u:{user_id}")


def _revoked_since(entry: Entry, digest: str) -> bool:
    """Whether the token or its user changed at or after the entry was read (or Redis cannot tell)."""
    client = _redis_client()
    if client is None:
        return True
    try:
        marks = client.mget([_token_mark_key(digest), _user_mark_key(entry.user_id)])
    except Exception:
        return True
    return any(mark is not None and float(mark) >= entry.read_at for mark in marks)


# Set a mark to the later of its value and the new one, with its expiry: a mark never moves back, even when
# two processes write theirs in the other order.
_RAISE_MARK = """
for i, key in ipairs(KEYS) do
    local current = redis.call('GET', key)
    if not current or tonumber(current) < tonumber(ARGV[1]) then
        redis.call('SET', key, ARGV[1], 'EX', ARGV[2])
    else
        redis.call('EXPIRE', key, ARGV[2])
    end
end
"""


def _mark(keys: list[str], *, user_id: int | None = None) -> None:
    """Mark ``keys`` with the database's clock now; for a user's key, only if the user has a token (no
    token, nothing of theirs is cached anywhere; one created later is read after this change)."""
    client = _redis_client()
    if client is None or not keys:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT EXTRACT(EPOCH FROM clock_timestamp())::float8, "  # noqa: S608 (names from the models)
            f"%s IS NULL OR EXISTS (SELECT 1 FROM {AuthToken._meta.db_table} WHERE user_id = %s)",
            [user_id, user_id],
        )
        now, has_tokens = cursor.fetchone()
    if has_tokens:
        # Kept well beyond any entry's life.
        client.eval(_RAISE_MARK, len(keys), *keys, repr(now), 4 * _ttl() + 60)


def _mark_now_and_after_commit(keys: list[str], *, user_id: int | None = None) -> None:
    if not _ttl():
        return
    _mark(keys, user_id=user_id)
    if connection.in_atomic_block:
        transaction.on_commit(lambda: _mark(keys, user_id=user_id))


def _token_changed(sender, instance: AuthToken, created: bool = False, **kwargs) -> None:
    if created:  # nothing cached of a token that did not exist
        return
    _entries.pop(instance.digest, None)
    _mark_now_and_after_commit([_token_mark_key(instance.digest)])


def _user_changed(sender, instance: User, **kwargs) -> None:
    if instance.pk is not None:
        _mark_now_and_after_commit([_user_mark_key(instance.pk)], user_id=instance.pk)


def connect() -> None:
    """From AccountsConfig.ready(): every change of a token or a user row marks it."""
    post_delete.connect(_token_changed, sender=AuthToken, dispatch_uid="tokencache-token-deleted")
    post_save.connect(_token_changed, sender=AuthToken, dispatch_uid="tokencache-token-saved")
    post_save.connect(_user_changed, sender=User, dispatch_uid="tokencache-user-saved")
    post_delete.connect(_user_changed, sender=User, dispatch_uid="tokencache-user-deleted")


# --- The lookup -----------------------------------------------------------------------------------------


def cached(token: str) -> tuple[User, AuthToken] | None:
    """The token's user and row from this process's cache, if an entry is there, in time, and neither the
    token nor its user changed since it was read; otherwise None (look it up). The caller still checks the
    token's expiry and the user."""
    if not _entries:
        return None
    try:
        digest = hash_token(token)
    except (TypeError, binascii.Error):
        return None
    entry = _entries.get(digest)
    if entry is None:
        return None
    if entry.cached_until < time.monotonic() or _revoked_since(entry, digest):
        _entries.pop(digest, None)
        return None
    return _build(entry)


@dataclass(frozen=True)
class Candidate:
    """A token row whose token_key is the token's, with its user; ``entry`` is what the cache would keep."""

    user: User
    token: AuthToken
    entry: Entry


def lookup(token: str) -> list[Candidate]:
    """The rows whose token_key is the token's (knox's candidates; one in practice), fresh instances; the
    caller compares the digest and checks the rest, then ``keep()``s the good one."""
    with connection.cursor() as cursor:
        cursor.execute(_lookup_sql(), [token[: CONSTANTS.TOKEN_KEY_LENGTH]])
        rows = cursor.fetchall()
    n = len(_TOKEN_FIELDS)
    found = []
    for row in rows:
        values = tuple(row[:n])
        entry = Entry(
            token=values,
            user=tuple(row[n:-1]),
            user_id=values[_TOKEN_NAMES.index("user_id")],
            read_at=row[-1],
            cached_until=0.0,
        )
        user, auth_token = _build(entry)
        found.append(Candidate(user=user, token=auth_token, entry=entry))
    return found


def digest_matches(token: str, digest: str) -> bool:
    try:
        return compare_digest(hash_token(token), digest)
    except (TypeError, binascii.Error):
        return False


def keep(candidate: Candidate) -> None:
    """The caller found this token good (digest, expiry, user): keep it for the next requests."""
    ttl = _ttl()
    if not ttl:
        return
    digest = candidate.token.digest
    with _lock:
        _entries[digest] = replace(candidate.entry, cached_until=time.monotonic() + ttl)
        _entries.move_to_end(digest)
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)


def clear() -> None:
    """Forget every entry of this process (tests)."""
    _entries.clear()
