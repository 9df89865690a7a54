"""The OpenID Connect relying party for VNeID, on Authlib's Django client.

Everything comes from the settings (``OIDC_*``, read from the environment): the issuer,
its discovery document or the endpoints given one by one (a given endpoint wins over the
discovered one), the client, the scopes, ``acr_values`` and the claim names. Authlib
keeps the state, the nonce and the PKCE verifier in the session and checks the ID
token's signature against the provider's keys; ``finish_sign_in`` also insists on the
configured issuer, our client as audience, the expiry and the nonce.
"""

import logging
import time
from dataclasses import asdict, dataclass
from datetime import date, datetime

import requests
from authlib.common.urls import add_params_to_uri
from authlib.integrations.base_client import OAuthError
from authlib.integrations.django_client import DjangoIntegration, DjangoOAuth2App
from django.conf import settings
from joserfc.errors import JoseError

logger = logging.getLogger(__name__)

# Settings that name one endpoint each, and the discovery key each one overrides.
ENDPOINT_SETTINGS = {
    "OIDC_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_JWKS_URI": "jwks_uri",
    "OIDC_USERINFO_ENDPOINT": "userinfo_endpoint",
    "OIDC_END_SESSION_ENDPOINT": "end_session_endpoint",
}
ACCOUNT_TYPE_ORGANISATION = "2"  # LoaiTaiKhoan: 1 công dân, 2 tổ chức
_metadata_cache = {}


class SignInFailed(Exception):
    """The provider's answer cannot be trusted or used; ``reason`` is for the log, never for the page."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class CitizenIdentity:
    """Who signed in, in the portal's words (mapped from the provider's claims)."""

    subject: str
    id_number: str = ""
    full_name: str = ""
    birth_date: str = ""  # ISO date, "" when the provider gave none that can be read
    account_type: str = "1"
    tax_code: str = ""

    @property
    def is_organisation(self):
        return self.account_type == ACCOUNT_TYPE_ORGANISATION

    @property
    def birth_date_value(self):
        return date.fromisoformat(self.birth_date) if self.birth_date else None

    def as_session_data(self):
        return asdict(self)


def is_configured():
    return bool(settings.OIDC_ISSUER and settings.OIDC_CLIENT_ID)


def _provider_metadata():
    """The discovery document (cached for ``OIDC_METADATA_CACHE_SECONDS``) with the configured endpoints on top."""
    url = settings.OIDC_DISCOVERY_URL or f"{settings.OIDC_ISSUER.rstrip('/')}/.well-known/openid-configuration"
    metadata = {}
    if not all(getattr(settings, name) for name in ENDPOINT_SETTINGS if name != "OIDC_END_SESSION_ENDPOINT"):
        cached = _metadata_cache.get(url)
        if cached and cached[0] > time.monotonic():
            metadata = dict(cached[1])
        else:
            response = requests.get(url, timeout=settings.OIDC_TIMEOUT_SECONDS)
            response.raise_for_status()
            metadata = response.json()
            _metadata_cache[url] = (time.monotonic() + settings.OIDC_METADATA_CACHE_SECONDS, dict(metadata))
    for name, key in ENDPOINT_SETTINGS.items():
        if getattr(settings, name):
            metadata[key] = getattr(settings, name)
    # The issuer we trust is the configured one, whatever a discovery document says.
    metadata["issuer"] = settings.OIDC_ISSUER
    return metadata


def _client():
    metadata = _provider_metadata()
    return DjangoOAuth2App(
        DjangoIntegration("vneid"), name="vneid",
        client_id=settings.OIDC_CLIENT_ID, client_secret=settings.OIDC_CLIENT_SECRET,
        authorize_url=metadata.get("authorization_endpoint"), access_token_url=metadata.get("token_endpoint"),
        client_kwargs={
            "scope": settings.OIDC_SCOPES,
            "code_challenge_method": "S256",  # PKCE
            "token_endpoint_auth_method": settings.OIDC_TOKEN_AUTH_METHOD,
            "default_timeout": settings.OIDC_TIMEOUT_SECONDS,
        },
        **{key: value for key, value in metadata.items() if key not in ("authorization_endpoint", "token_endpoint")},
    )


def start_sign_in(request, redirect_uri):
    """The redirect to the provider's sign-in page; the state, nonce and PKCE verifier stay in the session."""
    extra = {"acr_values": settings.OIDC_ACR_VALUES} if settings.OIDC_ACR_VALUES else {}
    try:
        return _client().authorize_redirect(request, redirect_uri, **extra)
    except (requests.RequestException, ValueError, KeyError) as error:
        raise SignInFailed(f"provider unreachable or its discovery document unusable: {error!r}") from None


