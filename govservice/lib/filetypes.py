"""What an uploaded file really is, from its first bytes (the name and the browser's word are not trusted)."""

from __future__ import annotations

# Magic numbers of the only formats a hall accepts for scanned materials.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)

EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}


def sniff(head: bytes) -> str | None:
    """The content type of an accepted format, or None."""
    for magic, content_type in _SIGNATURES:
        if head.startswith(magic):
            return content_type
    return None
