import pytest

from notifications.sms import InMemoryBackend


@pytest.fixture(autouse=True)
def empty_sms_outbox():
    InMemoryBackend.outbox.clear()
    yield
    InMemoryBackend.outbox.clear()
