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
- **The same entry shared through Redis**, for ``API_TOKEN_SHARED_SECONDS`` (0: not shared): written when the
  token is issued (after the sign-in's commit) and after a lookup, so a token's first request on any worker
  of any node finds it without PostgreSQL (a flash crowd's tokens are each used once or twice: the per-process
  cache alone hardly ever had them). Read in one round trip with its two marks, and used on the same terms as
  a process's own entry. Its value is pickled, as Django's Redis cache pickles every value: Redis is trusted
  as much as the cache already is. The user's personal fields are never in it (they stay deferred), and its
  key carries a fingerprint of the columns, so a deployment that changes them never reads an old entry.

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

A revocation also deletes the shared entries it concerns (the token's; a changed user's every token), so even
a Redis that evicted a mark under memory pressure holds no entry to misuse. Marks are kept well beyond the
longest life an entry read before them can have (shared, then held by a process).

If Redis cannot be asked on a request, the entry is not used (the database decides). If a mark cannot be
written, the change that needed it fails with the error (never a revocation that only seems done). An entry
that cannot be shared is simply not shared: a sign-in never fails for it. A row
changed by raw SQL or ``QuerySet.update()`` sends no signal: tokens and users change only through ``save()``
and ``delete()`` (no code path does otherwise; tests/shared/test_token_cache.py).
"""

from __future__ import annotations

import binascii
import hashlib
import logging
import pickle
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from hmac import compare_digest
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connection, transaction
from django.db.models.signals import post_delete, post_save
from knox.crypto import hash_token
from knox.models import AuthToken
from knox.settings import CONSTANTS

from govservice.lib.ratelimit import _redis_client, redis_script

from .models import User

MAX_ENTRIES = 20_000
# The user's fields never read into a cached entry: the personal numbers, decrypted only when a request asks
# for them, and the last sign-in, which changes with every sign-in and decides nothing here (read on demand, so
# a sign-in need not end the entries of the user's other tokens).
DEFERRED_USER_FIELDS = ("id_number", "phone", "last_login")
# A user's save that changes only these ends no entry.
_UNCACHED_CHANGES = frozenset({"last_login"})


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
_USER_ID = _TOKEN_NAMES.index("user_id")
_DIGEST = _TOKEN_NAMES.index("digest")
_USER_NAMES = [f.attname for f in _USER_FIELDS]
_SQL: dict[bool, str] = {}
# The columns an entry holds, in order: an entry shared by a deployment with other columns is never read.
_FINGERPRINT = hashlib.sha256(repr((_TOKEN_NAMES, _USER_NAMES)).encode()).hexdigest()[:12]
logger = logging.getLogger(__name__)
# When the lookup's snapshot was at the latest: a statement's own start under READ COMMITTED (each statement
# sees what committed before it), the transaction's start under a stricter isolation (one snapshot for all).
_READ_AT = (
    "CASE WHEN current_setting('transaction_isolation') = 'read committed' "
    "THEN statement_timestamp() ELSE transaction_timestamp() END"
)


def _lookup_sql(*, many: bool = False) -> str:
    """The token rows and their users by token_key (``many``: by any of an array of them)."""
    if many not in _SQL:
        quote = connection.ops.quote_name
        columns = [f"t.{quote(str(f.column))}" for f in _TOKEN_FIELDS] + [
            f"u.{quote(str(f.column))}" for f in _USER_FIELDS
        ]
        user_fk = str(AuthToken._meta.get_field("user").column)
        _SQL[many] = (
            f"SELECT {', '.join(columns)}, EXTRACT(EPOCH FROM {_READ_AT})::float8 "  # noqa: S608 (names from the models)
            f"FROM {quote(AuthToken._meta.db_table)} t JOIN {quote(User._meta.db_table)} u ON u.{quote(str(User._meta.pk.column))} = t.{quote(user_fk)} "
            f"WHERE t.{quote('token_key')} = {'ANY(%s)' if many else '%s'}"
        )
    return _SQL[many]


def _ttl() -> int:
    return max(0, int(getattr(settings, "API_TOKEN_CACHE_SECONDS", 0)))


def _shared_ttl() -> int:
    return max(0, int(getattr(settings, "API_TOKEN_SHARED_SECONDS", 0)))


def _mark_ttl() -> int:
    """How long a mark is kept: beyond any entry read before it (shared for its life, then held by a process)."""
    return 2 * (_ttl() + _shared_ttl()) + 60


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


def _shared_key(digest: str) -> str:
    return cache.make_key(f"tokent:{_FINGERPRINT}:{digest[:40]}")


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


# Set each mark (the first ARGV[3] keys) to the later of its value and the new one, with its expiry: a mark
# never moves back, even when two processes write theirs in the other order. The other keys (shared entries)
# are deleted.
_RAISE_MARK = """
for i, key in ipairs(KEYS) do
    if i > tonumber(ARGV[3]) then
        redis.call('DEL', key)
    else
        local current = redis.call('GET', key)
        if not current or tonumber(current) < tonumber(ARGV[1]) then
            redis.call('SET', key, ARGV[1], 'EX', ARGV[2])
        else
            redis.call('EXPIRE', key, ARGV[2])
        end
    end
end
"""


def _mark(keys: list[str], *, user_id: int | None = None, shared: Sequence[str] = ()) -> None:
    """Mark ``keys`` with the database's clock now and delete the ``shared`` entries; for a user, only if the
    user has a token (no token, nothing of theirs is cached anywhere; one created later is read after this
    change), and then the shared entries of each of the user's tokens go too."""
    client = _redis_client()
    if client is None or not keys:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT EXTRACT(EPOCH FROM clock_timestamp())::float8, "  # noqa: S608 (names from the models)
            f"ARRAY(SELECT digest FROM {AuthToken._meta.db_table} WHERE user_id = %s)",
            [user_id],
        )
        now, digests = cursor.fetchone()
    if user_id is not None:
        if not digests:
            return
        shared = [*shared, *(_shared_key(digest) for digest in digests)]
    redis_script(client, _RAISE_MARK)(keys=[*keys, *shared], args=[repr(now), _mark_ttl(), len(keys)])


