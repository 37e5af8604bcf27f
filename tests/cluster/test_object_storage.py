"""Uploads on S3-compatible object storage (govservice/lib/objectstorage.py), in process against moto's S3:
encrypted in the bucket as on the disk, clear through open(), never overwritten by a second upload of a name."""

from __future__ import annotations

import boto3
import pytest
from django.core.files.base import ContentFile
from moto import mock_aws

from govservice.lib.fieldcrypto import FILE_HEADER, UndecryptableError
from govservice.lib.objectstorage import EncryptedS3Storage

BUCKET = "cloudwindow-test"


@pytest.fixture
def s3(monkeypatch):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=BUCKET)
        yield client


def storage() -> EncryptedS3Storage:
    return EncryptedS3Storage(bucket_name=BUCKET, location="front", region_name="us-east-1", file_overwrite=False)


def test_a_file_is_one_token_in_the_bucket_and_clear_through_open(s3):
    scan = b"%PDF-1.4 a scanned ID card"
    name = storage().save("cases/2026/12/scan.pdf", ContentFile(scan))
    stored = s3.get_object(Bucket=BUCKET, Key=f"front/{name}")["Body"].read()
    assert stored.startswith(FILE_HEADER) and scan not in stored
    with storage().open(name, "rb") as handle:
        assert handle.read() == scan
    assert storage().size(name) == len(scan)
    assert storage().exists(name)


def test_a_second_upload_of_a_name_gets_its_own_object(s3):
    first = storage().save("cases/a.pdf", ContentFile(b"one"))
    second = storage().save("cases/a.pdf", ContentFile(b"two"))
    assert first != second
    assert storage().open(first).read() == b"one" and storage().open(second).read() == b"two"


def test_it_refuses_to_write_through_open_and_to_read_a_file_in_clear(s3):
    with pytest.raises(ValueError):
        storage().open("cases/x.pdf", "wb")
    s3.put_object(Bucket=BUCKET, Key="front/cases/clear.pdf", Body=b"in clear")
    with pytest.raises(UndecryptableError):
        storage().open("cases/clear.pdf")


def test_settings_choose_the_storage_from_the_environment():
    import os
    import subprocess
    import sys
    from pathlib import Path

    code = (
        "import django; django.setup(); from django.conf import settings as s; print(s.STORAGES['default']['BACKEND'])"
    )
    root = Path(__file__).resolve().parents[2]

    def run(**env: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-c", code], cwd=root, capture_output=True, text=True,
            env={**{k: v for k, v in os.environ.items() if not k.startswith("MEDIA_")}, "DJANGO_SETTINGS_MODULE": "govservice.settings", **env},
        )  # fmt: skip

    assert run().stdout.strip() == "govservice.lib.fieldcrypto.EncryptedFileSystemStorage"
    assert (
        run(MEDIA_STORAGE="s3", MEDIA_S3_BUCKET="b").stdout.strip() == "govservice.lib.objectstorage.EncryptedS3Storage"
    )
    assert "MEDIA_S3_BUCKET" in run(MEDIA_STORAGE="s3").stderr
    assert "MEDIA_STORAGE='nfs'" in run(MEDIA_STORAGE="nfs").stderr


def test_objects_move_to_a_new_key_and_the_check_then_finds_none_stale(s3, settings):
    from cryptography.fernet import Fernet

    from govservice.lib.reencryption import objects_reencrypt

    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [old]
    name = storage().save("cases/scan.pdf", ContentFile(b"scan"))
    settings.FIELD_ENCRYPTION_KEYS = [new, old]
    assert vars(objects_reencrypt(storage(), check=True))["stale"] == 1
    tally = objects_reencrypt(storage())
    assert (tally.stale, tally.rewritten, tally.unreadable) == (1, 1, 0)
    settings.FIELD_ENCRYPTION_KEYS = [new]  # the old key dropped: still readable
    assert storage().open(name).read() == b"scan"
    assert vars(objects_reencrypt(storage(), check=True))["current"] == 1
