"""What an uploaded file really is, from its first bytes (the name and the browser's word are not trusted)."""

from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from govservice.lib.errors import DomainError

# Magic numbers of the only formats a hall accepts for scanned materials.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)

EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}

# What a file that is none of the accepted formats is called: a browser saves it, never shows it.
UNKNOWN_TYPE = "application/octet-stream"

# Served to a browser as a page of their own: nothing in them may run, load or frame anything else (a PDF
# viewer and an image need no script; object-src lets the browser's PDF viewer show the file itself).
FILE_VIEWER_CSP = (
    "default-src 'none'; img-src 'self' data:; object-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'"
)


def is_viewable(content_type: str) -> bool:
    """Shown inline (PDF and the accepted images); anything else is downloaded."""
    return content_type in EXTENSIONS


def sniff(head: bytes) -> str | None:
    """The content type of an accepted format, or None."""
    for magic, content_type in _SIGNATURES:
        if head.startswith(magic):
            return content_type
    return None


def pdf_opens(content: bytes) -> bool:
    """A file that starts like a PDF is one only if a PDF reader opens it and finds a page (issue 17: the
    magic number alone let a renamed text file with "%PDF-" in front through)."""
    import io
    import logging

    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # a broken file is refused, not logged as a warning
    try:
        return len(PdfReader(io.BytesIO(content)).pages) > 0
    except (PyPdfError, ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError, OSError):
        return False


def content_check(content: bytes, name: str) -> str:
    """Vet an uploaded file's bytes, wherever it arrives (a window's scan, an online application, the remote
    window's scan at central): not too large, really a PDF (one that opens), JPEG or PNG, and passed by the
    UPLOAD_SCANNER hook when one is set (a callable that raises ValueError with its finding). Returns its
    content type; a refusal names the file."""
    if len(content) > settings.UPLOAD_MAX_BYTES:
        raise DomainError(_("文件“%(name)s”过大。") % {"name": name}, code="file_too_large")
    content_type = sniff(content[:16])
    if content_type is None:
        raise DomainError(_("文件“%(name)s”不是PDF、JPEG或PNG格式。") % {"name": name}, code="file_type")
    if content_type == "application/pdf" and not pdf_opens(content):
        raise DomainError(
            _("文件“%(name)s”不是有效的PDF文件（无法打开），请重新扫描。") % {"name": name}, code="file_type"
        )
    if settings.UPLOAD_SCANNER:
        try:
            import_string(settings.UPLOAD_SCANNER)(content, name)
        except ValueError as exc:
            raise DomainError(
                _("文件“%(name)s”未通过安全检查：%(finding)s。") % {"name": name, "finding": exc}, code="file_rejected"
            ) from None
    return content_type
