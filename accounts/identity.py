"""Who is signed in with VNeID in this browser: kept in the session, apart from any staff login.

A citizen is not a Django user: the back office's accounts and the citizens' never mix,
and signing out of one leaves the other alone.
"""

from .oidc import CitizenIdentity

SESSION_KEY = "accounts_citizen"
SESSION_ID_TOKEN = "accounts_id_token"


def signed_in_citizen(request):
    """The ``CitizenIdentity`` signed in to this session, or None."""
    data = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    if not data:
        return None
    try:
        return CitizenIdentity(**data)
    except TypeError:  # a session written by an older version: ask to sign in again
        return None


def remember(request, identity, id_token=""):
    """Sign ``identity`` in; a new session key, so a session fixed before sign-in is worth nothing."""
    request.session.cycle_key()
    request.session[SESSION_KEY] = identity.as_session_data()
    request.session[SESSION_ID_TOKEN] = id_token


def forget(request):
    """Sign the citizen out; return the ID token to hint the provider's logout with."""
    id_token = request.session.pop(SESSION_ID_TOKEN, "")
    request.session.pop(SESSION_KEY, None)
    request.session.cycle_key()
    return id_token
