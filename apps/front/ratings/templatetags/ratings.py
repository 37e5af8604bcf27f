"""``{% rating_levels as levels %}``: the five levels with their fixed tags, for rating forms on other apps'
pages (the case page) without their views knowing about tags."""

from django import template

register = template.Library()


@register.simple_tag
def rating_levels() -> list[dict]:
    from apps.front.ratings.views import rating_form_context

    return rating_form_context()["levels"]
