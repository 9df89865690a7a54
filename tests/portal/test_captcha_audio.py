"""The captcha's audio alternative (for citizens who cannot read the image) is really spoken."""

import shutil

import pytest
from django.urls import reverse

from portal.captcha import new_key
from tests.fixtures.services import service_missing


@pytest.mark.django_db
def test_audio_captcha_is_a_wav_file(client, settings):
    flite = shutil.which("flite")
    if not flite:
        service_missing("flite not installed (apt-get install flite): the audio captcha cannot speak")
    settings.CAPTCHA_FLITE_PATH = flite
    key = new_key()

    response = client.get(reverse("captcha-audio", args=[key]))

    assert response.status_code == 200
    assert response["Content-Type"] == "audio/wav"
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body[:4] == b"RIFF" and body[8:12] == b"WAVE"
    assert len(body) > 10_000  # a few spoken letters, not an empty file
