"""PostgreSQL: the primary, the pooler (PgBouncer), the optional read replica."""

from __future__ import annotations

from govservice.lib.envvars import env_bool, env_int, env_str

from .core import IS_FRONT, SITE_ROLE, env

# PostgreSQL only: locking, pg_trgm and the audit triggers behave differently elsewhere.
_db_var = "DATABASE_URL" if IS_FRONT else "CENTRAL_DATABASE_URL"
_db_default = "postgres://postgres@127.0.0.1:5432/govservice_" + SITE_ROLE
DATABASES = {"default": env.db_url(_db_var, default=_db_default)}
# Keep connections between requests: opening one per request cut a bare booking endpoint from
# ~1,300 to ~240 requests/s on this machine (DESIGN.md §6).
DATABASES["default"]["CONN_MAX_AGE"] = env_int("DB_CONN_MAX_AGE", 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Django's PostgreSQL with that check made cheap: SELECT 1 only after an error or when the server has spoken on
# the idle connection (govservice/db/base.py).
DATABASES["default"]["ENGINE"] = "govservice.db"
DATABASES["default"].setdefault("OPTIONS", {})
# A short lock timeout turns pile-ups into a clear "busy, try again" instead of a hung request.
DB_LOCK_TIMEOUT_MS = env_int("DB_LOCK_TIMEOUT_MS", 2000)
DB_STATEMENT_TIMEOUT_MS = env_int("DB_STATEMENT_TIMEOUT_MS", 30000)
# Behind PgBouncer in transaction pooling (DB_TRANSACTION_POOLING=1) each transaction may run on another server
# session, so nothing may rely on one: no server-side cursors, the booking read not PREPAREd
# (BOOKING_PREPARED_STATEMENTS), and the timeouts set by the pooler on its server connections (its
# connect_query, bin/cluster.py): PgBouncer passes no startup "options" through.
DB_TRANSACTION_POOLING = env_bool("DB_TRANSACTION_POOLING", False)
if DB_TRANSACTION_POOLING:
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    BOOKING_PREPARED_STATEMENTS = False
else:
    DATABASES["default"]["OPTIONS"]["options"] = (
        f"-c lock_timeout={DB_LOCK_TIMEOUT_MS} -c statement_timeout={DB_STATEMENT_TIMEOUT_MS}"
    )
DATABASES["default"]["TEST"] = {"TEMPLATE": "template0", "CHARSET": "UTF8"}
# Read-only work (reports, dashboards, search: govservice/lib/replica.py) on a replica when its URL is set; the
# same connection settings as the primary, and in tests the primary itself. REPLICA_READS=0 turns it off.
_replica_var = "REPLICA_DATABASE_URL" if IS_FRONT else "CENTRAL_REPLICA_DATABASE_URL"
if env_str(_replica_var, ""):
    DATABASES["replica"] = {
        **env.db_url(_replica_var),
        **{key: DATABASES["default"][key] for key in ("CONN_MAX_AGE", "CONN_HEALTH_CHECKS", "OPTIONS")},
        "TEST": {"MIRROR": "default"},
    }
    if DB_TRANSACTION_POOLING:
        DATABASES["replica"]["DISABLE_SERVER_SIDE_CURSORS"] = True
REPLICA_READS = env_bool("REPLICA_READS", True) and "replica" in DATABASES
DATABASE_ROUTERS = ["govservice.lib.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
