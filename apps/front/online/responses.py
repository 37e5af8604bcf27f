"""A stored material served to the person allowed to read it: shown inline as a page of its own when it is a
PDF or an image (nothing in it may run or load anything), downloaded otherwise."""

from __future__ import annotations

from django.http import FileResponse

from govservice.lib.filetypes import EXTENSIONS, FILE_VIEWER_CSP, UNKNOWN_TYPE, is_viewable, sniff


def material_response(stored, content_type: str, name: str) -> FileResponse:
    with stored.open("rb") as fh:
        head = fh.read(16)
    # Sniffed again at serving: the row's word is what was sniffed at upload, this is what is on the disk.
    content_type = sniff(head) or UNKNOWN_TYPE
    response = FileResponse(stored.open("rb"), content_type=content_type)
    disposition = "inline" if is_viewable(content_type) else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{name}{EXTENSIONS.get(content_type, "")}"'
    response["Content-Security-Policy"] = FILE_VIEWER_CSP
    response["X-Content-Type-Options"] = "nosniff"
    return response
