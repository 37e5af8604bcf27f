from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarOverride(models.Model):
    """A day whose status differs from (or is missing in) the statutory data: a 调休 Saturday, a
    local closure of the whole city, or a year not yet in the ``chinesecalendar`` package."""

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("是否工作日"))
    note = models.CharField(_("说明"), max_length=100, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("工作日调整")
        verbose_name_plural = _("工作日调整")

    def __str__(self) -> str:
        return f"{self.date} {'班' if self.is_workday else '休'}"


class PublishedYear(models.Model):
    """A year an administrator has entered completely (all holidays and 调休 as overrides).
    Without this row, a year the statutory data does not know fails closed."""

    year = models.PositiveSmallIntegerField(_("年份"), unique=True)
    published_at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(_("依据"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("已发布年度")
        verbose_name_plural = _("已发布年度")

    def __str__(self) -> str:
        return str(self.year)
