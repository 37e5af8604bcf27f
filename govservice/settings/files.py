"""Static files, uploads and where they are stored (filesystem or S3), and request size limits."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from govservice.lib.envvars import env_bool, env_int, env_str

from .core import BASE_DIR, DEBUG, SITE_ROLE, VAR_DIR, env
from .wire import DATA_UPLOAD_MAX_MEMORY_SIZE

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / f"static-{SITE_ROLE}")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / f"media-{SITE_ROLE}")))
MEDIA_URL = "media/"  # never served publicly: materials are streamed by views that check access
# Where uploads, documents and certificates are kept, encrypted with the personal-data keys and clear through
# open(): "filesystem" (MEDIA_ROOT; with several nodes, a directory they all mount) or "s3" (an S3-compatible
# object store through django-storages: govservice/lib/objectstorage.py).
MEDIA_STORAGE = env_str("MEDIA_STORAGE", "filesystem")
if MEDIA_STORAGE == "filesystem":
    _media_storage: dict = {"BACKEND": "govservice.lib.fieldcrypto.EncryptedFileSystemStorage"}
elif MEDIA_STORAGE == "s3":
    if not env_str("MEDIA_S3_BUCKET", ""):
        raise ImproperlyConfigured("MEDIA_STORAGE=s3 needs MEDIA_S3_BUCKET")
    _media_storage = {
        "BACKEND": "govservice.lib.objectstorage.EncryptedS3Storage",
        "OPTIONS": {
            "bucket_name": env_str("MEDIA_S3_BUCKET", ""),
            # Each site under its own prefix, so both may share a bucket.
            "location": env_str("MEDIA_S3_PREFIX", SITE_ROLE),
            # Unset: boto3's own (AWS_* variables, the instance's role, the default endpoint).
            "endpoint_url": env_str("MEDIA_S3_ENDPOINT_URL", "") or None,
            "region_name": env_str("MEDIA_S3_REGION", "") or None,
            "access_key": env_str("MEDIA_S3_ACCESS_KEY_ID", "") or None,
            "secret_key": env_str("MEDIA_S3_SECRET_ACCESS_KEY", "") or None,
            "file_overwrite": False,
            "default_acl": "private",
        },
    }
else:
    raise ImproperlyConfigured(f"MEDIA_STORAGE={MEDIA_STORAGE!r}: write filesystem or s3")
STORAGES = {
    "default": _media_storage,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("STATIC_MANIFEST", not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 20 * 1024 * 1024)
# No request body larger than this (413 before it is read): the largest legitimate one is a case package on
# the wire, materials inline. Paths that need less say so below.
REQUEST_BODY_MAX_BYTES = env_int("REQUEST_BODY_MAX_BYTES", DATA_UPLOAD_MAX_MEMORY_SIZE)
REQUEST_BODY_LIMITS = [
    # Public: one copy of a document to check (/verify/<code>/), anonymous.
    ("/verify/", UPLOAD_MAX_BYTES + 64 * 1024),
]
# Files in one multipart request (Django's default is 100); a case's materials are uploaded a few at a time.
DATA_UPLOAD_MAX_NUMBER_FILES = env_int("DATA_UPLOAD_MAX_NUMBER_FILES", 30)
# Dotted path of a virus scanner hook: callable(content: bytes, name: str), raising ValueError on a finding.
UPLOAD_SCANNER = env.str("UPLOAD_SCANNER", default="")
