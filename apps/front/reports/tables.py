"""The report tables of the front site: what each reads, its columns (the page and the CSV share them), and
the bar chart drawn from it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

from govservice.lib.charts import bar_chart
from govservice.lib.stats import Period, rate

from . import selectors

if TYPE_CHECKING:
    from django.utils.safestring import SafeString
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class Column:
    key: str
    label: StrOrPromise
    # text, int, pct (percent with one decimal), min (minutes with one decimal)
    kind: str = "int"


@dataclass(frozen=True)
class Chart:
    title: StrOrPromise
    value: str
    unit: StrOrPromise
    maximum: float | None = None


@dataclass(frozen=True)
class TableSpec:
    slug: str
    title: StrOrPromise
    note: StrOrPromise
    columns: tuple[Column, ...]
    read: Callable[..., list[dict[str, Any]]]
    chart: Chart
    # Columns naming a row in the chart (the hall is added when the report covers every hall).
    label_keys: tuple[str, ...]


HALL = Column("hall", _("大厅"), "text")
MATTER = Column("matter", _("事项"), "text")
# Waits (check-in to call) and services (start to finish) in minutes, by hall and by window alike.
WAIT_AND_SERVICE = (
    Column("wait_p50", _("等候P50(分钟)"), "min"),
    Column("wait_p90", _("等候P90(分钟)"), "min"),
    Column("service_p50", _("办理P50(分钟)"), "min"),
    Column("service_p90", _("办理P90(分钟)"), "min"),
)

TABLES: dict[str, TableSpec] = {
    spec.slug: spec
    for spec in (
        TableSpec(
            slug="bookings",
            title=_("预约与爽约"),
            note=_("按时段日期统计。爽约率 = 爽约 ÷（到场 + 爽约）；尚未到时间的预约不计入。"),
            columns=(
                HALL,
                MATTER,
                Column("booked", _("预约数")),
                Column("cancelled", _("已取消")),
                Column("attended", _("到场数")),
                Column("no_show", _("爽约数")),
                Column("no_show_rate", _("爽约率(%)"), "pct"),
            ),
            read=selectors.bookings_by_matter,
            chart=Chart(_("各事项爽约率"), "no_show_rate", "%", 100),
            label_keys=("matter",),
        ),
        TableSpec(
            slug="waits",
            title=_("等候与办理时长（按大厅）"),
            note=_(
                "等候 = 取号/签到至叫号；办理 = 开始办理至办结；单位：分钟。P50为中位数，P90表示90%的人不超过此值。"
            ),
            columns=(
                HALL,
                Column("issued", _("取号数")),
                Column("served", _("办结数")),
                Column("missed", _("过号")),
                *WAIT_AND_SERVICE,
            ),
            read=selectors.waits_by_hall,
            chart=Chart(_("各大厅等候时长P90"), "wait_p90", _("分钟")),
            label_keys=("hall",),
        ),
        TableSpec(
            slug="windows",
            title=_("等候与办理时长（按窗口）"),
            note=_("按最后叫号的窗口统计；单位：分钟。"),
            columns=(
                HALL,
                Column("window", _("窗口号")),
                Column("group", _("窗口组"), "text"),
                Column("called", _("叫号数")),
                Column("served", _("办结数")),
                *WAIT_AND_SERVICE,
            ),
            read=selectors.waits_by_window,
            chart=Chart(_("各窗口办理时长中位数"), "service_p50", _("分钟")),
            label_keys=("window",),
        ),
        TableSpec(
            slug="intake",
            title=_("受理情况"),
            note=_(
                "按收件日期统计。一件先一次性告知后受理的，两项都计入。逾期视为受理：大厅未在5个工作日内受理或一次性告知，依法自收件之日起视为受理（同时计入受理数）。"
            ),
            columns=(
                HALL,
                MATTER,
                Column("received", _("收件数")),
                Column("accepted", _("受理数")),
                Column("accepted_rate", _("受理率(%)"), "pct"),
                Column("refused", _("不予受理数")),
                Column("refused_rate", _("不予受理率(%)"), "pct"),
                Column("notice", _("一次性告知数")),
                Column("notice_rate", _("一次性告知率(%)"), "pct"),
                Column("deemed", _("逾期视为受理数")),
                Column("deemed_rate", _("逾期视为受理率(%)"), "pct"),
            ),
            read=selectors.intake_by_matter,
            chart=Chart(_("各事项受理率"), "accepted_rate", "%", 100),
            label_keys=("matter",),
        ),
        TableSpec(
            slug="applicants",
            title=_("按申请人类别"),
            note=_(
                "按收件日期统计。自然人本人办理、委托他人代办（记录代办人）与法人（由法定代表人或经办人办理）分列。"
            ),
            columns=(
                HALL,
                Column("applicant", _("申请人类别"), "text"),
                Column("received", _("收件数")),
                Column("accepted", _("受理数")),
                Column("accepted_rate", _("受理率(%)"), "pct"),
                Column("refused", _("不予受理数")),
                Column("refused_rate", _("不予受理率(%)"), "pct"),
            ),
            read=selectors.intake_by_applicant_kind,
            chart=Chart(_("各类申请人受理率"), "accepted_rate", "%", 100),
            label_keys=("applicant",),
        ),
        TableSpec(
            slug="satisfaction",
            title=_("满意度"),
            note=_(
                "满意率 = 非常满意、满意、基本满意 ÷ 全部评价；差评整改率 = 已整改答复 ÷ 差评。申诉成立的差评不计入评价数、差评和整改率。"
            ),
            columns=(
                Column("department", _("部门"), "text"),
                MATTER,
                Column("rated", _("评价数")),
                Column("good", _("满意数")),
                Column("good_rate", _("满意率(%)"), "pct"),
                Column("bad", _("差评数")),
                Column("voided", _("申诉成立数")),
                Column("rectified", _("整改数")),
                Column("rectified_rate", _("差评整改率(%)"), "pct"),
            ),
            read=selectors.satisfaction_by_matter,
            chart=Chart(_("各事项满意率"), "good_rate", "%", 100),
            label_keys=("matter",),
        ),
    )
}


def _label(row: dict[str, Any], keys: Sequence[str]) -> str:
    parts = []
    for key in keys:
        value = row.get(key)
        parts.append(_("{n}号窗口").format(n=value) if key == "window" else str(value or "—"))
    return " · ".join(parts)


def chart_for(spec: TableSpec, rows: list[dict[str, Any]], *, every_hall: bool) -> SafeString:
    keys = spec.label_keys
    if every_hall and "hall" not in keys and any("hall" in row for row in rows):
        keys = ("hall", *keys)
    bars = [(_label(row, keys), row[spec.chart.value]) for row in rows]
    return bar_chart(bars, title=str(spec.chart.title), unit=str(spec.chart.unit), maximum=spec.chart.maximum)


def cells(spec: TableSpec, row: dict[str, Any]) -> list[Any]:
    return [row.get(column.key) for column in spec.columns]


def summary(results: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """Headline figures, added up from the grouped rows (no further query)."""

    def total(slug: str, key: str) -> int:
        return sum(int(row[key]) for row in results[slug])

    return {
        "booked": total("bookings", "booked"),
        "no_show_rate": rate(
            total("bookings", "no_show"), total("bookings", "attended") + total("bookings", "no_show")
        ),
        "issued": total("waits", "issued"),
        "accepted_rate": rate(total("intake", "accepted"), total("intake", "received")),
        "rated": total("satisfaction", "rated"),
        "good_rate": rate(total("satisfaction", "good"), total("satisfaction", "rated")),
        "bad": total("satisfaction", "bad"),
        "rectified_rate": rate(total("satisfaction", "rectified"), total("satisfaction", "bad")),
    }


def satisfaction_by_department(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The satisfaction rows added up per department (counts add up exactly; rates recomputed)."""
    totals: dict[str, dict[str, Any]] = {}
    for row in rows:
        total = totals.setdefault(
            row["department"],
            {"department": row["department"], "rated": 0, "good": 0, "bad": 0, "voided": 0, "rectified": 0},
        )
        for key in ("rated", "good", "bad", "voided", "rectified"):
            total[key] += row[key]
    for total in totals.values():
        total["good_rate"] = rate(total["good"], total["rated"])
        total["rectified_rate"] = rate(total["rectified"], total["bad"])
    return list(totals.values())


def read_all(*, period: Period, hall_id: int | None) -> dict[str, list[dict[str, Any]]]:
    return {slug: spec.read(period=period, hall_id=hall_id) for slug, spec in TABLES.items()}
