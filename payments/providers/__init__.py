"""Payment providers: each turns a pending ``Payment`` into a redirect and reads the provider's answers.

A provider is a small class with ``name``, ``checkout_url(payment, ...)`` and
``parse_notification(params)``; ``get_provider(name)`` returns the configured one.
Adding a gateway is a new module here, not a change of the services.
"""

from .base import NotConfigured, Notification, Outcome
from .vnpay import VNPayProvider

PROVIDERS = {VNPayProvider.name: VNPayProvider}
DEFAULT_PROVIDER = VNPayProvider.name


def get_provider(name=DEFAULT_PROVIDER):
    """The provider ``name``, built from the settings; raises ``NotConfigured`` when it cannot be used."""
    try:
        provider_class = PROVIDERS[name]
    except KeyError:
        raise NotConfigured(f"unknown payment provider {name!r}") from None
    return provider_class.from_settings()


__all__ = ["NotConfigured", "Notification", "Outcome", "get_provider", "VNPayProvider"]
