"""Citizen pages: the matter guide with its one-time checklist (一次性告知单)."""

from __future__ import annotations

from django.shortcuts import render

from apps.catalog.selectors import matter_get


def matter_guide(request, code):
    matter = matter_get(code=code)
    return render(request, "guidance/guide.html", {"matter": matter, "materials": list(matter.materials.all())})
