"""The HTTP adapter to the National Public Service Portal's dossier API.

One POST of JSON per message to ``NATIONAL_PORTAL_URL``::

    {"service": "DongBoHoSoMC" | "CapNhatTienDoHoSoMC", "isUpdating": bool,
     "MaDonVi": NATIONAL_PORTAL_AGENCY_CODE, "IdGiaoDich": "<the message's uuid>", "data": [{...}]}

with HTTP Basic credentials (``NATIONAL_PORTAL_USERNAME`` / ``_PASSWORD``) when set. The
answer ``{"error_code": 0, ...}`` (or ``"0"``) is success. Connection errors, time-outs, 429
and 5xx are temporary (``TemporaryError``: retried with backoff); any other answer is
permanent (``PermanentError``: the row fails, an operator resends it).
"""

from dataclasses import dataclass

import requests
from django.conf import settings


class SyncError(Exception):
    pass


class TemporaryError(SyncError):
    """The call may succeed later (the portal is down, slow or busy)."""


class PermanentError(SyncError):
    """The portal refused the message; sending it again unchanged will not help."""


@dataclass(frozen=True)
class Answer:
    status_code: int
    body: str


def is_configured():
    return bool(settings.NATIONAL_PORTAL_URL)


def send(*, service, transaction_id, data, is_updating=False):
    """POST one message; returns the ``Answer`` or raises ``TemporaryError`` / ``PermanentError``."""
    body = {"service": service, "isUpdating": is_updating, "MaDonVi": settings.NATIONAL_PORTAL_AGENCY_CODE,
            "IdGiaoDich": str(transaction_id), "data": [data]}
    auth = None
    if settings.NATIONAL_PORTAL_USERNAME:
        auth = (settings.NATIONAL_PORTAL_USERNAME, settings.NATIONAL_PORTAL_PASSWORD)
    try:
        response = requests.post(settings.NATIONAL_PORTAL_URL, json=body, auth=auth,
                                 timeout=settings.NATIONAL_PORTAL_TIMEOUT,
                                 headers={"Idempotency-Key": str(transaction_id)})
    except requests.RequestException as error:
        raise TemporaryError(f"{type(error).__name__}: {error}") from error
    text = response.text[:2000]
    if response.status_code == 429 or response.status_code >= 500:
        raise TemporaryError(f"HTTP {response.status_code}: {text}")
    if response.status_code >= 300:
        raise PermanentError(f"HTTP {response.status_code}: {text}")
    try:
        answer = response.json()
    except ValueError:
        raise PermanentError(f"not JSON: {text}") from None
    if str(answer.get("error_code", "")) != "0":
        raise PermanentError(f"error_code {answer.get('error_code')!r}: {answer.get('message', '')}")
    return Answer(status_code=response.status_code, body=text)
