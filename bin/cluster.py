#!/usr/bin/env python3
"""The city's topology on one machine: several app nodes per site behind HAProxy, PgBouncer in transaction
pooling in front of PostgreSQL, uploads on S3-compatible object storage, Celery workers, and beat started
twice per site of which only the holder of the Redis lock sends.

::

    HAProxy  :8000 (front)        :8100 (central)          one frontend per site, health checks on /healthz,
       |  front-1  front-2  |  central-1  central-2  |     a dead node routed around (retries, redispatch)
    gunicorn nodes (N per site) ── worker + 2 beats per site (CELERY_BEAT_LOCK: redbeat's lock)
       |
    PgBouncer (pool_mode=transaction): front, front_replica, central, central_replica
       |                                     (the replica pools read the primary: govservice/lib/replica.py)
    PostgreSQL (the services' server)        Redis (cache, rate limits, broker, beat's lock)
    S3 (moto's server at the edge; any S3-compatible store in a deployment)

``make run-cluster`` runs ``python bin/cluster.py run`` on the databases of ``make run`` (migrated and seeded
directly, not through the pooler); tests/cluster drives the same ``Cluster`` on fresh databases and free
ports. Every process is started here in a process group of its own and stopped here, by its id.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"
HOST = "127.0.0.1"
ROLES = ("front", "central")
VAR_DIR = Path(os.environ.get("VAR_DIR") or BASE_DIR / "var")


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def wait_for(check, *, timeout: float, what: str, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{what}: the process exited with {proc.returncode}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what}: not ready within {timeout:.0f}s")
        time.sleep(0.2)


def http_ok(url: str) -> bool:
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@dataclass
class Postgres:
    """The PostgreSQL server the sites' databases are on (its address as DATABASE_URL gives it)."""

    host: str
    port: int
    user: str
    password: str

    @classmethod
    def from_url(cls, url: str) -> Postgres:
        parts = urlsplit(url)
        return cls(parts.hostname or HOST, parts.port or 5432, parts.username or "postgres", parts.password or "")

    def dsn(self, database: str) -> str:
        password = f":{quote(self.password)}" if self.password else ""
        return f"postgres://{quote(self.user)}{password}@{self.host}:{self.port}/{database}"


@dataclass
class Node:
    """One process the cluster started (a gunicorn node, a worker, a beat, a server), in its own group."""

    name: str
    command: list[str]
    env: dict[str, str]
    log: Path
    proc: subprocess.Popen | None = None
    port: int | None = None

    def start(self) -> Node:
        log = open(self.log, "a")  # noqa: SIM115 - closed with the process
        self.proc = subprocess.Popen(
            self.command, cwd=BASE_DIR, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        return self

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def signal(self, signum: int) -> None:
        """To the node's whole group (gunicorn's master and its workers, celery's pool), as a host going down."""
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signum)

    def kill(self) -> None:
        self.signal(signal.SIGKILL)
        if self.proc is not None:
            self.proc.wait(timeout=15)

    def stop(self, timeout: float = 20) -> None:
        if self.proc is None:
            return
        self.signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
        # Whatever the group left behind (a gunicorn worker mid-request): the group is ours.
        self.signal(signal.SIGKILL)


