"""find_identities against the fake (in process): every service, both APIs, a fixed order,
bounded concurrency, 429s retried, one failing service kept apart from the rest."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from bindings_tui.client import TwilioClient
from bindings_tui.errors import InputError, InvalidPageTokenError
from bindings_tui.fake_twilio import FAKE_BASE_URL, FakeConfig, FakeTwilio
from bindings_tui.fake_twilio.data import CROSS_SERVICE_DEVICES
from bindings_tui.find_identities import (
    ServiceResult,
    find_identities,
    parse_identity_text,
)
from bindings_tui.models import ApiFlavor
from bindings_tui.retry import RetryPolicy

LIAM = "liam.johnson@example.com"
OLIVIA = "olivia.chen@example.com"
FAST_RETRY = RetryPolicy(max_attempts=4, base_delay=0.0, max_delay=0.0, max_retry_after=0.0)


class CountingTransport(httpx.AsyncBaseTransport):
    """The fake's transport, counting requests in flight at once."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.now = 0
        self.peak = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.now += 1
        self.peak = max(self.peak, self.now)
        try:
            return await self.inner.handle_async_request(request)
        finally:
            self.now -= 1


@pytest.fixture
def fake() -> FakeTwilio:
    return FakeTwilio(FakeConfig(seed=7, bindings=300, latency_ms=5))


@pytest.fixture
async def clients(
    fake: FakeTwilio,
) -> AsyncIterator[tuple[Callable[[ApiFlavor], TwilioClient], CountingTransport]]:
    transport = CountingTransport(fake.transport())

    async def no_sleep(_seconds: float) -> None:
        return None

    made = {
        api: TwilioClient(
            fake.credentials(),
            api,
            base_url=FAKE_BASE_URL,
            transport=transport,
            retry=FAST_RETRY,
            sleep=no_sleep,
        )
        for api in ApiFlavor
    }
    yield made.__getitem__, transport
    for client in made.values():
        await client.aclose()


def expected(fake: FakeTwilio, identities: set[str]) -> list[tuple[str, str, str]]:
    """(api, service, binding) in the promised order: API, services as listed, SID order."""
    out = []
    for api in (ApiFlavor.CONVERSATIONS, ApiFlavor.CHAT):
        for service in fake.store.sorted_service_sids():
            out += [
                (api.value, service, b.sid)
                for b in fake.bindings(service)
                if b.identity in identities and b.binding_type in api.binding_types
            ]
    return out


async def test_finds_users_in_every_service_of_both_apis(
    fake: FakeTwilio, clients: tuple[Callable[[ApiFlavor], TwilioClient], CountingTransport]
) -> None:
    client_for, _ = clients
    heard: list[ServiceResult] = []
    report = await find_identities(client_for, [LIAM, OLIVIA, LIAM], on_result=heard.append)
    got = [(f.service.api.value, f.service.sid, f.binding.sid) for f in report.found]
    assert got == expected(fake, {LIAM, OLIVIA})
    assert report.identities == (LIAM, OLIVIA)
    assert report.ok and not report.failed
    # Both users live in two services, on both APIs.
    where = {(f.service.api, f.service.sid) for f in report.found if f.binding.identity == LIAM}
    assert len(where) == 4
    main, staging, empty = fake.service_sids()
    assert {sid for _, sid in where} == {main, staging}
    # Every service was searched once per API and heard of; names come along.
    assert len(report.results) == len(heard) == 6
    assert {(r.service.api, r.service.sid) for r in heard} == {
        (api, sid) for api in ApiFlavor for sid in (main, staging, empty)
    }
    names = {r.service.sid: r.service.friendly_name for r in report.results}
    assert names[staging] == "Acme Chat (staging)"
    assert [r.service.sid for r in report.with_bindings] == [
        s for s in fake.store.sorted_service_sids() if s != empty
    ] * 2
    staged = [f for f in report.found if f.service.sid == staging]
    assert len(staged) == 2 * len(CROSS_SERVICE_DEVICES)


