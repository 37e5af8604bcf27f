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
    # The personal-data keys (Fernet, first encrypts); no FIELD_ENCRYPTION_SALT: a new deployment has no data
    # under the key earlier releases derived from SECRET_KEY.
    "FIELD_ENCRYPTION_KEYS": "Qm4tC2h1aDqV0mZ0xq9vJtq2m3yQeUO0S3o3p9lJd2Y=,8rtmnEHlEaPMh7JUCMKKzGmDCIMtxk6tJ05-0zPqFXk=",
    "BLIND_INDEX_KEY": "prod-blind-index-key-71e2",
    "ALLOWED_HOSTS": "zwfw.example.gov.cn",
    "SECURE_HSTS_PRELOAD": "1",
    # Real channels: a deployment names its mail server, SMS gateway and courier.
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "SMS_BACKEND": "apps.front.notifications.channels.HttpSmsBackend",
    "COURIER_BACKEND": "apps.front.delivery.couriers.HttpCourierBackend",
}


@pytest.mark.parametrize("role", ["front", "central"])
def test_it_passes_the_deploy_checks(role):
    env = {k: v for k, v in os.environ.items() if k not in ("DEV_MODE", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env.update(PRODUCTION, SITE_ROLE=role)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_it_refuses_to_start_without_secrets_outside_development():
    env = {k: v for k, v in os.environ.items() if k not in ("DEV_MODE", "DEBUG", "SECRET_KEY")}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**env, "SITE_ROLE": "front"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize(
    ("role", "variable", "development"),
    [
        ("front", "EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"),
        ("front", "SMS_BACKEND", "apps.front.notifications.channels.FileSmsBackend"),
        ("front", "COURIER_BACKEND", "apps.front.delivery.couriers.FileCourierBackend"),
        ("central", "EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend"),
    ],
)
def test_production_refuses_a_development_backend(role, variable, development):
    """With DEV_MODE=0 the site does not start with a backend that writes people's data to local files and
    counts messages as delivered (issue 12); the message names the variable."""
    env = {k: v for k, v in os.environ.items() if k not in ("DEV_MODE", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env.update(PRODUCTION, SITE_ROLE=role)
    env[variable] = development
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert f"{variable} is a development backend" in result.stderr


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"FIELD_ENCRYPTION_KEYS": ""}, "FIELD_ENCRYPTION_KEYS must be set"),
        (
            {"FIELD_ENCRYPTION_KEYS": "uT2SrFJLYa4y6RSvyl2F8rLyOLqBotRw-638oXRvXtE="},
            "FIELD_ENCRYPTION_KEYS holds a development key",
        ),
        ({"FIELD_ENCRYPTION_LEGACY": "1"}, "set FIELD_ENCRYPTION_SALT too"),
    ],
)
def test_production_refuses_to_start_without_its_own_personal_data_keys(variables, message):
    """The personal-data key is a secret of its own (issue 12, "Keys"), not derived from SECRET_KEY."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DEV_MODE", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE", "FIELD_ENCRYPTION_SALT")
    }
    env.update(PRODUCTION, SITE_ROLE="front", **variables)
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert message in result.stderr
