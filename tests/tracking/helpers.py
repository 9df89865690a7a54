"""Helpers shared by the lookup, supplement and rating tests: dossiers at a given point of their life.

Every state is reached through the services (``record_event`` for the filing's first
entry, the back office's transitions after it), the way the portal itself gets there.
"""

import html

from django.utils import timezone

from dossiers import services
from dossiers.workflow import Actor, Event
from tests.factories import DossierFactory, UserFactory

PASSED = "PASSED"  # accepted by django-simple-captcha in test mode (CAPTCHA_TEST_MODE=1)


def filed_dossier(**fields):
    """A dossier as the wizard leaves it: registered online, with its first history entry."""
    fields.setdefault("submitted_at", timezone.now())
    dossier = DossierFactory(**fields)
    services.record_event(dossier, action="register", from_status="", actor_kind=Actor.CITIZEN,
                          event=Event.REGISTERED)
    return dossier


def clerk_of(agency, username=None):
    clerk = UserFactory(**({"username": username} if username else {}))
    agency.staff.add(clerk)
    return clerk


def received(dossier, clerk):
    return services.receive_dossier(dossier=dossier, actor=clerk)


def returned(dossier, clerk, *, result_file=None, method="in_person"):
    """Through reception, processing and the result to "returned"."""
    services.receive_dossier(dossier=dossier, actor=clerk)
    services.assign_dossier(dossier=dossier, actor=clerk, specialist=clerk)
    services.record_result(dossier=dossier, actor=clerk, note="Đã cấp giấy khai sinh.", result_file=result_file)
    services.return_result(dossier=dossier, actor=clerk, method=method)
    dossier.refresh_from_db()
    return dossier


# The last four digits of the factories' phone number (+84912345678): the lookup's second factor.
PHONE_LAST4 = "5678"


def lookup_post(client, code, captcha=PASSED, phone_last4="", **extra):
    return client.post("/tim-kiem/", {"code": code, "captcha_0": "test-key", "captcha_1": captcha,
                                      "phone_last4": phone_last4}, **extra)


def page_text(response):
    """The page as the citizen reads it: the HTML with its entities decoded."""
    return html.unescape(response.content.decode())