def _mark_now_and_after_commit(keys: list[str], *, user_id: int | None = None, shared: Sequence[str] = ()) -> None:
    if not (_ttl() or _shared_ttl()):
        return
    _mark(keys, user_id=user_id, shared=shared)
    if connection.in_atomic_block:
        transaction.on_commit(lambda: _mark(keys, user_id=user_id, shared=shared))


def _token_changed(sender, instance: AuthToken, created: bool = False, **kwargs) -> None:
    if created:  # nothing cached of a token that did not exist; shared once the sign-in commits
        if _shared_ttl():
            key = instance.token_key
            transaction.on_commit(lambda: publish([key]), robust=True)  # a sign-in never fails for it
        return
    _entries.pop(instance.digest, None)
    _mark_now_and_after_commit([_token_mark_key(instance.digest)], shared=[_shared_key(instance.digest)])


def _user_changed(sender, instance: User, update_fields=None, **kwargs) -> None:
    if update_fields is not None and set(update_fields) <= _UNCACHED_CHANGES:
        return
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
    """The token's user and row from this process's cache, else from the shared one (then kept here too), if
    an entry is there, in time, and neither the token nor its user changed since it was read; otherwise None
    (look it up). The caller still checks the token's expiry and the user."""
    if not _entries and not _shared_ttl():
        return None
    try:
        digest = hash_token(token)
    except (TypeError, binascii.Error):
        return None
    entry = _entries.get(digest)
    if entry is not None:
        if entry.cached_until >= time.monotonic() and not _revoked_since(entry, digest):
            return _build(entry)
        _entries.pop(digest, None)
    entry = _shared_entry(digest)
    if entry is None:
        return None
    _keep(digest, entry)
    return _build(entry)


# --- The shared entries -------------------------------------------------------------------------------

# KEYS[1]: the entry (a hash: 'e' the pickled entry, 'm' the key of its user's mark, written with it); KEYS[2]:
# the token's mark. Returns nil (no entry) or {entry, token mark, user mark}.
_SHARED_GET = """
local user_mark = redis.call('HGET', KEYS[1], 'm')
if not user_mark then return nil end
return {redis.call('HGET', KEYS[1], 'e'), redis.call('GET', KEYS[2]) or '', redis.call('GET', user_mark) or ''}
"""


