"""Marks the requests of staff members, so the recorder knows whose change it is writing."""

from django.conf import settings
from django.utils.module_loading import import_string

from .context import Actor, current_actor


class AuditActorMiddleware:
    """Within a request of a signed-in staff member, every change of a model is audited under their name.

    Citizens' requests (filing, supplements, ratings) are not: their changes are the dossier's
    own history. The client's address is read as the rate limits read it.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.client_ip = import_string(settings.AXES_CLIENT_IP_CALLABLE)

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_staff:
            return self.get_response(request)
        token = current_actor.set(Actor(user=user, ip_address=self.client_ip(request)))
        try:
            return self.get_response(request)
        finally:
            current_actor.reset(token)