async def test_one_api_only(
    fake: FakeTwilio, clients: tuple[Callable[[ApiFlavor], TwilioClient], CountingTransport]
) -> None:
    client_for, _ = clients
    report = await find_identities(client_for, [LIAM], [ApiFlavor.CHAT])
    assert report.apis == (ApiFlavor.CHAT,)
    assert {f.service.api for f in report.found} == {ApiFlavor.CHAT}
    assert [(f.service.api.value, f.service.sid, f.binding.sid) for f in report.found] == [
        e for e in expected(fake, {LIAM}) if e[0] == "chat"
    ]


@pytest.mark.parametrize("concurrency", [1, 2])
async def test_requests_in_flight_are_bounded(
    clients: tuple[Callable[[ApiFlavor], TwilioClient], CountingTransport], concurrency: int
) -> None:
    client_for, transport = clients
    report = await find_identities(client_for, [LIAM], concurrency=concurrency)
    assert len(report.results) == 6
    assert 1 <= transport.peak <= concurrency


async def test_429_is_retried_and_the_result_is_complete(
    fake: FakeTwilio, clients: tuple[Callable[[ApiFlavor], TwilioClient], CountingTransport]
) -> None:
    client_for, _ = clients
    fake.faults.script("429", path_contains="/Bindings", times=3)
    fake.faults.script("429-retry-after", path_contains="/v2/Services?")
    report = await find_identities(client_for, [LIAM, OLIVIA])
    assert report.ok
    assert [(f.service.api.value, f.service.sid, f.binding.sid) for f in report.found] == (
        expected(fake, {LIAM, OLIVIA})
    )
    assert fake.faults.pending == 0


async def test_a_failing_service_does_not_lose_the_rest(
    fake: FakeTwilio, clients: tuple[Callable[[ApiFlavor], TwilioClient], CountingTransport]
) -> None:
    client_for, _ = clients
    staging = fake.service_sids()[1]
    fake.faults.script("21481", path_contains=f"/v2/Services/{staging}/Bindings")
    report = await find_identities(client_for, [LIAM])
    assert not report.ok
    [failed] = report.failed
    assert (failed.service.api, failed.service.sid) == (ApiFlavor.CHAT, staging)
    assert isinstance(failed.error, InvalidPageTokenError)
    assert [(f.service.api.value, f.service.sid, f.binding.sid) for f in report.found] == [
        e for e in expected(fake, {LIAM}) if e[:2] != ("chat", staging)
    ]


async def test_an_api_whose_services_cannot_be_listed_is_one_failure(
    fake: FakeTwilio, clients: tuple[Callable[[ApiFlavor], TwilioClient], CountingTransport]
) -> None:
    client_for, _ = clients
    fake.faults.script("401", path_contains="/v1/Services?")
    report = await find_identities(client_for, [LIAM])
    assert [f.api for f in report.api_failures] == [ApiFlavor.CONVERSATIONS]
    assert report.auth_error() is not None
    assert {f.service.api for f in report.found} == {ApiFlavor.CHAT}


@pytest.mark.parametrize("bad", [[], [""], ["x\x00y"], ["a" * 2000], [f"u{i}" for i in range(101)]])
async def test_bad_identities_are_refused_before_any_request(
    fake: FakeTwilio,
    clients: tuple[Callable[[ApiFlavor], TwilioClient], CountingTransport],
    bad: list[str],
) -> None:
    client_for, transport = clients
    with pytest.raises(InputError):
        await find_identities(client_for, bad)
    assert transport.peak == 0


def test_the_find_box_takes_commas_and_blanks() -> None:
    assert parse_identity_text(" alice, bob  carol,,alice ") == ("alice", "bob", "carol")
    assert parse_identity_text("  ") == ()
    with pytest.raises(InputError):
        parse_identity_text("a" * 1025)


async def test_an_unexpected_error_is_raised_alone(fake: FakeTwilio) -> None:
    def broken(api: ApiFlavor) -> TwilioClient:
        raise ZeroDivisionError("boom")

    with pytest.raises(ZeroDivisionError):
        await asyncio.wait_for(find_identities(broken, [LIAM]), 30)