def finish_sign_in(request):
    """Exchange the callback's code and return the verified ``CitizenIdentity``, or raise ``SignInFailed``.

    Refused: a state this browser did not start (forged or already used), a code the
    provider does not accept (replayed, expired), an ID token signed by another key, from
    another issuer, for another client, expired, or without the nonce of this sign-in.
    """
    claims_options = {
        "iss": {"essential": True, "values": [settings.OIDC_ISSUER]},
        "exp": {"essential": True},
        "sub": {"essential": True},
    }
    try:
        token = _client().authorize_access_token(request, claims_options=claims_options,
                                                 leeway=settings.OIDC_CLOCK_LEEWAY_SECONDS)
    except OAuthError as error:
        raise SignInFailed(f"{error.error}: {error.description}") from None
    except JoseError as error:
        raise SignInFailed(f"ID token refused: {error.error}: {error.description}") from None
    except (requests.RequestException, ValueError, KeyError, TypeError) as error:
        raise SignInFailed(f"token exchange failed: {error!r}") from None
    claims = token.get("userinfo")
    if not claims:
        raise SignInFailed("no ID token in the token response")
    claims = dict(claims)
    mapping = settings.OIDC_CLAIMS
    if not claims.get(mapping["id_number"]) and token.get("access_token"):
        claims = {**_userinfo(token, claims["sub"]), **claims}
    identity = identity_from_claims(claims)
    if not identity.subject:
        raise SignInFailed(f"the ID token has no {mapping['subject']!r} claim")
    return identity, token.get("id_token", "")


def _userinfo(token, subject):
    """The userinfo endpoint's claims, when the ID token carries only the subject; same subject or nothing."""
    endpoint = _provider_metadata().get("userinfo_endpoint")
    if not endpoint:
        return {}
    response = requests.get(endpoint, headers={"Authorization": f"Bearer {token['access_token']}"},
                            timeout=settings.OIDC_TIMEOUT_SECONDS)
    if response.status_code != 200:
        return {}
    data = response.json()
    return data if data.get("sub") == subject else {}


def identity_from_claims(claims):
    """Map the provider's claims (names from ``OIDC_CLAIMS``, VNeID's by default) to a ``CitizenIdentity``."""
    mapping = settings.OIDC_CLAIMS

    def claim(name):
        value = claims.get(mapping[name])
        return "" if value is None else str(value).strip()

    return CitizenIdentity(
        subject=claim("subject") or str(claims.get("sub") or ""),
        id_number=claim("id_number"),
        full_name=" ".join(claim("full_name").split()),
        birth_date=_iso_date(claim("birth_date")),
        account_type=claim("account_type") or "1",
        tax_code=claim("tax_code"),
    )


def _iso_date(value):
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%Y%m%d", "%d-%m-%Y"):
        try:
            return datetime.strptime(value, pattern).date().isoformat()
        except ValueError:
            continue
    return ""


def logout_url(id_token, post_logout_redirect_uri):
    """The provider's end-session address (RP-initiated logout), or "" when it has none."""
    try:
        endpoint = _provider_metadata().get("end_session_endpoint")
    except (requests.RequestException, ValueError) as error:
        logger.warning("OIDC discovery failed at logout: %r", error)
        return ""
    if not endpoint:
        return ""
    params = {"post_logout_redirect_uri": post_logout_redirect_uri, "client_id": settings.OIDC_CLIENT_ID}
    if id_token:
        params["id_token_hint"] = id_token
    return add_params_to_uri(endpoint, params)
