"""Server-side SVG charts for the reports: plain horizontal bars, no JavaScript, readable by a screen
reader (role="img" with a title, and each bar's value written beside it)."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH = 640
LABEL_WIDTH = 220
VALUE_WIDTH = 70
BAR_HEIGHT = 20
GAP = 8
PADDING = 6


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".") if value % 1 else f"{int(value)}"


def bar_chart(
    bars: Sequence[tuple[str, float | None]], *, title: str, unit: str = "", maximum: float | None = None
) -> SafeString:
    """One horizontal bar per (label, value). ``maximum`` fixes the scale (100 for percentages); by default
    the largest value fills the width. A value of None is drawn as an empty bar labelled "—"."""
    values = [v for _, v in bars if v is not None]
    scale_max = maximum if maximum is not None else max(values, default=0.0)
    track = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    height = max(len(bars), 1) * (BAR_HEIGHT + GAP) + 2 * PADDING
    parts = [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    if not bars:
        parts.append(f'<text x="{PADDING}" y="{PADDING + BAR_HEIGHT - 5}" class="chart-empty">—</text>')
    for index, (label, value) in enumerate(bars):
        y = PADDING + index * (BAR_HEIGHT + GAP)
        length = 0.0 if value is None or scale_max <= 0 else max(0.0, min(1.0, value / scale_max)) * track
        # "25%", "7.5分钟", but "7.5 min": a space before a unit written in letters.
        gap = " " if unit[:1].isascii() and unit[:1].isalpha() else ""
        shown = "—" if value is None else f"{_number(value)}{gap}{unit}"
        parts.append(
            f'<g class="bar"><text x="{LABEL_WIDTH - 8}" y="{y + BAR_HEIGHT - 5}" text-anchor="end">{escape(label)}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{length:.1f}" height="{BAR_HEIGHT}" rx="2"></rect>'
            f'<text x="{LABEL_WIDTH + length + 6:.1f}" y="{y + BAR_HEIGHT - 5}" class="value">{escape(shown)}</text></g>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every piece of text above is escaped
