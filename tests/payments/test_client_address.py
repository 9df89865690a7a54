"""vnp_IpAddr is the citizen's address (issue 17): behind nginx, the header the proxy sets, the same
address the rate limits and the sign-in lockout see, never the proxy's own REMOTE_ADDR."""

from urllib.parse import parse_qsl, urlsplit

import pytest
from django.test import override_settings

from dossiers.links import payment_url


@pytest.fixture
def pay_path(awaiting_dossier):
    return urlsplit(payment_url(awaiting_dossier)).path


def gateway_order(response):
    assert response.status_code == 302
    return dict(parse_qsl(urlsplit(response["Location"]).query))


@override_settings(CLIENT_IP_META_KEY="HTTP_X_REAL_IP")
def test_behind_the_proxy_the_gateway_gets_the_citizens_address(client, awaiting_dossier, pay_path):
    order = gateway_order(client.post(pay_path, REMOTE_ADDR="10.0.0.2", HTTP_X_REAL_IP="203.0.113.45"))
    assert order["vnp_IpAddr"] == "203.0.113.45"
    assert awaiting_dossier.payments.get().client_ip == "203.0.113.45"


@override_settings(CLIENT_IP_META_KEY="HTTP_X_REAL_IP")
def test_a_header_that_is_not_an_address_falls_back_to_the_connection(client, awaiting_dossier, pay_path):
    order = gateway_order(client.post(pay_path, REMOTE_ADDR="10.0.0.2", HTTP_X_REAL_IP="1.2.3.4<script>"))
    assert order["vnp_IpAddr"] == "10.0.0.2"


@override_settings(CLIENT_IP_META_KEY="REMOTE_ADDR")
def test_without_a_proxy_a_client_cannot_choose_its_address(client, awaiting_dossier, pay_path):
    order = gateway_order(client.post(pay_path, REMOTE_ADDR="198.51.100.9", HTTP_X_REAL_IP="203.0.113.45"))
    assert order["vnp_IpAddr"] == "198.51.100.9"
    assert awaiting_dossier.payments.get().client_ip == "198.51.100.9"
