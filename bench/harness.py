"""What every benchmark needs: its own database on the services' PostgreSQL, migrated; gunicorn on a free
loopback port; a clean-up that runs even when the benchmark fails; percentiles and the JSON line.

The Makefile's ``services`` target starts (or reuses) PostgreSQL and Redis and its ``LOAD_ENV`` exports
``DATABASE_URL`` and ``REDIS_URL``: a benchmark takes the server from there, never the database itself —
it creates ``bench_<name>_<pid>`` next to it and drops it at the end.
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import json
import math
import os
import random
import resource
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Awaitable, Callable, Iterator, Sequence
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg2
from psycopg2 import sql
from psycopg2.extensions import ISOLATION_LEVEL_AUTOCOMMIT, parse_dsn

from bench import loadgen
from bench.loadgen import Job

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR") or BASE_DIR / "var").resolve()
LOOPBACK = "127.0.0.1"

# Gunicorn for every benchmark unless told otherwise (--worker-class/--workers/--threads). Chosen by
# measuring the booking benchmark at 64 connections on the 2-core machine; see README "Benchmarks".
DEFAULT_WORKER_CLASS = "sync"
DEFAULT_WORKERS = 4
DEFAULT_THREADS = 1


def say(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


# --- Clean-up ---------------------------------------------------------------------------------------


class Cleanup(contextlib.ExitStack):
    """An exit stack that also runs on SIGTERM / SIGHUP (Ctrl-C already raises KeyboardInterrupt)."""

    def __enter__(self) -> Cleanup:
        super().__enter__()
        for signum in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, _exit_on_signal)
        return self


def _exit_on_signal(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


# --- Environment ------------------------------------------------------------------------------------


def services_env() -> tuple[str, str]:
    """(PostgreSQL server URL, Redis URL) from the environment the Makefile loaded."""
    database_url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    if not database_url or not redis_url:
        sys.exit("bench: DATABASE_URL and REDIS_URL must be set; run it through make (make bench-<name>)")
    return database_url, redis_url


def redis_database(url: str, offset: int) -> str:
    """The same Redis server, another database: ``make run`` uses N, tests N+1, benchmarks N+offset."""
    parts = urlsplit(url)
    db = parts.path.strip("/") or "0"
    if not db.isdigit():
        return url
    return urlunsplit(parts._replace(path=f"/{(int(db) + offset) % 16}"))


def server_env(database_url: str, redis_url: str, **extra: str) -> dict[str, str]:
    """The environment of a front site process (migrate, gunicorn) on the benchmark's database."""
    env = dict(os.environ)
    env.update(
        SITE_ROLE="front",
        DEV_MODE="1",
        DEBUG="0",
        STATIC_MANIFEST="0",
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        CELERY_BROKER_URL=redis_url,
        # Nothing is queued on the booking path; should anything be, it stays out of make run's queue.
        CELERY_QUEUE="govservice-bench",
        PYTHONPATH=str(BASE_DIR),
    )
    env.update(extra)
    return env


# --- The benchmark's own database -------------------------------------------------------------------


class BenchDatabase:
    """``bench_<name>_<pid>`` on the server of ``server_url``: created UTF-8 / C.UTF-8, dropped at exit."""

    def __init__(self, server_url: str, name: str):
        self.params = parse_dsn(server_url)
        self.name = f"bench_{name}_{os.getpid()}"
        self.prefix = f"bench_{name}_"
        parts = urlsplit(server_url)
        self.url = urlunsplit(parts._replace(path=f"/{self.name}"))

    def _admin(self):
        conn = psycopg2.connect(**{**self.params, "dbname": "postgres", "connect_timeout": "10"})
        conn.set_isolation_level(ISOLATION_LEVEL_AUTOCOMMIT)
        return conn

    def create(self, cleanup: contextlib.ExitStack, *, like: BenchDatabase | None = None) -> str:
        """Empty, or a copy of ``like`` (PostgreSQL's template copy: nothing may be connected to it)."""
        self._drop_leftovers()
        conn = self._admin()
        try:
            with conn.cursor() as cur:
                cur.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(self.name)))
                # pg_trgm finds no trigrams in Chinese text under another ctype (DESIGN.md §3).
                cur.execute(
                    sql.SQL(
                        "CREATE DATABASE {} TEMPLATE {} ENCODING 'UTF8' LC_CTYPE 'C.UTF-8' LC_COLLATE 'C.UTF-8'"
                    ).format(sql.Identifier(self.name), sql.Identifier(like.name if like is not None else "template0"))
                )
        finally:
            conn.close()
        cleanup.callback(self.drop)
        say(f"created database {self.name}" + (f" from {like.name}" if like is not None else ""))
        return self.url

    def drop(self) -> None:
        # WITH (FORCE): a connection left by a killed worker must not keep the database alive.
        conn = self._admin()
        try:
            with conn.cursor() as cur:
                cur.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(self.name)))
        finally:
            conn.close()
        say(f"dropped database {self.name}")

    def _drop_leftovers(self) -> None:
        """Drop this benchmark's databases left by runs that were killed outright (SIGKILL skips every
        clean-up). Only on a loopback server, where the pid in the name is a process of this machine."""
        if self.params.get("host") not in (LOOPBACK, "localhost", "::1"):
            return
        conn = self._admin()
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", [self.prefix + "%"])
                for (name,) in cur.fetchall():
                    pid = name.removeprefix(self.prefix)
                    if pid.isdigit() and not _pid_alive(int(pid)):
                        cur.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
                        say(f"dropped {name}, left by a run that was killed")
        finally:
            conn.close()


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def migrate(env: dict[str, str]) -> None:
    started = time.monotonic()
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=BASE_DIR, env=env, check=True)
    say(f"migrated in {time.monotonic() - started:.1f} s")


