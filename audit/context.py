"""Who is acting in the current request, for the entries the recorder writes."""

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    user: object
    ip_address: str | None


current_actor: ContextVar[Actor | None] = ContextVar("audit_current_actor", default=None)