@dataclass
class Cluster:
    """Both sites, ``nodes`` gunicorn nodes each behind HAProxy, on PgBouncer, S3 and Redis."""

    workdir: Path
    postgres: Postgres
    redis_url: str
    databases: dict[str, str]  # role -> database name on ``postgres``
    nodes: int = 2
    gunicorn_workers: int = 2
    beats: int = 2
    media: str = "s3"  # or "filesystem": one directory all nodes of a site share
    ports: dict[str, int] = field(default_factory=dict)  # role -> the balancer's port (free ones if unset)
    extra_env: dict[str, str] = field(default_factory=dict)
    tag: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    web: dict[str, list[Node]] = field(default_factory=dict)
    workers: dict[str, list[Node]] = field(default_factory=dict)
    beat_nodes: dict[str, list[Node]] = field(default_factory=dict)
    servers: list[Node] = field(default_factory=list)
    env: dict[str, dict[str, str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.logs = self.workdir / "logs"
        self.logs.mkdir(exist_ok=True)
        for role in ROLES:
            self.ports.setdefault(role, free_port())
        self.pgbouncer_port = free_port()
        self.s3_port = free_port()
        self.haproxy_socket = self.workdir / "haproxy.sock"
        self.node_ports = {role: [free_port() for _ in range(self.nodes)] for role in ROLES}
        self.bucket = f"cloudwindow-{self.tag}"
        self.env = {role: self._site_env(role) for role in ROLES}

    # --- Addresses --------------------------------------------------------------------------------------

    def url(self, role: str) -> str:
        return f"http://{HOST}:{self.ports[role]}"

    def pooled_dsn(self, pool: str) -> str:
        """A PgBouncer pool (``front``, ``front_replica``, ``central``, ``central_replica``)."""
        return Postgres(HOST, self.pgbouncer_port, self.postgres.user, self.postgres.password).dsn(pool)

    def _site_env(self, role: str) -> dict[str, str]:
        site_dir = self.workdir / role
        site_dir.mkdir(exist_ok=True)
        primary, replica = (
            ("DATABASE_URL", "REPLICA_DATABASE_URL")
            if role == "front"
            else ("CENTRAL_DATABASE_URL", "CENTRAL_REPLICA_DATABASE_URL")
        )
        env = {
            **os.environ,
            "SITE_ROLE": role,
            "DEV_MODE": os.environ.get("DEV_MODE", "1"),
            "PYTHONUNBUFFERED": "1",
            primary: self.pooled_dsn(role),
            replica: self.pooled_dsn(f"{role}_replica"),
            "DB_TRANSACTION_POOLING": "1",
            "REDIS_URL": self.redis_url,
            "CELERY_BROKER_URL": self.redis_url,
            "CELERY_QUEUE": f"cluster-{role}-{self.tag}",
            "CELERY_BEAT_LOCK": "1",
            "CENTRAL_URL": self.url("central"),
            "PUBLIC_BASE_URL": self.url(role),
            # Behind one proxy that sets X-Forwarded-For: the rate limits count the client's address.
            "NUM_PROXIES": "1",
            # Files a development backend writes (SMS, mail, courier) are the fakes at the edge, one per site.
            "SMS_FILE_PATH": str(site_dir / "sms.jsonl"),
            "EMAIL_BACKEND": os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend"),
            "EMAIL_FILE_PATH": str(site_dir / "mail"),
            "COURIER_FILE_PATH": str(site_dir / "courier.jsonl"),
            "VAR_DIR": str(site_dir),
            "STATIC_ROOT": os.environ.get("STATIC_ROOT") or str(VAR_DIR / f"static-{role}"),
            "MEDIA_ROOT": str(site_dir / "media"),
        }
        if self.media == "s3":
            env.update(
                MEDIA_STORAGE="s3", MEDIA_S3_BUCKET=self.bucket, MEDIA_S3_PREFIX=role,
                MEDIA_S3_ENDPOINT_URL=f"http://{HOST}:{self.s3_port}", MEDIA_S3_REGION="us-east-1",
                MEDIA_S3_ACCESS_KEY_ID="cluster", MEDIA_S3_SECRET_ACCESS_KEY="cluster-secret",
            )  # fmt: skip
        env.update(self.extra_env)
        return env

    # --- Start and stop ---------------------------------------------------------------------------------

    def start(self) -> Cluster:
        try:
            if self.media == "s3":
                self._start_s3()
            self._start_pgbouncer()
            self._start_haproxy()
            self.point_peers()
            for role in ROLES:
                self.web[role] = [self.start_web(role, i) for i in range(self.nodes)]
                self.workers[role] = [self.start_worker(role)]
                self.beat_nodes[role] = [self.start_beat(role, i) for i in range(self.beats)]
            self.wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _start_s3(self) -> None:
        node = Node(
            "s3",
            [str(BIN / "python"), "-m", "moto.server", "-H", HOST, "-p", str(self.s3_port)],
            dict(os.environ),
            self.logs / "s3.log",
        ).start()
        self.servers.append(node)
        wait_for(lambda: http_ok(f"http://{HOST}:{self.s3_port}/"), timeout=60, what="S3 server", proc=node.proc)
        import boto3

        boto3.client(
            "s3", endpoint_url=f"http://{HOST}:{self.s3_port}", region_name="us-east-1",
            aws_access_key_id="cluster", aws_secret_access_key="cluster-secret",
        ).create_bucket(Bucket=self.bucket)  # fmt: skip

    def _start_pgbouncer(self) -> None:
        # Its own directory that the postgres user can reach (a test's tmp folder is private to root).
        directory = Path(tempfile.mkdtemp(prefix=f"cluster-pgbouncer-{self.tag}-"))
        directory.chmod(0o755)
        self.pgbouncer_dir = directory
        pg = self.postgres
        # PgBouncer passes no startup "options": the sites' timeouts are set on each server connection here.
        timeouts = "SET lock_timeout = {}; SET statement_timeout = {}".format(
            os.environ.get("DB_LOCK_TIMEOUT_MS", "2000"), os.environ.get("DB_STATEMENT_TIMEOUT_MS", "30000")
        )
        password = f" password={pg.password}" if pg.password else ""
        databases = "\n".join(
            f"{pool} = host={pg.host} port={pg.port} dbname={self.databases[role]} user={pg.user}{password} "
            f"connect_query='{timeouts}'"
            for role in ROLES
            for pool in (role, f"{role}_replica")
        )
        (directory / "users.txt").write_text(f'"{pg.user}" "{pg.password}"\n')
        (directory / "pgbouncer.ini").write_text(
            f"""[databases]
{databases}

[pgbouncer]
listen_addr = {HOST}
listen_port = {self.pgbouncer_port}
unix_socket_dir =
auth_type = {"md5" if pg.password else "trust"}
auth_file = {directory / "users.txt"}
admin_users = {pg.user}
stats_users = {pg.user}
pool_mode = transaction
max_client_conn = 1000
default_pool_size = 20
server_reset_query =
ignore_startup_parameters = extra_float_digits,options
logfile = {directory / "pgbouncer.log"}
pidfile = {directory / "pgbouncer.pid"}
"""
        )
        command = [PGBOUNCER]
        if os.geteuid() == 0:  # PgBouncer refuses to run as root: it drops to the postgres user (or nobody)
            user = next(u for u in map(_user, ("postgres", "nobody")) if u is not None)
            for path in (directory, *directory.iterdir()):
                os.chown(path, user.pw_uid, user.pw_gid)
            command += ["-u", user.pw_name]
        node = Node(
            "pgbouncer", [*command, str(directory / "pgbouncer.ini")], dict(os.environ), self.logs / "pgbouncer.out"
        ).start()
        self.servers.append(node)
        wait_for(lambda: _connects(self.pgbouncer_port), timeout=20, what="PgBouncer", proc=node.proc)

    def _haproxy_config(self) -> str:
        sections = []
        for role in ROLES:
            servers = "\n".join(
                f"    server {role}-{i + 1} {HOST}:{port} check" for i, port in enumerate(self.node_ports[role])
            )
            sections.append(
                f"""frontend {role}
    bind {HOST}:{self.ports[role]}
    default_backend {role}_nodes

backend {role}_nodes
    balance roundrobin
    option httpchk
    http-check send meth GET uri /healthz ver HTTP/1.1 hdr Host {HOST}
    http-check expect status 200
    default-server inter 1s fall 2 rise 2
{servers}
"""
            )
        return f"""global
    maxconn 2000
    stats socket {self.haproxy_socket} mode 600 level admin

defaults
    mode http
    option forwardfor
    option http-server-close
    timeout connect 2s
    timeout client 90s
    timeout server 90s
    # How long a node's health check may take to answer. Without it the limit is inter (1 s), and a node merely
    # busy (its sync workers' backlog over a second deep, as under make bench-day's load) was marked down: a site
    # of one node then answered 503 to everyone. A dead node refuses the check at once whatever this says.
    timeout check 10s
    # A node that refuses the connection or dies before answering: the request goes to another node. A
    # request it may have applied (even one cut off half-way through its answer: junk-response) is safe to send
    # again (Idempotency-Key, compare-and-set transitions). Only a
    # request whole in HAProxy's buffer is retried (not a large upload).
    retries 3
    option redispatch 1
    retry-on conn-failure empty-response junk-response

{"".join(sections)}"""

    def _start_haproxy(self) -> None:
        config = self.workdir / "haproxy.cfg"
        config.write_text(self._haproxy_config())
        node = Node("haproxy", [HAPROXY, "-db", "-f", str(config)], dict(os.environ), self.logs / "haproxy.log").start()
        self.servers.append(node)
        wait_for(lambda: all(_connects(self.ports[r]) for r in ROLES), timeout=20, what="HAProxy", proc=node.proc)

    def gunicorn(self, role: str, index: int) -> list[str]:
        return [
            str(BIN / "gunicorn"), "govservice.wsgi", "-b", f"{HOST}:{self.node_ports[role][index]}",
            "-w", str(self.gunicorn_workers), "--timeout", "60", "--no-control-socket",
        ]  # fmt: skip

    def start_web(self, role: str, index: int) -> Node:
        return Node(
            f"{role}-{index + 1}",
            self.gunicorn(role, index),
            self.env[role],
            self.logs / f"{role}-{index + 1}.log",
            port=self.node_ports[role][index],
        ).start()

    def start_worker(self, role: str) -> Node:
        command = [
            str(BIN / "celery"),
            "-A",
            "govservice",
            "worker",
            "-l",
            "info",
            "--concurrency",
            "2",
            "-n",
            f"{role}-{self.tag}@%h",
        ]
        return Node(f"{role}-worker", command, self.env[role], self.logs / f"{role}-worker.log").start()

    def start_beat(self, role: str, index: int) -> Node:
        # Each beat its own (unused by redbeat) schedule file: nothing shared on a disk.
        schedule = self.workdir / role / f"beat-{index + 1}"
        command = [str(BIN / "celery"), "-A", "govservice", "beat", "-l", "info", "-s", str(schedule)]
        return Node(
            f"{role}-beat-{index + 1}", command, self.env[role], self.logs / f"{role}-beat-{index + 1}.log"
        ).start()

    def restart_web(self, role: str, index: int) -> Node:
        self.web[role][index].stop()
        self.web[role][index] = self.start_web(role, index)
        node = self.web[role][index]
        wait_for(lambda: http_ok(f"http://{HOST}:{node.port}/healthz"), timeout=90, what=node.name, proc=node.proc)
        return node

    def wait_ready(self, timeout: float = 120) -> None:
        for role in ROLES:
            for node in self.web[role]:
                wait_for(
                    lambda n=node: http_ok(f"http://{HOST}:{n.port}/healthz"),
                    timeout=timeout,
                    what=node.name,
                    proc=node.proc,
                )
            wait_for(lambda r=role: http_ok(f"{self.url(r)}/healthz"), timeout=30, what=f"{role} balancer")
        # HAProxy sees every node up (rise 2 at 1 s) before the cluster is handed over.
        wait_for(lambda: all(s == "UP" for s in self.backend_status().values()), timeout=30, what="health checks")

    def stop(self) -> None:
        # All asked at once, then waited for: the nodes shut down side by side.
        nodes = [node for group in (self.web, self.beat_nodes, self.workers) for ns in group.values() for node in ns]
        for node in nodes:
            node.signal(signal.SIGTERM)
        for node in nodes:
            node.stop()
        for node in reversed(self.servers):
            node.stop()
        self.servers.clear()
        directory = getattr(self, "pgbouncer_dir", None)
        if directory is not None:
            if (directory / "pgbouncer.log").exists():
                shutil.copy(directory / "pgbouncer.log", self.logs / "pgbouncer.log")
            shutil.rmtree(directory, ignore_errors=True)
            self.pgbouncer_dir = None

    # --- State --------------------------------------------------------------------------------------------

    def point_peers(self) -> None:
        """Each site's peer record at the other's balancer (the demo data names :8000 and :8100)."""
        import psycopg2

        updates = {
            "front": ("UPDATE exchange_peer SET base_url = %s WHERE code = 'central'", self.url("central")),
            "central": ("UPDATE exchange_peer SET base_url = %s WHERE code = 'BJ-TZ'", self.url("front")),
        }
        for role, (query, url) in updates.items():
            with psycopg2.connect(self.postgres.dsn(self.databases[role])) as conn, conn.cursor() as cursor:
                cursor.execute(query, (url,))
            conn.close()

    def haproxy(self, command: str) -> str:
        with socket.socket(socket.AF_UNIX) as sock:
            sock.connect(str(self.haproxy_socket))
            sock.sendall(command.encode() + b"\n")
            chunks = []
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks).decode()

    def backend_status(self) -> dict[str, str]:
        """``front-1`` → ``UP`` / ``DOWN`` …, as HAProxy's health checks see the nodes."""
        lines = self.haproxy("show stat").splitlines()
        header = lines[0].lstrip("# ").split(",")
        rows = [dict(zip(header, line.split(","), strict=False)) for line in lines[1:] if line]
        return {r["svname"]: r["status"].split()[0] for r in rows if r["svname"] not in ("FRONTEND", "BACKEND")}

    def served(self) -> dict[str, int]:
        """Requests each node answered (HAProxy's ``stot``)."""
        lines = self.haproxy("show stat").splitlines()
        header = lines[0].lstrip("# ").split(",")
        rows = [dict(zip(header, line.split(","), strict=False)) for line in lines[1:] if line]
        return {r["svname"]: int(r["stot"] or 0) for r in rows if r["svname"] not in ("FRONTEND", "BACKEND")}

    def pgbouncer_stats(self) -> dict[str, dict[str, str]]:
        """PgBouncer's SHOW STATS per pool (its admin console)."""
        import psycopg2

        conn = psycopg2.connect(self.pooled_dsn("pgbouncer"))
        conn.autocommit = True
        try:
            with conn.cursor() as cursor:
                cursor.execute("SHOW STATS")
                names = [c.name for c in cursor.description]
                return {row[0]: dict(zip(names, map(str, row), strict=True)) for row in cursor.fetchall()}
        finally:
            conn.close()


def _user(name: str) -> pwd.struct_passwd | None:
    try:
        return pwd.getpwnam(name)
    except KeyError:
        return None


def _connects(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=1):
            return True
    except OSError:
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description="Both sites as a cluster on this machine (make run-cluster).")
    parser.add_argument("command", choices=["run"])
    parser.add_argument("--nodes", type=int, default=2, help="gunicorn nodes per site (default 2)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per node (default 2)")
    parser.add_argument(
        "--media",
        choices=["s3", "filesystem"],
        default="s3",
        help="s3: moto's server at the edge, in memory (uploads go with it); filesystem: var/cluster/<role>/media",
    )
    parser.add_argument("--front-port", type=int, default=int(os.environ.get("CLUSTER_FRONT_PORT", 8000)))
    parser.add_argument("--central-port", type=int, default=int(os.environ.get("CLUSTER_CENTRAL_PORT", 8100)))
    args = parser.parse_args()
    front_url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/govservice_front")
    central_url = os.environ.get("CENTRAL_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/govservice_central")
    postgres = Postgres.from_url(front_url)
    if Postgres.from_url(central_url) != postgres:
        sys.exit("bin/cluster.py: both sites' databases must be on one PostgreSQL server (one PgBouncer in front)")
    cluster = Cluster(
        workdir=VAR_DIR / "cluster",
        postgres=postgres,
        redis_url=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        databases={"front": urlsplit(front_url).path.strip("/"), "central": urlsplit(central_url).path.strip("/")},
        nodes=args.nodes,
        gunicorn_workers=args.workers,
        media=args.media,
        ports={"front": args.front_port, "central": args.central_port},
    )
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    cluster.start()
    print("=" * 100)
    print(" Cloud Window 云窗口 — cluster")
    for role in ROLES:
        nodes = ", ".join(f"{n.name} :{n.port}" for n in cluster.web[role])
        print(f"   {role:8} {cluster.url(role)}/  (HAProxy → {nodes})")
    print(
        f"   PgBouncer (transaction pooling) :{cluster.pgbouncer_port}; HAProxy stats: socat - {cluster.haproxy_socket} <<< 'show stat'"
    )
    print(f"   beats: {sum(len(b) for b in cluster.beat_nodes.values())} (one sends per site); logs in {cluster.logs}")
    print(" Ctrl-C stops everything started here.")
    print("=" * 100, flush=True)
    try:
        while not stopping:
            time.sleep(1)
            for node in cluster.servers:
                if not node.alive:
                    print(f"{node.name} exited; stopping", flush=True)
                    stopping = True
    finally:
        cluster.stop()


if __name__ == "__main__":
    main()
