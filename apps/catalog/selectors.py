from __future__ import annotations

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from .models import Matter


def matters_search(*, q: str = "", department: str = "") -> QuerySet[Matter]:
    qs = Matter.objects.filter(is_current=True).select_related("department")
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(keywords__icontains=q) | Q(department__name__icontains=q))
    if department:
        qs = qs.filter(department__code=department)
    return qs.order_by("department__code", "code")


def matter_get(*, code: str) -> Matter:
    return get_object_or_404(
        Matter.objects.select_related("department").prefetch_related("materials"), code=code, is_current=True
    )
