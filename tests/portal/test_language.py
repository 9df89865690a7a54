"""Vietnamese by default; English only for a visitor who chose it."""

import pytest
from django.conf import settings
from django.urls import reverse


@pytest.mark.django_db
def test_browser_language_does_not_switch_the_portal_to_english(client):
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    assert response["Content-Language"] == "vi"
    assert '<html lang="vi">' in response.content.decode()


@pytest.mark.django_db
def test_the_switcher_choice_is_kept(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302

    page = client.get(reverse("home"))

    assert page["Content-Language"] == "en"
    assert "Online public services" in page.content.decode()


@pytest.mark.django_db
def test_an_unknown_language_cookie_falls_back_to_vietnamese(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "<script>"

    response = client.get(reverse("home"))

    assert response["Content-Language"] == "vi"


@pytest.mark.django_db
def test_bad_input_is_explained_in_english_to_a_visitor_who_chose_english(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})

    response = client.post(reverse("tracking:lookup"), {"code": "", "captcha_0": "x", "captcha_1": "PASSED"})

    page = response.content.decode()
    assert "Please enter the dossier code." in page
    assert "Vui lòng nhập mã hồ sơ." not in page
