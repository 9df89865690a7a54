from django.conf import settings

from .identity import signed_in_citizen
from .oidc import is_configured


def citizen(request):
    """The header's sign-in link or the signed-in citizen. Without a session cookie the session is not read."""
    signed_in = signed_in_citizen(request) if settings.SESSION_COOKIE_NAME in request.COOKIES else None
    return {"citizen": signed_in, "vneid_sign_in": is_configured()}