def django_setup(env: dict[str, str]) -> None:
    """Configure Django in this process against the benchmark's database (to load data and check it)."""
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "govservice.settings"
    if str(BASE_DIR) not in sys.path:
        sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()


def prepared_site(name: str, cleanup: Cleanup, **extra: str) -> tuple[BenchDatabase, dict[str, str]]:
    """The benchmark's own database ``bench_<name>_<pid>`` (created, migrated, dropped by ``cleanup``) and the
    front site's environment on it, with rate-limit counters in a Redis database of their own (make run: N,
    tests: N+1, benchmarks: N+2); Django is set up in this process against it. ``extra``: more environment."""
    database_url, redis_url = services_env()
    database = BenchDatabase(database_url, name)
    env = server_env(database.create(cleanup), redis_database(redis_url, 2), **extra)
    migrate(env)
    django_setup(env)
    return database, env


# --- Gunicorn ---------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


def _die_with_parent() -> None:
    """In the child before exec: get SIGTERM if the benchmark dies, even by SIGKILL (Linux)."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM)


class Gunicorn:
    """One gunicorn master and its workers on a free loopback port."""

    def __init__(
        self,
        app: str,
        env: dict[str, str],
        *,
        name: str,
        worker_class: str = DEFAULT_WORKER_CLASS,
        workers: int = DEFAULT_WORKERS,
        threads: int = DEFAULT_THREADS,
    ):
        self.app, self.env, self.name = app, env, name
        self.worker_class, self.workers, self.threads = worker_class, workers, threads
        self.port = 0
        self.process: subprocess.Popen | None = None
        self.log = VAR_DIR / "bench" / f"{name}.log"

    @property
    def config(self) -> str:
        if self.worker_class == "gthread":
            return f"gthread {self.workers}x{self.threads}"
        return f"{self.worker_class} {self.workers}"

    def start(self, cleanup: Cleanup) -> Gunicorn:
        self.port = free_port()
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self.log.unlink(missing_ok=True)  # gunicorn appends; keep only this run's lines
        args = [
            str(Path(sys.executable).with_name("gunicorn")),
            self.app,
            "--bind",
            f"{LOOPBACK}:{self.port}",
            "--worker-class",
            self.worker_class,
            "--workers",
            str(self.workers),
            "--threads",
            str(self.threads),
            "--backlog",
            "2048",
            "--timeout",
            "60",
            "--no-control-socket",
            "--error-logfile",
            str(self.log),
            "--log-level",
            "warning",
        ]
        # Its own session: Ctrl-C reaches the benchmark, which then stops the server in order.
        # Django's console logging (a warning line per 4xx answer) goes to the same file, not the terminal.
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                args,
                cwd=BASE_DIR,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                start_new_session=True,
                preexec_fn=_die_with_parent,
            )
        cleanup.callback(self.stop)
        self._wait_ready()
        say(f"gunicorn {self.name} ({self.config}) on {self.base_url}, log {self.log}")
        return self

    @property
    def base_url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def _wait_ready(self, seconds: float = 60.0) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"gunicorn {self.name} exited ({self.process.returncode}):\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.base_url}/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn {self.name} not ready within {seconds:.0f} s:\n{self.log_tail()}")

    def worker_pids(self) -> list[int]:
        """The workers' pids (children of the master), for a profiler."""
        if self.process is None:
            return []
        try:
            children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        except OSError:
            return []
        return [int(pid) for pid in children]

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)  # graceful: the master stops its workers
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            # The whole group is ours: the master and the workers it forked (own session).
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        say(f"gunicorn {self.name} stopped")

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def log_errors(self) -> list[str]:
        """Tracebacks and worker timeouts in the server's log: any is a defect worth reporting."""
        try:
            text = self.log.read_text(errors="replace")
        except OSError:
            return []
        return [
            line for line in text.splitlines() if "Traceback" in line or "WORKER TIMEOUT" in line or " ERROR " in line
        ]


