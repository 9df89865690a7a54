"""What a backend raises when a message does not go out; the sender retries one and records the other."""


class SendError(Exception):
    """A message was not accepted by the provider."""


class TemporarySendError(SendError):
    """Worth trying again later: rate limited, provider error (5xx), connection trouble, SMTP 4xx.

    ``outcome_unknown`` marks a failure after which the provider may still have taken the
    message (the connection dropped before the answer): the next attempt asks first.
    """

    def __init__(self, message, *, outcome_unknown=False):
        super().__init__(message)
        self.outcome_unknown = outcome_unknown


class PermanentSendError(SendError):
    """Trying again cannot help: invalid number, address refused (SMTP 5xx), message rejected."""
