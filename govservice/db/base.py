"""Django's PostgreSQL backend with the connection health check paid for only when it can find something.

``CONN_HEALTH_CHECKS`` makes Django send ``SELECT 1`` before the first query of every request that reuses a
connection: one more round trip, and PostgreSQL's CPU for it, on every API call (``bench/stack_cost.py``).
What it exists to catch is a connection that died between two requests: the server restarted, a pooler or
the server closed it, an administrator terminated it. PostgreSQL says so on the socket when it happens (the
FATAL message, then the end of the stream), and an idle connection that is still good has nothing to read.
So before the first query of a request:

- after a database error on the connection (any but a constraint's or bad data's, as Django counts them),
  the full check runs: ``SELECT 1``, and the connection is replaced if it fails — until a check passes;
- otherwise the socket is polled (no round trip), and the full check runs only when the server has said
  something or psycopg knows the connection closed.

A peer gone silent (a cable pulled) is seen by neither check before a query's timeout: unchanged.
``CONN_HEALTH_CHECKS: False`` turns every check off, as in Django.
"""

from __future__ import annotations

import select

from django.db.backends.postgresql import base
from django.db.utils import DatabaseErrorWrapper
from django.utils.functional import cached_property


class _ErrorWrapper(DatabaseErrorWrapper):
    def __exit__(self, exc_type, exc_value, traceback):
        database = self.wrapper.Database
        if (
            exc_type is not None
            and issubclass(exc_type, database.Error)
            and not issubclass(exc_type, (database.DataError, database.IntegrityError))
        ):
            self.wrapper.suspect = True
        return super().__exit__(exc_type, exc_value, traceback)


class DatabaseWrapper(base.DatabaseWrapper):
    # A query of this connection failed since its last passing check (or it opened).
    suspect = False

    @cached_property
    def wrap_database_errors(self):
        return _ErrorWrapper(self)

    def connect(self):
        super().connect()
        self.suspect = False

    def is_usable(self):
        usable = super().is_usable()
        if usable:
            self.suspect = False
        return usable

    def close_if_health_check_failed(self):
        if self.connection is None or not self.health_check_enabled or self.health_check_done or self.pool:
            return
        if self.suspect or self._server_spoke():
            super().close_if_health_check_failed()
        self.health_check_done = True

    def _server_spoke(self) -> bool:
        """Whether the idle connection has something to read (a FATAL message, the end of the stream) or
        psycopg already knows it is closed."""
        raw = self.connection
        if raw is None or raw.closed:
            return True
        # poll(), not select(): select() refuses a descriptor above 1024, which a busy process reaches.
        poller = select.poll()
        try:
            poller.register(raw.fileno(), select.POLLIN | select.POLLPRI)
            return bool(poller.poll(0))
        except (OSError, ValueError):
            return True