# --- CPU time ---------------------------------------------------------------------------------------


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process so far (0 when it is gone or not readable)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    # Fields 14 and 15 of proc(5) (utime, stime), counted after the ")" that ends the command name.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class CpuMeter:
    """CPU seconds spent by the server's workers, by the PostgreSQL backends serving the benchmark's
    database, and by this process (the load generator) between ``start()`` and ``stop()``.

    Wall-clock throughput on a small shared machine moves with whatever else runs on it; CPU time per
    request hardly does, so it is reported beside it. A thread looks for the processes twice a second:
    backends come and go (CONN_MAX_AGE recycles connections) and are recognised by their process title,
    which names the database. Only a PostgreSQL on this machine is seen; otherwise ``db`` is None.
    """

    def __init__(self, server: Gunicorn, database: BenchDatabase, interval: float = 0.5):
        self.server, self.database, self.interval = server, database, interval
        self.title = f" {database.name} ".encode()
        self.start_cpu: dict[int, float] = {}  # pid -> CPU seconds when first seen (0 if born during the run)
        self.last_cpu: dict[int, float] = {}
        self.kind: dict[int, str] = {}
        self.client_start = 0.0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def _processes(self) -> dict[int, str]:
        found = dict.fromkeys(self.server.worker_pids(), "app")
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    cmdline = (entry / "cmdline").read_bytes()
                except OSError:
                    continue
                if cmdline.startswith(b"postgres: ") and self.title in cmdline:
                    found[int(entry.name)] = "db"
        return found

    def _sample(self, *, first: bool = False) -> None:
        for pid, kind in self._processes().items():
            cpu = _cpu_seconds(pid)
            with self._lock:
                if pid not in self.start_cpu:
                    self.start_cpu[pid] = cpu if first else 0.0
                    self.kind[pid] = kind
                self.last_cpu[pid] = max(cpu, self.last_cpu.get(pid, 0.0))

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._sample()

    def start(self) -> CpuMeter:
        """Call after the warm-up, when the workers hold their database connections."""
        self._sample(first=True)
        self.client_start = _own_cpu()
        self._thread = threading.Thread(target=self._run, name="cpu-meter", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> dict[str, float | None]:
        """CPU seconds used since ``start()``: app, db (None when no backend was seen), client."""
        client = _own_cpu() - self.client_start
        self._sample()
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        used: dict[str, float | None] = {"app": 0.0, "db": 0.0, "client": client}
        with self._lock:
            for pid, kind in self.kind.items():
                used[kind] = (used.get(kind) or 0.0) + self.last_cpu[pid] - self.start_cpu[pid]
            if "db" not in self.kind.values():
                used["db"] = None
        return used


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def timed_load(
    server: Gunicorn,
    database: BenchDatabase,
    jobs: Sequence[Job],
    handle: Callable[[loadgen.Client, Job], Awaitable[None]],
    *,
    requests: int,
    connections: int,
    rng: random.Random,
    after_warm_up: Callable[[], None] = lambda: None,
) -> tuple[loadgen.Tally, dict[str, float | None]]:
    """200 warm-up requests on 4 connections, each to be answered 200 (every worker has imported its views
    and opened its database connection), then ``requests`` timed ones, each a random pick of ``jobs``,
    with the CPU metered: the tally and the CPU milliseconds per request. ``after_warm_up`` resets what
    ``handle`` collects, so that only the timed answers count."""
    warm = loadgen.run(server.base_url, [rng.choice(jobs) for _ in range(200)], handle, connections=4)
    if warm.statuses.get("200", 0) != warm.requests:
        raise RuntimeError(f"warm-up failed: {dict(warm.statuses)}\n{server.log_tail()}")
    after_warm_up()
    say(f"timing {requests} requests on {connections} connection(s)")
    meter = CpuMeter(server, database).start()
    tally = loadgen.run(server.base_url, [rng.choice(jobs) for _ in range(requests)], handle, connections=connections)
    return tally, per_request_ms(meter.stop(), tally.requests)


def per_request_ms(cpu: dict[str, float | None], requests: int) -> dict[str, float | None]:
    return {key: None if value is None else round(value * 1000 / max(1, requests), 2) for key, value in cpu.items()}


# --- Figures ----------------------------------------------------------------------------------------


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile of unsorted values (0 when there are none)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def machine() -> dict[str, object]:
    """The first figures of every run: when, and on how busy a machine."""
    return {
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "loadavg_1m_before": round(os.getloadavg()[0], 2),
    }


def emit(figures: dict[str, object], lines: Callable[[], Iterator[str]] | None = None) -> None:
    """Human-readable lines first, then the figures as one JSON line, last."""
    if lines is not None:
        for line in lines():
            print(line)
    print(json.dumps(figures, ensure_ascii=False), flush=True)
