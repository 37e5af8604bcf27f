from django.conf import settings


def site(request):
    return {"SITE_ROLE": settings.SITE_ROLE, "SITE_NAME": settings.SITE_NAME}
