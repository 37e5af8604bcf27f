"""What one request costs the server, in CPU time and in instructions, without the noise of a busy machine:
``python -m bench.stack_cost`` (through make's environment, like the other benchmarks).

The flash-crowd benchmark (``bench/booking.py``) measures throughput through gunicorn; on a 2-core machine
shared with other work, its wall-clock figures move from run to run. This one calls the WSGI applications
in process, one request after another, as gunicorn's sync worker would, and reports per request:

- ``cpu_ms``: CPU time of this process (``time.process_time``) and of the PostgreSQL backend serving it
  (from ``/proc``), after a warm-up;
- ``instructions`` (``--instructions``, valgrind's callgrind): instructions of this process per request, the
  difference of two runs of different lengths divided by the difference of their lengths (start-up
  cancels out). They hardly move with other load, so two versions of the code compare by them;
- with ``--cprofile DIR``, a cProfile of each application (``DIR/<app>.pstats``, the top printed).

The applications: ``bare`` (``bench/bare.py``, the same UPDATE with no stack), ``ceiling``
(``bench/ceiling.py``, the UPDATE behind the site's stack and token), ``booking_full`` (a booking of a full
slot: the flash crowd's common answer, 409) and ``booking_created`` (a booking that succeeds, 201).
Its own database, created and dropped as the other benchmarks'. The figures end with one JSON line.
"""

from __future__ import annotations

import argparse
import importlib
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from bench import harness
from bench.harness import Cleanup, say

APPS = ("bare", "ceiling", "booking_full", "booking_created")
MODULES = {
    "bare": "bench.bare",
    "ceiling": "bench.ceiling_wsgi",
    "booking_full": "govservice.wsgi",
    "booking_created": "govservice.wsgi",
}
PATHS = {
    "bare": "/api/v1/bench/bare/",
    "ceiling": "/api/v1/bench/ceiling/",
    "booking_full": "/api/v1/appointments/",
    "booking_created": "/api/v1/appointments/",
}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--apps", default=",".join(APPS), help=f"comma-separated, of {', '.join(APPS)}")
    parser.add_argument("--requests", type=int, default=600, help="timed requests per application")
    parser.add_argument("--instructions", action="store_true", help="also count instructions with callgrind (slow)")
    parser.add_argument("--cprofile", metavar="DIR", help="write a cProfile of each application into DIR")
    parser.add_argument("--child", nargs=4, metavar=("APP", "FIRST", "COUNT", "PLAN"), help=argparse.SUPPRESS)
    parser.add_argument("--child-profile", help=argparse.SUPPRESS)
    return parser.parse_args()


# --- In the child: one application, called in process -------------------------------------------------


def _environ(method: str, path: str, token: str | None, body: bytes) -> dict:
    environ = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "REMOTE_PORT": "50000",
        "HTTP_HOST": "127.0.0.1:8000",
        "HTTP_ACCEPT": "application/json",
        "HTTP_IDEMPOTENCY_KEY": uuid.uuid4().hex,
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    if token:
        environ["HTTP_AUTHORIZATION"] = f"Token {token}"
    if body:
        environ["CONTENT_TYPE"] = "application/json"
        environ["CONTENT_LENGTH"] = str(len(body))
    return environ


def _backend_cpu() -> float:
    """CPU seconds of the PostgreSQL backend of this process's connection (0 when it is not readable)."""
    from django.db import connection

    if connection.connection is None:
        return 0.0
    return harness._cpu_seconds(connection.connection.get_backend_pid())


def child(app: str, first: int, count: int, plan_file: str, profile: str | None) -> None:
    """``count`` requests of ``app`` for citizens ``first``…; prints its figures as one JSON line."""
    import random

    plan = json.loads(Path(plan_file).read_text())
    application = importlib.import_module(MODULES[app]).application
    rng = random.Random(first)
    tokens, path = plan["tokens"], PATHS[app]
    statuses: dict[str, int] = {}

    def call(method: str, i: int, body: dict | None) -> None:
        token = None if app == "bare" else tokens[i % len(tokens)]
        data = json.dumps(body).encode() if body else b""
        answer: list[str] = []
        result = application(
            _environ(method, path, token, data), lambda status, headers, exc=None: answer.append(status)
        )
        try:
            b"".join(result)
        finally:
            result.close()  # request_finished: what gunicorn does after every response
        statuses[answer[0][:3]] = statuses.get(answer[0][:3], 0) + 1

    def body(i: int) -> dict:
        if app.startswith("booking"):
            slots = plan["full_slots"] if app == "booking_full" else plan["open_slots"]
            return {"slot": rng.choice(slots), "matter": plan["matter"]}
        return {"slot": rng.choice(plan["ceiling_slots"])}

    for i in range(first, first + 20):  # warm-up: imports, the connection, the prepared statements
        call("GET", i, None)
    statuses.clear()
    numbers = range(first + 20, first + 20 + count)
    bodies = [body(i) for i in numbers]
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile(time.process_time)  # CPU time: waits on the database are not the stack's cost
        profiler.enable()
    backend, started = _backend_cpu(), time.process_time()
    for i, data in zip(numbers, bodies, strict=True):
        call("POST", i, data)
    cpu, backend = time.process_time() - started, _backend_cpu() - backend
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(profile)
    print(json.dumps({"app": app, "requests": count, "cpu_s": cpu, "db_s": backend, "statuses": statuses}))


