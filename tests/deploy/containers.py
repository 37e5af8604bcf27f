"""The image of deploy/Containerfile built with Debian's podman, and the services of deploy/compose.yaml started
from it (tests/deploy/test_image.py; the compose file's own checks are tests/deploy/test_compose.py).

No image registry is reachable where the tests run, so the build takes its two inputs from the host instead:
- the base: a Debian bookworm root file system that debootstrap makes from the mirror the host's apt uses,
  imported as ``localhost/cloud-window-base:bookworm`` (made once, then reused), in place of debian:bookworm-slim;
- the Python packages: a wheelhouse of exactly the versions requirements.txt pins, made with the host's pip
  (``var/container/wheels``; pip reaches the index from the host, whose trust store the build has not) and
  mounted into the build, where ``pip install -r requirements.txt`` runs with PIP_NO_INDEX and PIP_FIND_LINKS.
Everything else is the production build: the same Containerfile, apt inside the build, the same steps.

Podman runs with runc (crun refuses hosts whose cgroups are in hybrid mode), the host's network (no bridge to
set up; the containers reach the host's PostgreSQL and Redis on 127.0.0.1) and explicit open-file and process
limits (podman's defaults exceed what a container may set without CAP_SYS_RESOURCE)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
VAR_DIR = Path(os.environ.get("VAR_DIR") or ROOT / "var")
CACHE = VAR_DIR / "container"
COMPOSE = ROOT / "deploy" / "compose.yaml"

BASE_IMAGE = "localhost/cloud-window-base:bookworm"
IMAGE = "localhost/cloud-window:test"
SUITE = "bookworm"

PODMAN = ["podman", "--runtime", "runc"]
RUN_OPTIONS = ["--network", "host", "--ulimit", "nofile=4096:4096", "--ulimit", "nproc=4096:4096"]


def run(args: list[str], *, timeout: float, log: Path | None = None, **kwargs) -> subprocess.CompletedProcess:
    """``args`` to the end; its output in ``log`` when given (appended), else captured."""
    if log is None:
        return subprocess.run(args, capture_output=True, text=True, timeout=timeout, **kwargs)
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("a") as out:
        out.write(f"\n$ {' '.join(args)}\n")
        out.flush()
        return subprocess.run(args, stdout=out, stderr=subprocess.STDOUT, text=True, timeout=timeout, **kwargs)


def tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return f"(no {path})"


def podman_problem() -> str | None:
    """Why podman cannot build and run here, or None."""
    if shutil.which("podman") is None:
        return "podman is not installed: `make test-image` installs Debian's podman, runc and debootstrap"
    info = run([*PODMAN, "info"], timeout=120)
    if info.returncode != 0:
        return f"`podman --runtime runc info` fails on this machine:\n{info.stderr[-2000:]}"
    return None


def host_mirror() -> str:
    """The Debian mirror the host's apt uses for the suite (a deb822 .sources file or a sources.list line); the
    variable DEBIAN_MIRROR wins. Read at run time: no mirror's name is written into the project."""
    if os.environ.get("DEBIAN_MIRROR"):
        return os.environ["DEBIAN_MIRROR"]
    apt = Path("/etc/apt")
    for path in sorted((apt / "sources.list.d").glob("*.sources")):
        for stanza in re.split(r"\n\s*\n", path.read_text()):
            fields = dict(
                line.split(":", 1) for line in stanza.splitlines() if ":" in line and not line.lstrip().startswith("#")
            )
            fields = {k.strip(): v.split() for k, v in fields.items()}
            if "deb" in fields.get("Types", []) and SUITE in fields.get("Suites", []) and fields.get("URIs"):
                return fields["URIs"][0]
    for path in [apt / "sources.list", *sorted((apt / "sources.list.d").glob("*.list"))]:
        if path.exists():
            for line in path.read_text().splitlines():
                words = re.sub(r"\[[^]]*\]", "", line).split()
                if len(words) >= 3 and words[0] == "deb" and words[2] == SUITE:
                    return words[1]
    raise RuntimeError(f"no Debian {SUITE} mirror in the host's apt sources; set DEBIAN_MIRROR")


def image_exists(name: str) -> bool:
    return run(["podman", "image", "exists", name], timeout=60).returncode == 0


def ensure_base(log: Path) -> bool:
    """The base image, made with debootstrap unless it exists; True if it was made now."""
    if image_exists(BASE_IMAGE):
        return False
    if shutil.which("debootstrap") is None:
        raise RuntimeError("debootstrap is not installed: `make test-image` installs it")
    rootfs = CACHE / f"rootfs-{os.getpid()}"
    shutil.rmtree(rootfs, ignore_errors=True)
    try:
        made = run(["debootstrap", "--variant=minbase", SUITE, str(rootfs), host_mirror()], timeout=1200, log=log)
        if made.returncode != 0:
            raise RuntimeError(f"debootstrap failed (exit {made.returncode}):\n{tail(log)}")
        for deb in (rootfs / "var" / "cache" / "apt" / "archives").glob("*.deb"):
            deb.unlink()
        with log.open("a") as out:
            tar = subprocess.Popen(["tar", "-C", str(rootfs), "-c", "."], stdout=subprocess.PIPE)
            imported = subprocess.run(
                ["podman", "import", "-", BASE_IMAGE],
                stdin=tar.stdout,
                stdout=out,
                stderr=subprocess.STDOUT,
                timeout=600,
            )
            tar.stdout.close()
            if tar.wait() != 0 or imported.returncode != 0:
                raise RuntimeError(f"podman import of the base failed:\n{tail(log)}")
    finally:
        shutil.rmtree(rootfs, ignore_errors=True)
    return True


