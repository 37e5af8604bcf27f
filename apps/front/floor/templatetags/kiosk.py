"""Template tags of the hall devices' pages (templates/base_kiosk.html), which other apps' kiosk screens
(consultation, rating) extend too: the idle time after which a screen returns to its start."""

from __future__ import annotations

from django import template

from ..conf import floor_conf

register = template.Library()


@register.simple_tag
def kiosk_idle_seconds() -> int:
    return floor_conf.KIOSK_IDLE_SECONDS
