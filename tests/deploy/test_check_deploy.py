"""`manage.py check --deploy` passes for both sites with production-like settings."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION = {
    "DEBUG": "0",
    "DEV_MODE": "0",
    "SECRET_KEY": "x7#kq2!v9@Lm4$Pz8^Rt6&Yw3*Hn5(Bc1)Df0_Gj-Sa+Ue=Xo~Ir`Ql|Wk;Em:Ty",
    "FIELD_ENCRYPTION_SALT": "prod-salt-0f3a9c",
    "BLIND_INDEX_KEY": "prod-blind-index-key-71e2",
    "ALLOWED_HOSTS": "zwfw.example.gov.cn",
    "SECURE_HSTS_PRELOAD": "1",
}


@pytest.mark.parametrize("role", ["front", "central"])
def test_it_passes_the_deploy_checks(role):
    env = {k: v for k, v in os.environ.items() if k not in ("DEV_MODE", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env.update(PRODUCTION, SITE_ROLE=role)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_it_refuses_to_start_without_secrets_outside_development():
    env = {k: v for k, v in os.environ.items() if k not in ("DEV_MODE", "DEBUG", "SECRET_KEY")}
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env={**env, "SITE_ROLE": "front"}, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
