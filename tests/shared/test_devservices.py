"""bin/devservices.py start: the file the Makefile sources (var/services.env) keeps this checkout's embedded
servers on record while they run, also when a shell's environment points at other servers this time."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

EXTERNAL = {
    "DATABASE_URL": "postgres://app@db.internal:5432/front",
    "CENTRAL_DATABASE_URL": "postgres://app@db.internal:5432/central",
    "FRONT_SZ_DATABASE_URL": "postgres://app@db.internal:5432/front_sz",
    "CENTRAL_TJ_DATABASE_URL": "postgres://app@db.internal:5432/central_tj",
    "REDIS_URL": "redis://cache.internal:6379/0",
}


@pytest.fixture
def devservices(monkeypatch, tmp_path):
    spec = importlib.util.spec_from_file_location(
        "devservices_under_test", Path(__file__).parents[2] / "bin" / "devservices.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "ENV_FILE", tmp_path / "services.env")
    monkeypatch.setattr(module, "VAR_DIR", tmp_path)
    module.created = []
    monkeypatch.setattr(module, "ensure_database", lambda url, name: module.created.append(url))
    for var, url in EXTERNAL.items():
        monkeypatch.setenv(var, url)
    return module


def exports(module) -> dict[str, str]:
    lines = module.ENV_FILE.read_text().splitlines()
    return {
        line.split("=", 1)[0].removeprefix("export "): line.split("=", 1)[1]
        for line in lines
        if line.startswith("export ")
    }


def test_running_embedded_servers_stay_on_record_when_the_environment_points_elsewhere(devservices, monkeypatch):
    monkeypatch.setattr(devservices, "pg_running_port", lambda: 54329)
    monkeypatch.setattr(devservices, "redis_running", lambda: (4242, 63799))
    devservices.start()
    assert exports(devservices) == {
        "DATABASE_URL": '"${DATABASE_URL:-postgres://postgres@127.0.0.1:54329/govservice_front}"',
        "CENTRAL_DATABASE_URL": '"${CENTRAL_DATABASE_URL:-postgres://postgres@127.0.0.1:54329/govservice_central}"',
        "FRONT_SZ_DATABASE_URL": '"${FRONT_SZ_DATABASE_URL:-postgres://postgres@127.0.0.1:54329/govservice_front_sz}"',
        "CENTRAL_TJ_DATABASE_URL": '"${CENTRAL_TJ_DATABASE_URL:-postgres://postgres@127.0.0.1:54329/govservice_central_tj}"',
        "REDIS_URL": '"${REDIS_URL:-redis://127.0.0.1:63799/0}"',
    }
    # The databases made sure of are the environment's, not the embedded server's.
    assert sorted(devservices.created) == sorted(url for var, url in EXTERNAL.items() if var != "REDIS_URL")


def test_nothing_embedded_running_means_nothing_on_record(devservices, monkeypatch):
    monkeypatch.setattr(devservices, "pg_running_port", lambda: None)
    monkeypatch.setattr(devservices, "redis_running", lambda: None)
    devservices.start()
    assert exports(devservices) == {}
