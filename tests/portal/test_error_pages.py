"""Error pages speak to the citizen in Vietnamese and keep the portal's layout."""

import pytest
from django.test import Client
from django.urls import reverse


@pytest.mark.django_db
def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/khong-co-trang-nay/")

    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()
    assert reverse("tracking:lookup") in response.content.decode()


@pytest.mark.django_db
def test_a_form_posted_without_its_csrf_token_explains_the_expired_session():
    client = Client(enforce_csrf_checks=True)

    response = client.post(reverse("tracking:lookup"), {"code": "000.00.12.H26-241124-0001"})

    assert response.status_code == 403
    assert "Phiên làm việc đã hết hạn" in response.content.decode()


def test_the_500_page_renders_without_a_request():
    from django.template.loader import render_to_string

    html = render_to_string("500.html")

    assert "Hệ thống đang gặp sự cố" in html