def pins() -> list[tuple[str, str]]:
    """requirements.txt's (name, version), environment markers dropped: the image's Python (Debian's 3.11.2)
    may need a pin that the host's does not (async-timeout below 3.11.3)."""
    found = []
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        requirement = line.split("#", 1)[0].split(";", 1)[0].strip()
        if "==" in requirement:
            name, version = (part.strip() for part in requirement.split("==", 1))
            found.append((name, version))
    return found


def wheel_name(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def ensure_wheels(wheels: Path, log: Path) -> bool:
    """A wheel for every pin in ``wheels``, fetched by the host's pip for those missing; True if pip ran."""
    wheels.mkdir(parents=True, exist_ok=True)
    have = {path.name.lower() for path in wheels.glob("*.whl")}
    wanted = pins()
    missing = [(n, v) for n, v in wanted if not any(h.startswith(f"{wheel_name(n)}-{v.lower()}-") for h in have)]
    if not missing:
        return False
    listing = CACHE / "pins.txt"
    listing.write_text("".join(f"{n}=={v}\n" for n, v in missing))
    made = run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--progress-bar",
            "off",
            "-q",
            "-r",
            str(listing),
            "-w",
            str(wheels),
        ],
        timeout=1200,
        log=log,
    )
    if made.returncode != 0:
        raise RuntimeError(f"pip wheel failed (exit {made.returncode}):\n{tail(log)}")
    return True


def image_id(name: str) -> str | None:
    result = run(["podman", "image", "inspect", "--format", "{{.Id}}", name], timeout=60)
    return result.stdout.strip() if result.returncode == 0 else None


def build(log: Path, *, timeout: float = 1800) -> None:
    """deploy/Containerfile from the checkout, FROM the base, Python packages from the wheelhouse; the image the
    tag held before (a build of other sources) is removed, its layers staying as the next build's cache."""
    before = image_id(IMAGE)
    built = run(
        [
            "podman",
            "build",
            "--runtime",
            "runc",
            "--network",
            "host",
            "-f",
            "deploy/Containerfile",
            "--build-arg",
            f"BASE={BASE_IMAGE}",
            "--build-arg",
            "PIP_NO_INDEX=1",
            "--build-arg",
            "PIP_FIND_LINKS=/wheels",
            "-v",
            f"{CACHE / 'wheels'}:/wheels:ro",
            "-t",
            IMAGE,
            ".",
        ],
        timeout=timeout,
        log=log,
        cwd=ROOT,
    )
    if built.returncode != 0:
        raise RuntimeError(f"podman build failed (exit {built.returncode}); {log}:\n{tail(log, 60)}")
    if before and before != image_id(IMAGE):
        run(["podman", "rmi", before], timeout=120)


def compose() -> dict:
    """deploy/compose.yaml, its anchors and merge keys resolved."""
    return yaml.safe_load(COMPOSE.read_text())


class Containers:
    """The containers (and volumes) of one test run, all named ``prefix-…``, removed together at the end."""

    def __init__(self, prefix: str):
        self.prefix = prefix
        self.names: list[str] = []
        self.volumes: list[str] = []

    def volume(self, name: str) -> str:
        full = f"{self.prefix}-{name}"
        result = run(["podman", "volume", "create", full], timeout=60)
        assert result.returncode == 0, result.stderr
        self.volumes.append(full)
        return full

    def run_once(
        self, name: str, command: list[str], env: dict[str, str], *, timeout: float
    ) -> subprocess.CompletedProcess:
        """``command`` in a container of the image that is removed when it ends (or by remove_all, if it overran)."""
        full = f"{self.prefix}-{name}"
        self.names.append(full)
        return run(
            [*PODMAN, "run", "--rm", "--name", full, *RUN_OPTIONS, *env_args(env), IMAGE, *command], timeout=timeout
        )

    def start(self, name: str, env: dict[str, str], command: list[str] | None = None, volumes: list[str] = ()) -> str:
        """A detached container of the image (its own command if ``command`` is None); its name, also its host name."""
        full = f"{self.prefix}-{name}"
        mounts = [arg for volume in volumes for arg in ("-v", volume)]
        result = run(
            [
                *PODMAN,
                "run",
                "-d",
                "--name",
                full,
                "--hostname",
                full,
                *RUN_OPTIONS,
                *mounts,
                *env_args(env),
                IMAGE,
                *(command or []),
            ],
            timeout=120,
        )
        assert result.returncode == 0, f"podman run {name}: {result.stderr}"
        self.names.append(full)
        return full

    def running(self, name: str) -> bool:
        result = run(["podman", "inspect", "--format", "{{.State.Running}}", name], timeout=60)
        return result.stdout.strip() == "true"

    def logs(self, name: str) -> str:
        result = run(["podman", "logs", name], timeout=60)
        return result.stdout + result.stderr

    def exec(self, name: str, *command: str, timeout: float = 60) -> subprocess.CompletedProcess:
        return run([*PODMAN, "exec", name, *command], timeout=timeout)

    def users(self, name: str) -> set[str]:
        """The user of every process in the container."""
        result = run(["podman", "top", name, "user"], timeout=60)
        assert result.returncode == 0, result.stderr
        return {line.strip() for line in result.stdout.splitlines()[1:] if line.strip()}

    def remove_all(self) -> None:
        if self.names:
            run(["podman", "rm", "--force", "--ignore", "--time", "5", *self.names], timeout=300)
        if self.volumes:
            run(["podman", "volume", "rm", "--force", *self.volumes], timeout=120)
        self.names.clear()
        self.volumes.clear()


def env_args(env: dict[str, str]) -> list[str]:
    return [arg for key, value in env.items() for arg in ("-e", f"{key}={value}")]


def wait_until(check, *, timeout: float, what: str, interval: float = 0.5):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout:.0f} s")
        time.sleep(interval)
