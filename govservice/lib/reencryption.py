"""Re-encrypt this site's personal data under the first key of FIELD_ENCRYPTION_KEYS: after a new key is put
first, and once when moving off the key earlier releases derived from SECRET_KEY (govservice/lib/fieldcrypto.py).
``manage.py reencrypt_personal_data`` runs it.

What: every encrypted column of every model this site installs (their audit copies among them: pghistory's
event tables hold the same ciphertext), and every file of the encrypted storage (orphans too), on the disk or on S3 (govservice/lib/objectstorage.py).

Safe to rerun: a value the first key already opens is left alone, so a second run rewrites nothing and an
interrupted run is simply started again. Columns go in batches, each its own transaction, by compare-and-set
on the old ciphertext: a row the application changed meanwhile (under the first key anyway) is left as it
is. The audit triggers do not fire: the value is the same, only its ciphertext changes, and a history row per
re-encrypted value would bury the real changes. A file is replaced by renaming a new one over it, so a reader
sees the old token or the new, both opened by the ring while the old key is still listed.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pgtrigger
from cryptography.fernet import InvalidToken
from django.apps import apps
from django.db import connections, models, router, transaction

from govservice.lib.fieldcrypto import (
    FILE_HEADER,
    EncryptedFileSystemStorage,
    KeyRingFieldMixin,
    field_crypto_conf,
    key_ring,
)

TEMPORARY_PREFIX = ".reencrypt-"


@dataclass
class Tally:
    """What one column or one storage held: under the first key, under an older one (and how many of those
    were rewritten), and what no key opens."""

    what: str
    current: int = 0
    stale: int = 0
    rewritten: int = 0
    unreadable: int = 0


def encrypted_columns() -> list[tuple[type[models.Model], models.Field]]:
    return [
        (model, field)
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy
        for field in model._meta.local_concrete_fields
        if isinstance(field, KeyRingFieldMixin)
    ]


def column_reencrypt(
    model: type[models.Model], field: models.Field, *, batch_size: int = 500, check: bool = False
) -> Tally:
    """One column, in batches by primary key; with ``check`` only counted."""
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    # Concrete fields always have a column (the stubs allow None for the others).
    table, column, pk = quote(model._meta.db_table), quote(str(field.column)), quote(str(model._meta.pk.column))
    pk_type = model._meta.pk.cast_db_type(connection) or "text"
    ring = key_ring()
    tally = Tally(f"{model._meta.label}.{field.name}")
    last = None
    while True:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            after = "" if last is None else f" AND {pk} > %s"
            cursor.execute(
                f"SELECT {pk}, {column} FROM {table} WHERE {column} IS NOT NULL{after} ORDER BY {pk} LIMIT %s",  # noqa: S608 (names from the models, values as parameters)
                [*([] if last is None else [last]), batch_size],
            )
            rows = cursor.fetchall()
            changes: list[Any] = []  # (primary key, old token, new token) flattened, as parameters
            for key, stored in rows:
                token = stored.encode()
                if ring.is_current(token):
                    tally.current += 1
                    continue
                try:
                    changes += [key, stored, ring.rotate(token).decode()]
                except InvalidToken:
                    tally.unreadable += 1
                    continue
                tally.stale += 1
            if changes and not check:
                values = ", ".join([f"(%s::{pk_type}, %s, %s)"] * (len(changes) // 3))
                update = f"UPDATE {table} AS t SET {column} = v.new FROM (VALUES {values}) AS v(pk, old, new) WHERE t.{pk} = v.pk AND t.{column} = v.old"  # noqa: S608 (names from the models, values as parameters)
                with pgtrigger.ignore():
                    cursor.execute(update, changes)
                    tally.rewritten += cursor.rowcount
        if len(rows) < batch_size:
            return tally
        last = rows[-1][0]


def encrypted_storage_locations() -> list[Path]:
    """Where this site's encrypted files are: the storages of its installed models' file fields."""
    locations = {
        Path(field.storage.location)
        for model in apps.get_models()
        for field in model._meta.local_concrete_fields
        if isinstance(field, models.FileField) and isinstance(field.storage, EncryptedFileSystemStorage)
    }
    return sorted(locations)


def files_reencrypt(location: Path, *, check: bool = False) -> Tally:
    """Every file under ``location``. Files in clear (stored before encryption) are encrypted only while
    FIELD_ENCRYPTION_LEGACY accepts them; otherwise they count as unreadable, as the storage refuses them."""
    tally = Tally(f"files {location}")
    for folder, _dirs, names in os.walk(location):
        for name in names:
            if name.startswith(TEMPORARY_PREFIX):
                continue
            path = Path(folder) / name
            replacement = _rotated(path.read_bytes(), tally)
            if replacement is not None and not check:
                _replace(path, replacement)
                tally.rewritten += 1
    return tally


def encrypted_object_storages() -> list[Any]:
    """This site's encrypted storages on S3 (MEDIA_STORAGE=s3): one per bucket and prefix."""
    from govservice.lib.objectstorage import EncryptedS3Storage

    found: dict[tuple[str, str], Any] = {}
    for model in apps.get_models():
        for field in model._meta.local_concrete_fields:
            if isinstance(field, models.FileField) and isinstance(field.storage, EncryptedS3Storage):
                found.setdefault((field.storage.bucket_name, field.storage.location), field.storage)
    return [found[key] for key in sorted(found)]


def objects_reencrypt(storage: Any, *, check: bool = False) -> Tally:
    """Every object under the storage's prefix, as ``files_reencrypt`` does files; an object is replaced by one
    PUT (atomic on S3: a reader gets the old token or the new)."""
    prefix = f"{storage.location}/" if storage.location else ""
    tally = Tally(f"objects s3://{storage.bucket_name}/{prefix}")
    for summary in storage.bucket.objects.filter(Prefix=prefix):
        obj = summary.Object()
        replacement = _rotated(obj.get()["Body"].read(), tally)
        if replacement is not None and not check:
            obj.put(Body=replacement, ContentType=obj.content_type or "application/octet-stream")
            tally.rewritten += 1
    return tally


def _rotated(stored: bytes, tally: Tally) -> bytes | None:
    """What a stored file becomes under the first key (counted as stale), or None: already current, or
    unreadable (counted)."""
    ring = key_ring()
    if stored.startswith(FILE_HEADER):
        token = stored[len(FILE_HEADER) :]
        if ring.is_current(token):
            tally.current += 1
            return None
        try:
            replacement = FILE_HEADER + ring.rotate(token)
        except InvalidToken:
            tally.unreadable += 1
            return None
    elif field_crypto_conf.FIELD_ENCRYPTION_LEGACY:
        replacement = FILE_HEADER + ring.encrypt(stored)
    else:
        tally.unreadable += 1
        return None
    tally.stale += 1
    return replacement


def _replace(path: Path, content: bytes) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=TEMPORARY_PREFIX)
    try:
        with os.fdopen(handle, "wb") as fh:
            fh.write(content)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(temporary, path.stat().st_mode & 0o7777)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
