"""Uploaded files on S3-compatible object storage (django-storages over boto3), encrypted as on the disk.

Several app nodes of one site share nothing on their disks: a scan a clerk uploads on one node is read on
another, a certificate issued by a worker is downloaded through any node. ``MEDIA_STORAGE=s3`` (settings)
puts the default storage here; each file is still one Fernet token under the personal-data keys
(``fieldcrypto.EncryptedStorageMixin``), so the object store, its backups and its operators never hold a scan
in clear. Names are never overwritten (``file_overwrite=False``): two uploads of the same name get two
objects, as on the disk.
"""

from __future__ import annotations

from storages.backends.s3 import S3Storage

from govservice.lib.fieldcrypto import EncryptedStorageMixin


class EncryptedS3Storage(EncryptedStorageMixin, S3Storage):
    """Files encrypted in an S3 bucket, clear through ``open()``."""
