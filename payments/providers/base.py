"""What every provider returns when it reads a gateway's answer."""

import enum
from dataclasses import dataclass, field


class NotConfigured(Exception):
    """The provider lacks its settings (merchant code, secret, gateway address)."""


class Outcome(enum.Enum):
    PAID = "paid"
    CANCELLED = "cancelled"  # the citizen gave up on the gateway's page
    FAILED = "failed"


@dataclass(frozen=True)
class Notification:
    """A gateway's answer (IPN or return), its signature already checked."""

    reference: str
    amount: int  # đồng
    outcome: Outcome
    response_code: str
    transaction_no: str = ""
    bank_code: str = ""
    raw: dict = field(default_factory=dict)
