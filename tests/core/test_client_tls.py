"""Every client of a process shares one verifying TLS context (loading the CA bundle
costs tens of milliseconds a client)."""

from __future__ import annotations

import ssl
from collections.abc import Iterator

import httpx
import pytest

from bindings_tui import client as client_module
from bindings_tui.client import TwilioClient, tls_context
from bindings_tui.credentials import ApiCredentials
from bindings_tui.credentials.secret import Secret
from bindings_tui.models import ApiFlavor


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


async def test_clients_share_one_verifying_context(counted: list[int]) -> None:
    creds = ApiCredentials("AC" + "0" * 32, Secret("t" * 32))
    clients = [TwilioClient(creds, api) for api in ApiFlavor]
    clients.append(clients[0].monitor_client())
    try:
        assert len(counted) == 1
        context = tls_context()
        assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    finally:
        for c in clients:
            await c.aclose()
