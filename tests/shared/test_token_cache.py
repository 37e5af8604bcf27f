"""The API token cache (apps/shared/accounts/tokencache.py): a token looked up once is served from the worker's
memory without a query, and from Redis to every other worker (so is a token just issued); whatever ends a token
or changes its user refuses it on the very next request, also when the entry sits in another worker's memory
or a stale copy sits in Redis (the Redis mark, not the local forgetting, does it)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from apps.shared.accounts import tokencache
from apps.shared.accounts.models import Role, User
from tests.factories import make_user

pytestmark = pytest.mark.django_db

PASSWORD = "Token-pass-2026"
ME = "/api/v1/me/"


@pytest.fixture(autouse=True)
def _cache_on(settings):
    settings.API_TOKEN_CACHE_SECONDS = 30
    settings.API_TOKEN_SHARED_SECONDS = 900
    tokencache.clear()
    yield
    tokencache.clear()


def _person(username: str, role: str = Role.CITIZEN) -> User:
    user = make_user(username, role)
    user.set_password(PASSWORD)
    user.save()
    return user


def _token(username: str) -> str:
    response = APIClient().post("/api/v1/auth/token/", {"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.content
    return response.json()["token"]


def _as(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def _token_queries(client: APIClient) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        status = client.get(ME).status_code
    return status, [q["sql"] for q in queries.captured_queries if AuthToken._meta.db_table in q["sql"]]


def _cached(token: str) -> None:
    """Looked up once (a query), then served from memory (none)."""
    client = _as(token)
    status, looked_up = _token_queries(client)
    assert status == 200 and len(looked_up) == 1
    status, looked_up = _token_queries(client)
    assert status == 200 and looked_up == []


def test_a_token_once_looked_up_is_served_without_a_query():
    _person("tc_citizen")
    _cached(_token("tc_citizen"))


def test_without_the_cache_every_request_looks_the_token_up(settings):
    settings.API_TOKEN_CACHE_SECONDS = 0
    settings.API_TOKEN_SHARED_SECONDS = 0
    _person("tc_nocache")
    client = _as(_token("tc_nocache"))
    for _ in range(2):
        status, looked_up = _token_queries(client)
        assert status == 200 and len(looked_up) == 1


def test_a_wrong_token_with_a_known_key_is_refused_and_never_cached():
    _person("tc_wrong")
    token = _token("tc_wrong")
    forged = token[:15] + ("0" if token[15] != "0" else "1") + token[16:]
    _cached(token)
    assert _as(forged).get(ME).status_code == 401
    assert _as(token + "0").get(ME).status_code == 401
    assert _as(forged).get(ME).status_code == 401


@pytest.mark.parametrize("how", ["logout", "logout_all", "revoke", "orm_delete"])
def test_a_revoked_token_is_refused_at_once_though_it_was_cached(how):
    _person("tc_revoke")
    token, spare = _token("tc_revoke"), _token("tc_revoke")
    _cached(token)
    if how == "logout":
        assert _as(token).post("/api/v1/auth/logout/").status_code == 204
    elif how == "logout_all":
        assert _as(spare).post("/api/v1/auth/logout-all/").status_code == 204
    elif how == "revoke":
        assert _as(spare).delete(f"/api/v1/auth/tokens/{token[:15]}/").status_code == 204
    else:
        AuthToken.objects.filter(token_key=token[:15]).delete()  # the admin's delete, a cascade
    assert _as(token).get(ME).status_code == 401


def test_another_workers_cached_entry_is_refused_after_a_revocation():
    """A logout answered by one worker: another worker still holds the token in its memory (put back here
    as it was), and refuses it all the same, because Redis marks the token after the entry was read."""
    _person("tc_other")
    token = _token("tc_other")
    _cached(token)
    held_elsewhere = dict(tokencache._entries)
    assert _as(token).post("/api/v1/auth/logout/").status_code == 204
    tokencache._entries.update(held_elsewhere)
    assert _as(token).get(ME).status_code == 401


def test_the_mark_is_written_again_after_the_commit(django_capture_on_commit_callbacks):
    """Another worker that read the row after the revoking transaction's first mark but before its commit
    (the row was still there for it) holds a good-looking entry; the mark written after the commit ends it."""
    from dataclasses import replace

    _person("tc_commit")
    token = _token("tc_commit")
    _cached(token)
    ((digest, held),) = tokencache._entries.items()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        AuthToken.objects.filter(token_key=token[:15]).delete()
    with connection.cursor() as cursor:
        cursor.execute("SELECT EXTRACT(EPOCH FROM clock_timestamp())::float8")
        (read_before_commit,) = cursor.fetchone()
    tokencache._entries[digest] = replace(held, read_at=read_before_commit)
    assert len(callbacks) == 1
    callbacks[0]()  # the commit: its mark
    assert _as(token).get(ME).status_code == 401


@pytest.mark.parametrize("change", ["password", "deactivated"])
def test_a_change_of_the_user_ends_the_cached_token_at_once(change, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    user = _person("tc_user")
    token = _token("tc_user")
    _cached(token)
    held_elsewhere = dict(tokencache._entries)
    time_machine.shift(dt.timedelta(seconds=1))
    if change == "password":
        user.set_password("Another-pass-2026")
    else:
        user.is_active = False
    user.save()
    tokencache._entries.update(held_elsewhere)
    assert _as(token).get(ME).status_code == 401


def test_a_new_role_is_seen_on_the_next_request():
    user = _person("tc_role", Role.CLERK)
    token = _token("tc_role")
    _cached(token)
    user.role = Role.HALL_SUPERVISOR
    user.save()
    assert _as(token).get(ME).json()["role"] == Role.HALL_SUPERVISOR


def test_an_expired_token_is_refused_though_it_was_cached(time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    _person("tc_staff", Role.CLERK)
    token = _token("tc_staff")
    _cached(token)
    time_machine.shift(dt.timedelta(hours=10, minutes=1))
    assert _as(token).get(ME).status_code == 401
    assert not AuthToken.objects.filter(token_key=token[:15]).exists()


def test_when_redis_cannot_be_asked_the_database_decides(monkeypatch):
    _person("tc_redis")
    token = _token("tc_redis")
    _cached(token)

    class Down:
        def __getattr__(self, name):
            raise ConnectionError("redis is down")

    monkeypatch.setattr(tokencache, "_redis_client", lambda: Down())
    status, looked_up = _token_queries(_as(token))
    assert status == 200 and len(looked_up) == 1


# --- Shared through Redis ---------------------------------------------------------------------------------


def _shared_raw(token: str) -> dict:
    from knox.crypto import hash_token

    return tokencache._redis_client().hgetall(tokencache._shared_key(hash_token(token)))


def test_a_sign_in_ends_no_entry_of_the_users_other_tokens():
    """Only the last sign-in changes (deferred in every entry): the other tokens stay cached."""
    _person("tc_second_device")
    token = _token("tc_second_device")
    _cached(token)
    _token("tc_second_device")  # the same person signs in on another device
    assert _token_queries(_as(token)) == (200, [])


def test_a_token_looked_up_by_one_worker_is_served_to_every_other_without_a_query():
    _person("tc_shared")
    token = _token("tc_shared")
    _cached(token)
    tokencache.clear()  # another worker, on this node or another
    assert _token_queries(_as(token)) == (200, [])


def test_the_shared_cache_alone_serves_a_token_without_a_query(settings):
    settings.API_TOKEN_CACHE_SECONDS = 0
    _person("tc_shared_only")
    client = _as(_token("tc_shared_only"))
    status, looked_up = _token_queries(client)
    assert status == 200 and len(looked_up) == 1
    assert _token_queries(client) == (200, [])


def test_a_sign_in_shares_its_token_after_the_commit(django_capture_on_commit_callbacks):
    _person("tc_signin")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        token = _token("tc_signin")
    assert _shared_raw(token) == {}  # nothing before the commit
    for callback in callbacks:
        callback()
    assert set(_shared_raw(token)) == {b"m", b"e"}
    assert _token_queries(_as(token)) == (200, [])  # its very first request


def test_a_sign_in_succeeds_when_redis_cannot_take_the_entry(monkeypatch, django_capture_on_commit_callbacks):
    _person("tc_signin_down")

    class Down:
        def __getattr__(self, name):
            raise ConnectionError("redis is down")

    monkeypatch.setattr(tokencache, "_redis_client", lambda: Down())
    with django_capture_on_commit_callbacks(execute=True):
        token = _token("tc_signin_down")
    monkeypatch.undo()
    status, looked_up = _token_queries(_as(token))
    assert status == 200 and len(looked_up) == 1


@pytest.mark.parametrize("how", ["logout", "password", "deactivated"])
def test_a_revocation_deletes_the_shared_entry_and_a_stale_copy_of_it_is_refused(how, time_machine):
    """The entry goes from Redis; and a copy written back by a slow worker that read the rows before the
    change (put back here as it was) is refused all the same by the mark."""
    time_machine.move_to(timezone.now(), tick=False)
    user = _person("tc_shared_revoke")
    token = _token("tc_shared_revoke")
    _cached(token)
    stale = _shared_raw(token)
    assert stale
    time_machine.shift(dt.timedelta(seconds=1))
    if how == "logout":
        assert _as(token).post("/api/v1/auth/logout/").status_code == 204
    else:
        if how == "password":
            user.set_password("Another-pass-2026")
        else:
            user.is_active = False
        user.save()
    assert _shared_raw(token) == {}
    from knox.crypto import hash_token

    tokencache._redis_client().hset(tokencache._shared_key(hash_token(token)), mapping=stale)
    tokencache.clear()
    assert _as(token).get(ME).status_code == 401


def test_a_shared_entry_is_used_only_for_the_token_whose_whole_digest_it_holds():
    """The key holds a prefix of the digest; an entry under it whose digest is another token's is not used."""
    from dataclasses import replace

    from knox.crypto import hash_token

    _person("tc_prefix")
    token = _token("tc_prefix")
    _cached(token)
    tokencache.clear()
    key = tokencache._shared_key(hash_token(token))
    client = tokencache._redis_client()
    entry = tokencache.pickle.loads(client.hget(key, "e"))
    other = list(entry.token)
    other[tokencache._DIGEST] = other[tokencache._DIGEST][:40] + "0" * (len(other[tokencache._DIGEST]) - 40)
    client.hset(key, "e", tokencache.pickle.dumps(replace(entry, token=tuple(other))))
    status, looked_up = _token_queries(_as(token))
    assert status == 200 and len(looked_up) == 1


