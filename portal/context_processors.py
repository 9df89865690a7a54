from django.conf import settings


def portal(request):
    return {"PORTAL_NAME": settings.PORTAL_NAME, "PORTAL_AUTHORITY": settings.PORTAL_AUTHORITY}