# --- In the parent --------------------------------------------------------------------------------------


def load_plan(places: int) -> dict:
    """bench/booking.py's data, plus half of the booking slots made full (the 409 of a flash crowd)."""
    from django.db import connection

    from bench import booking

    args = argparse.Namespace(citizens=6000, places=places, capacity=20)
    plan = booking.load(args)
    slots = plan["book_slots"]
    full, open_ = slots[: len(slots) // 2], slots[len(slots) // 2 :]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE booking_slot SET booked = capacity WHERE id = ANY(%s)", [full])
    connection.close()
    return plan | {"full_slots": full, "open_slots": open_}


def run_child(
    app: str,
    first: int,
    count: int,
    plan_file: str,
    env: dict,
    *,
    valgrind: str | None = None,
    profile: str | None = None,
) -> dict:
    env = dict(env)
    if app == "bare":
        env["DJANGO_SETTINGS_MODULE"] = "bench.bare"
    else:
        env["DJANGO_SETTINGS_MODULE"] = "govservice.settings"
    command = [sys.executable, "-m", "bench.stack_cost", "--child", app, str(first), str(count), plan_file]
    if profile:
        command += ["--child-profile", profile]
    if valgrind:
        command = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={valgrind}", "--dump-instr=no", *command]
    done = subprocess.run(command, cwd=harness.BASE_DIR, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{app}: exit {done.returncode}\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if valgrind:
        text = Path(valgrind).read_text(errors="replace")
        found = re.search(r"^(?:summary|totals):\s+(\d+)", text, re.MULTILINE)
        result["instructions"] = int(found.group(1)) if found else None
    return result


def main() -> int:
    args = parse_args()
    if args.child:
        app, first, count, plan_file = args.child
        child(app, int(first), int(count), plan_file, args.child_profile)
        return 0
    apps = [app for app in args.apps.split(",") if app]
    unknown = set(apps) - set(APPS)
    if unknown:
        sys.exit(f"bench: unknown applications {sorted(unknown)}")
    figures = harness.machine() | {"requests": args.requests}
    small, large = 40, 40 + max(80, args.requests // 4)
    # Enough open places for every booking that must succeed (timed, profiled and counted).
    places = 2 * (args.requests + small + large + 200)
    with Cleanup() as cleanup, tempfile.TemporaryDirectory() as tmp:
        _database, env = harness.prepared_site(
            "stack", cleanup, RATE_BOOKING_PER_IP="100000000", RATE_BOOKING_PER_USER="100000"
        )
        plan = load_plan(places)
        plan_file = str(Path(tmp) / "plan.json")
        Path(plan_file).write_text(json.dumps(plan))
        first = 0
        results: dict[str, dict] = {}
        for app in apps:
            done = run_child(app, first, args.requests, plan_file, env)
            first += args.requests + 20
            entry = {
                "cpu_ms": round(done["cpu_s"] * 1000 / args.requests, 3),
                "db_cpu_ms": round(done["db_s"] * 1000 / args.requests, 3),
                "statuses": done["statuses"],
            }
            if args.cprofile:
                Path(args.cprofile).mkdir(parents=True, exist_ok=True)
                out = str(Path(args.cprofile).resolve() / f"{app}.pstats")
                run_child(app, first, args.requests, plan_file, env, profile=out)
                first += args.requests + 20
                entry["cprofile"] = out
            if args.instructions:
                counted = []
                for n in (small, large):
                    counted.append(run_child(app, first, n, plan_file, env, valgrind=str(Path(tmp) / f"{app}-{n}.cg")))
                    first += n + 20
                if all(c.get("instructions") for c in counted):
                    entry["instructions"] = round(
                        (counted[1]["instructions"] - counted[0]["instructions"]) / (large - small)
                    )
            results[app] = entry
            say(f"{app}: {entry}")
    figures["apps"] = results
    base = results.get("bare", {})
    for key in ("cpu_ms", "instructions"):
        if base.get(key):
            figures[f"{key}_over_bare"] = {
                app: round(entry[key] / base[key], 2) for app, entry in results.items() if entry.get(key)
            }
    figures["loadavg_1m_after"] = round(os.getloadavg()[0], 2)

    def lines():
        for app, entry in results.items():
            yield (
                f"{app:16} cpu {entry['cpu_ms']:.3f} ms + db {entry['db_cpu_ms']:.3f} ms"
                + (f", {entry['instructions'] / 1e6:.2f} M instructions" if entry.get("instructions") else "")
                + f"  {entry['statuses']}"
            )
        if args.cprofile:
            import pstats

            for app, entry in results.items():
                yield f"--- {app}: top 25 by own time"
                buffer = io.StringIO()
                pstats.Stats(entry["cprofile"], stream=buffer).sort_stats("tottime").print_stats(25)
                yield buffer.getvalue()

    harness.emit(figures, lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