def test_an_entry_shared_with_other_columns_is_never_read(monkeypatch):
    """Another deployment (other columns) shares under another fingerprint: its entries are not this one's."""
    _person("tc_fingerprint")
    token = _token("tc_fingerprint")
    _cached(token)
    tokencache.clear()
    monkeypatch.setattr(tokencache, "_FINGERPRINT", "0" * 12)
    status, looked_up = _token_queries(_as(token))
    assert status == 200 and len(looked_up) == 1


def test_the_shared_entry_holds_no_personal_number():
    user = _person("tc_shared_pii")
    token = _token("tc_shared_pii")
    _cached(token)
    raw = _shared_raw(token)[b"e"]
    assert user.id_number and user.id_number.encode() not in raw
    assert user.phone and user.phone.encode() not in raw


def test_the_personal_numbers_are_not_read_with_the_token_but_on_demand():
    user = _person("tc_pii")
    token = _token("tc_pii")
    (candidate,) = tokencache.lookup(token)
    assert set(candidate.user.get_deferred_fields()) == {"id_number", "phone", "last_login"}
    user.refresh_from_db()
    assert candidate.user.id_number == user.id_number and candidate.user.phone == user.phone
    assert candidate.user.last_login == user.last_login is not None


def test_users_and_tokens_change_only_through_save_and_delete():
    """A QuerySet.update() or raw SQL on either table would change a row without its mark."""
    root = Path(__file__).resolve().parents[2]
    offenders = []
    for path in [*root.joinpath("apps").rglob("*.py"), *root.joinpath("govservice").rglob("*.py")]:
        if "migrations" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        for needle in ("AuthToken.objects.filter(", "User.objects.filter("):
            start = 0
            while (at := text.find(needle, start)) >= 0:
                line = text[at : text.find("\n", at)]
                if ".update(" in line:
                    offenders.append(f"{path.relative_to(root)}: {line.strip()}")
                start = at + 1
        if "UPDATE accounts_user" in text or "knox_authtoken" in text:
            offenders.append(f"{path.relative_to(root)}: raw SQL")
    # A stand-in account (inactive, never signs in) follows a remote staff member's name: no token to end.
    assert offenders == ["apps/shared/accounts/stand_ins.py: User.objects.filter(id=user.id).update(real_name=name)"]
