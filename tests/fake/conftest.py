"""Fixtures for the fake Twilio tests: a small seeded fake and clients bound to it."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import httpx
import pytest

from bindings_tui.client import TwilioClient
from bindings_tui.fake_twilio import FAKE_BASE_URL, FakeConfig, FakeTwilio
from bindings_tui.models import ApiFlavor
from bindings_tui.retry import RetryPolicy

# Retries without waiting: tests never sleep on backoff.
FAST_RETRY = RetryPolicy(max_attempts=4, base_delay=0.0, max_delay=0.0, max_retry_after=0.0)


@pytest.fixture
def fake() -> FakeTwilio:
    return FakeTwilio(FakeConfig(seed=7, bindings=300))


@pytest.fixture
def main_service(fake: FakeTwilio) -> str:
    return fake.service_sids()[0]


ClientFactory = Callable[..., AbstractAsyncContextManager[TwilioClient]]


@pytest.fixture
def client_for(fake: FakeTwilio) -> ClientFactory:
    """`async with client_for(api) as client:` a TwilioClient talking to `fake` in process."""

    @asynccontextmanager
    async def make(
        api: ApiFlavor = ApiFlavor.CONVERSATIONS, *, retry: RetryPolicy = FAST_RETRY
    ) -> AsyncIterator[TwilioClient]:
        async def no_sleep(_seconds: float) -> None:
            return None

        async with TwilioClient(
            fake.credentials(),
            api,
            base_url=FAKE_BASE_URL,
            transport=fake.transport(),
            retry=retry,
            sleep=no_sleep,
        ) as client:
            yield client

    return make


def basic(user: str, secret: str) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


@pytest.fixture
async def http(fake: FakeTwilio) -> AsyncIterator[httpx.AsyncClient]:
    """A raw httpx client with the demo credentials (to see exact responses)."""
    creds = fake.credentials()
    async with httpx.AsyncClient(
        transport=fake.transport(),
        base_url=FAKE_BASE_URL,
        headers=basic(creds.account_sid, creds.secret.reveal()),
    ) as client:
        yield client


@pytest.fixture(scope="session")
def monitor_spec() -> dict[str, Any]:
    """Twilio Monitor v1 (alerts), beside the Conversations and Chat specs."""
    from tests.conftest import _load_reference

    return _load_reference("twilio_monitor_v1.json")


def authed_http(fake: FakeTwilio) -> httpx.AsyncClient:
    """A plain httpx client on `fake`'s in-process transport, with its own credentials."""
    creds = fake.credentials()
    return httpx.AsyncClient(
        transport=fake.transport(),
        base_url=FAKE_BASE_URL,
        auth=(creds.username, creds.secret.reveal()),
    )
