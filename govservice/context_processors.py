from django.conf import settings

from .care import care_mode


def site(request):
    return {"SITE_ROLE": settings.SITE_ROLE, "SITE_NAME": settings.SITE_NAME, "CARE_MODE": care_mode(request)}