def _shared_entry(digest: str) -> Entry | None:
    """The shared entry of the token, when there is one and no mark is as late as its read (else None: the
    database decides, also when Redis cannot be asked or the entry cannot be read)."""
    client = _redis_client()
    if client is None:
        return None
    try:
        found = redis_script(client, _SHARED_GET)(keys=[_shared_key(digest), _token_mark_key(digest)])
        if not found:
            return None
        value, *marks = found
        entry = pickle.loads(value)  # noqa: S301 (written by this module: Redis is trusted as Django's cache is)
    except Exception:
        return None
    if not isinstance(entry, Entry) or not compare_digest(str(entry.token[_DIGEST]), digest):
        return None  # the key holds a prefix of the digest: the whole one must be the token's
    if any(mark and float(mark) >= entry.read_at for mark in marks):
        return None
    return entry


def publish(token_keys: Sequence[str]) -> None:
    """Share the entries of these tokens (by token_key, as issued): read from the database now, written to Redis
    for ``API_TOKEN_SHARED_SECONDS``. A sign-in calls it after its commit; nothing fails if Redis cannot take
    them (the first request then looks the token up)."""
    ttl = _shared_ttl()
    if not ttl or not token_keys:
        return
    with connection.cursor() as cursor:
        cursor.execute(_lookup_sql(many=True), [list(token_keys)])
        rows = cursor.fetchall()
    _share([_entry_of(row) for row in rows], ttl)


def _share(entries: Sequence[Entry], ttl: int) -> None:
    client = _redis_client()
    if client is None or not entries:
        return
    try:
        pipe = client.pipeline(transaction=False)
        for entry in entries:
            key = _shared_key(entry.token[_DIGEST])
            mapping = {"m": _user_mark_key(entry.user_id), "e": pickle.dumps(replace(entry, cached_until=0.0))}
            pipe.hset(key, mapping=mapping)
            pipe.expire(key, ttl)
        pipe.execute()
    except Exception:
        logger.warning("API tokens not shared through Redis (their first requests look them up)", exc_info=True)


@dataclass(frozen=True)
class Candidate:
    """A token row whose token_key is the token's, with its user; ``entry`` is what the cache would keep."""

    user: User
    token: AuthToken
    entry: Entry


def _entry_of(row: Sequence[Any]) -> Entry:
    n = len(_TOKEN_FIELDS)
    values = tuple(row[:n])
    return Entry(token=values, user=tuple(row[n:-1]), user_id=values[_USER_ID], read_at=row[-1], cached_until=0.0)


def lookup(token: str) -> list[Candidate]:
    """The rows whose token_key is the token's (knox's candidates; one in practice), fresh instances; the
    caller compares the digest and checks the rest, then ``keep()``s the good one."""
    with connection.cursor() as cursor:
        cursor.execute(_lookup_sql(), [token[: CONSTANTS.TOKEN_KEY_LENGTH]])
        rows = cursor.fetchall()
    found = []
    for row in rows:
        entry = _entry_of(row)
        user, auth_token = _build(entry)
        found.append(Candidate(user=user, token=auth_token, entry=entry))
    return found


def digest_matches(token: str, digest: str) -> bool:
    try:
        return compare_digest(hash_token(token), digest)
    except (TypeError, binascii.Error):
        return False


def keep(candidate: Candidate) -> None:
    """The caller found this token good (digest, expiry, user): keep it for the next requests, here and shared."""
    _keep(candidate.token.digest, candidate.entry)
    shared_ttl = _shared_ttl()
    if shared_ttl:
        _share([candidate.entry], shared_ttl)


def _keep(digest: str, entry: Entry) -> None:
    ttl = _ttl()
    if not ttl:
        return
    with _lock:
        _entries[digest] = replace(entry, cached_until=time.monotonic() + ttl)
        _entries.move_to_end(digest)
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)


def clear() -> None:
    """Forget every entry of this process (tests)."""
    _entries.clear()
