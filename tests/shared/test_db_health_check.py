"""The connection health check (govservice/db/base.py): no SELECT 1 before every request's first query, but a
full check after a database error, and a connection the server ended between two requests replaced before
it is used (the socket says so)."""

from __future__ import annotations

import os
import select

import psycopg2
import pytest
from django.db import DatabaseError, close_old_connections, connection, connections, transaction

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def checks(monkeypatch):
    """The full checks (SELECT 1) the connection makes from now on."""
    made: list[bool] = []
    wrapper = type(connections["default"])
    original = wrapper.is_usable

    def counted(self):
        usable = original(self)
        made.append(usable)
        return usable

    monkeypatch.setattr(wrapper, "is_usable", counted)
    return made


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _next_request() -> None:
    """What Django does between two requests (request_finished, request_started)."""
    close_old_connections()
    close_old_connections()


def test_the_engine_is_the_sites():
    assert connection.settings_dict["ENGINE"] == "govservice.db" and connection.settings_dict["CONN_HEALTH_CHECKS"]


def test_a_healthy_idle_connection_is_not_pinged(checks):
    pid = _backend_pid()
    for _ in range(3):
        _next_request()
        assert _backend_pid() == pid
    assert checks == []


def test_a_connection_on_a_descriptor_above_1024_is_not_pinged(checks):
    """A busy process (a full test run, a threaded worker) holds more than 1,024 descriptors; select() refuses
    those, so the check once took every such connection for broken and pinged it each request."""
    connection.close()
    spare = [os.open(os.devnull, os.O_RDONLY) for _ in range(1100)]
    try:
        pid = _backend_pid()
        assert connection.connection.fileno() > 1024
        for _ in range(3):
            _next_request()
            assert _backend_pid() == pid
        assert checks == []
    finally:
        connection.close()
        for fd in spare:
            os.close(fd)


def test_after_a_database_error_the_connection_is_checked(checks):
    pid = _backend_pid()
    with pytest.raises(DatabaseError), connection.cursor() as cursor:
        cursor.execute("SELECT no_such_column FROM no_such_table")
    _next_request()
    assert _backend_pid() == pid
    assert checks == [True]  # checked once, passed: the connection is kept
    _next_request()
    _backend_pid()
    assert checks == [True]  # and not again while nothing fails


def test_an_error_rolled_back_inside_a_transaction_still_gets_the_check(checks):
    """A rollback clears Django's own error flag (its end-of-request check then skips); the first query of
    the next request still checks the connection."""
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT no_such_column FROM no_such_table")
    _next_request()
    assert checks == []
    _backend_pid()
    assert checks == [True]


def test_a_connection_the_server_ended_between_requests_is_replaced(checks):
    pid = _backend_pid()
    params = connection.get_connection_params()
    other = psycopg2.connect(**{k: v for k, v in params.items() if k not in ("cursor_factory", "context")})
    try:
        other.autocommit = True
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    finally:
        other.close()
    # The server's FATAL message and the end of the stream reach the idle socket.
    poller = select.poll()
    poller.register(connection.connection.fileno(), select.POLLIN)
    assert poller.poll(10_000)
    _next_request()
    assert _backend_pid() != pid  # no error for the request: checked, closed, reconnected
    assert checks == [False]
