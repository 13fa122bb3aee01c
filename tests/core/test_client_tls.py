"""Every https client of a process shares one verifying TLS context (loading the CA
bundle costs tens of milliseconds a client); a loopback plain-http client loads none,
and the context it holds trusts no certificate at all."""

from __future__ import annotations

import ssl
from collections.abc import Iterator

import httpx
import pytest

from bindings_tui import client as client_module
from bindings_tui.client import TwilioClient, _tls_for, tls_context
from bindings_tui.credentials import ApiCredentials
from bindings_tui.credentials.secret import Secret
from bindings_tui.models import ApiFlavor

CREDS = ApiCredentials("AC" + "0" * 32, Secret("t" * 32))


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    made: list[int] = []
    real = httpx.create_ssl_context

    def create() -> ssl.SSLContext:
        made.append(1)
        return real()

    tls_context.cache_clear()
    monkeypatch.setattr(client_module.httpx, "create_ssl_context", create)
    yield made
    tls_context.cache_clear()


async def test_https_clients_share_one_verifying_context(counted: list[int]) -> None:
    clients = [TwilioClient(CREDS, api) for api in ApiFlavor]
    clients.append(clients[0].monitor_client())
    try:
        assert all(c.base_url.startswith("https://") for c in clients)
        assert len(counted) == 1
        context = tls_context()
        assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
        assert context.cert_store_stats()["x509_ca"] > 0
    finally:
        for c in clients:
            await c.aclose()


async def test_a_loopback_http_client_loads_no_bundle_and_trusts_nothing(
    counted: list[int],
) -> None:
    local = TwilioClient(CREDS, base_url="http://127.0.0.1:9")
    try:
        assert counted == []
    finally:
        await local.aclose()
    context = _tls_for("http://127.0.0.1:9", None)
    assert isinstance(context, ssl.SSLContext)
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    assert context.cert_store_stats()["x509_ca"] == 0  # any certificate would be refused
    assert _tls_for("https://conversations.twilio.com", None) is tls_context()
