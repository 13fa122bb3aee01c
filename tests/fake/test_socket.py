"""The fake over a real socket (uvicorn): URLs, drops, timeouts."""

from __future__ import annotations

import httpx
import pytest

from bindings_tui.client import TwilioClient
from bindings_tui.errors import NetworkError, RequestTimeout
from bindings_tui.fake_twilio import FakeConfig, serve_in_background
from bindings_tui.models import ApiFlavor
from bindings_tui.retry import NO_RETRY, RetryPolicy

FAST_RETRY = RetryPolicy(max_attempts=4, base_delay=0.0, max_delay=0.0, max_retry_after=0.0)


async def test_listing_over_a_socket_with_faults() -> None:
    async with serve_in_background(FakeConfig(seed=5, bindings=250)) as (fake, base_url):
        assert base_url.startswith("http://127.0.0.1:") and not base_url.endswith(":0")
        service = fake.service_sids()[0]
        fake.faults.script("drop", path_contains="PageToken=")
        fake.faults.script("truncate", path_contains="PageToken=", lie_length=True)
        fake.faults.script("429-retry-after", path_contains="PageToken=")
        async with TwilioClient(
            fake.credentials(), ApiFlavor.CHAT, base_url=base_url, retry=FAST_RETRY
        ) as client:
            got = await client.list_bindings(service, page_size=30)
        assert {b.sid for b in got} == fake.binding_sids(ApiFlavor.CHAT, service)
        assert [kind for kind, _, _ in fake.faults.fired] == [
            "drop",
            "truncate",
            "429-retry-after",
        ]
        host = base_url.removeprefix("http://")
        assert {r.host for r in fake.requests} == {host}
        assert all(b.url and b.url.startswith(base_url + "/v2/") for b in got)


async def test_drop_closes_the_connection() -> None:
    async with serve_in_background(FakeConfig(bindings=40)) as (fake, base_url):
        service = fake.service_sids()[0]
        fake.faults.script("drop")
        creds = fake.credentials()
        async with httpx.AsyncClient(
            base_url=base_url, auth=(creds.username, creds.secret.reveal())
        ) as http:
            with pytest.raises(httpx.TransportError):
                await http.get(f"/v1/Services/{service}/Bindings")
            # The server keeps serving afterwards.
            assert (await http.get("/v1/Services")).status_code == 200
        async with TwilioClient(creds, base_url=base_url, retry=NO_RETRY) as client:
            fake.faults.script("drop")
            with pytest.raises(NetworkError):
                await client.list_bindings(service)


async def test_slow_fault_hits_the_client_timeout() -> None:
    config = FakeConfig(bindings=20, slow_seconds=1.5)
    async with serve_in_background(config) as (fake, base_url):
        fake.faults.script("slow")
        async with TwilioClient(
            fake.credentials(), base_url=base_url, timeout=0.2, retry=NO_RETRY
        ) as client:
            with pytest.raises(RequestTimeout):
                await client.list_services()
