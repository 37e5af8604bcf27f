"""Publishing a year's holidays on a page (issue 13), for central supervisors and administrators: the same
service as ``manage.py calendar_publish``. Mounted on the central site (govservice/urls_central.py)."""

from __future__ import annotations

from django import forms
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy

from apps.shared.accounts.models import Role
from govservice.api import DomainError, status_for
from govservice.roles import role_required

from .models import CalendarOverride, PublishedYear
from .services import calendar_year_publish, statutory_year


class PublishForm(forms.Form):
    year = forms.IntegerField(
        min_value=2000,
        max_value=2100,
        error_messages=dict.fromkeys(
            ("required", "invalid", "min_value", "max_value"), gettext_lazy("请填写有效的年份。")
        ),
    )
    # One day (YYYY-MM-DD) or range (YYYY-MM-DD:YYYY-MM-DD) a line.
    off = forms.CharField(required=False, widget=forms.Textarea)
    work = forms.CharField(required=False, widget=forms.Textarea)
    note = forms.CharField(required=False, max_length=200)

    def clean_off(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["off"].splitlines() if line.strip()]

    def clean_work(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["work"].splitlines() if line.strip()]


def _page(request, form: PublishForm, *, status: int = 200, error: str = "", done=None):
    this_year = timezone.localdate().year
    published = {p.year: p for p in PublishedYear.objects.order_by("-year")}
    years = [
        {"year": y, "statutory": statutory_year(y), "published": published.get(y)}
        for y in range(this_year, this_year + 3)
    ]
    context = {
        "form": form,
        "years": years,
        "published": list(published.values()),
        "overrides": CalendarOverride.objects.filter(date__year__gte=this_year).order_by("date"),
        "error": error,
        "done": done,
    }
    return render(request, "workcalendar/publish.html", context, status=status)


@role_required(Role.CENTRAL_SUPERVISOR, Role.ADMIN)
def calendar_publish(request):
    if request.method != "POST":
        return _page(request, PublishForm())
    form = PublishForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400, error=next(str(m) for errors in form.errors.values() for m in errors))
    data = form.cleaned_data
    try:
        done = calendar_year_publish(year=data["year"], off=data["off"], work=data["work"], note=data["note"])
    except DomainError as exc:
        return _page(request, form, status=status_for(exc), error=str(exc.detail))
    return _page(request, PublishForm(), done=done)
