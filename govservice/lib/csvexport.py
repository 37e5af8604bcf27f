"""CSV downloads of report tables, for Excel: UTF-8 with a byte-order mark, or Excel reads the Chinese
headers as mojibake. Only aggregates and codes go in, never personal data."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from django.http import HttpResponse

BOM = "\ufeff"


# Excel runs a cell that starts with = + - @ (or a tab or carriage return before one) as a formula (CSV
# injection): names and notes come from people, and an export must never execute anything. Such a cell gets
# a leading apostrophe, which Excel shows as text; a cell that already starts with one gets another, so that
# an importer of our own files (the catalog) can take exactly one off and read back what was written.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> object:
    """The value as a CSV cell that no spreadsheet runs as a formula (``None`` as an empty cell)."""
    if isinstance(value, str) and value[:1] in (*FORMULA_STARTS, "'"):
        return "'" + value
    if value is None:
        return ""
    return value


def spreadsheet_unescape(cell: str) -> str:
    """The inverse of :func:`spreadsheet_safe` for a cell read back from one of our own files."""
    if cell[:1] == "'" and cell[1:2] in (*FORMULA_STARTS, "'"):
        return cell[1:]
    return cell


def csv_response(*, filename: str, header: Sequence[str], rows: Iterable[Sequence[object]]) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([spreadsheet_safe(v) for v in row])
    response = HttpResponse((BOM + buffer.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
