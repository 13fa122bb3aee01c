"""stream_bindings: one stream per binding type, merged; exact union, clean cancellation."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import aclosing
from urllib.parse import parse_qsl, urlencode

import httpx
import pytest

from bindings_tui.client import TwilioClient
from bindings_tui.errors import ApiError, InputError
from bindings_tui.fake_twilio import FAKE_BASE_URL, FakeConfig, FakeTwilio
from bindings_tui.models import ApiFlavor, Binding, Page
from bindings_tui.retry import RetryPolicy
from bindings_tui.streams import FirstStreams, merge_streams, split_types, stream_bindings

SEED = 11
BINDINGS = 700
PAGE_SIZE = 37  # many pages per stream, and a last page that is not full


@pytest.fixture(scope="module")
def fake() -> FakeTwilio:
    return FakeTwilio(FakeConfig(seed=SEED, bindings=BINDINGS))


def make_client(
    fake: FakeTwilio,
    api: ApiFlavor = ApiFlavor.CONVERSATIONS,
    transport: httpx.AsyncBaseTransport | None = None,
) -> TwilioClient:
    return TwilioClient(
        fake.credentials(),
        api,
        base_url=FAKE_BASE_URL,
        transport=transport or fake.transport(),
        retry=RetryPolicy(max_attempts=1),
    )


def stream_tasks() -> list[asyncio.Task[object]]:
    return [
        t
        for t in asyncio.all_tasks()
        if t.get_name().startswith("bindings-stream-") and not t.done()
    ]


async def collect(pages: AsyncIterator[Page[Binding]]) -> list[Binding]:
    return [b async for page in pages for b in page.items]


class Rewriting(httpx.AsyncBaseTransport):
    """Wraps the fake's transport: may rewrite or replace each request's answer."""

    def __init__(
        self,
        inner: httpx.AsyncBaseTransport,
        hook: Callable[[httpx.Request, int], httpx.Response | httpx.Request | None],
    ) -> None:
        self.inner = inner
        self.hook = hook
        self.count = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.count += 1
        outcome = self.hook(request, self.count)
        if isinstance(outcome, httpx.Response):
            return outcome
        return await self.inner.handle_async_request(outcome or request)


@pytest.mark.parametrize("api", list(ApiFlavor))
async def test_split_stream_is_exactly_the_whole_list(fake: FakeTwilio, api: ApiFlavor) -> None:
    service = fake.service_sids()[0]
    expected = fake.binding_sids(api, service)
    assert len(expected) > 500
    async with make_client(fake, api) as client:
        split = await collect(
            stream_bindings(client, service, page_size=PAGE_SIZE, split_by_type=True)
        )
        plain = await collect(
            stream_bindings(client, service, page_size=PAGE_SIZE, split_by_type=False)
        )
    split_sids = [b.sid for b in split]
    assert len(split_sids) == len(set(split_sids)), "duplicates in the merged stream"
    assert set(split_sids) == expected
    assert sorted(split_sids) == sorted(b.sid for b in plain)
    assert {b.binding_type for b in split} == set(api.binding_types)


async def test_default_uses_the_split(fake: FakeTwilio) -> None:
    async with make_client(fake) as client:
        assert split_types(client, (), None) == client.api.binding_types
        assert split_types(client, (), False) == ()
        assert split_types(client, ["fcm"], True) == ()  # one type: one plain stream
        assert split_types(client, ["APN", "fcm"], True) == ("apn", "fcm")
        with pytest.raises(InputError):
            split_types(client, ["voip"], True)


async def test_several_types_are_split_and_filtered(fake: FakeTwilio) -> None:
    service = fake.service_sids()[0]
    expected = {b.sid for b in fake.bindings(service) if b.binding_type in ("apn", "gcm")}
    async with make_client(fake) as client:
        got = await collect(
            stream_bindings(client, service, binding_types=["apn", "gcm"], page_size=PAGE_SIZE)
        )
    assert sorted(b.sid for b in got) == sorted(expected)


async def test_identity_filter_with_split(fake: FakeTwilio) -> None:
    service = fake.service_sids()[0]
    records = fake.bindings(service)
    identities = sorted({b.identity for b in records})[:5]
    expected = {b.sid for b in records if b.identity in identities}
    async with make_client(fake) as client:
        got = await collect(
            stream_bindings(client, service, identities=identities, page_size=PAGE_SIZE)
        )
    assert sorted(b.sid for b in got) == sorted(expected)


async def test_closing_mid_stream_cancels_every_stream(fake: FakeTwilio) -> None:
    service = fake.service_sids()[0]
    async with make_client(fake) as client:
        pages = stream_bindings(client, service, page_size=PAGE_SIZE)
        first = await anext(pages)
        assert first.items
        assert stream_tasks(), "the per-type streams should be running"
        await pages.aclose()
        assert stream_tasks() == []


async def test_cancelling_a_consumer_that_closes_the_stream(fake: FakeTwilio) -> None:
    """Cancelled in its own code, between pages: `aclosing` closes the generator."""
    service = fake.service_sids()[0]
    first_page = asyncio.Event()

    async def consume(client: TwilioClient) -> None:
        async with aclosing(stream_bindings(client, service, page_size=PAGE_SIZE)) as pages:
            async for _ in pages:
                first_page.set()
                await asyncio.sleep(10)  # a consumer stuck mid-stream

    async with make_client(fake) as client:
        consumer = asyncio.create_task(consume(client))
        await asyncio.wait_for(first_page.wait(), 5)
        consumer.cancel()
        with pytest.raises(asyncio.CancelledError):
            await consumer
        assert stream_tasks() == []


async def test_cancelling_a_consumer_waiting_for_the_next_page() -> None:
    """Cancelled while waiting inside the generator: its own clean-up runs."""
    slow = FakeTwilio(FakeConfig(seed=SEED, bindings=BINDINGS, latency_ms=20))
    service = slow.service_sids()[0]
    pages_seen = 0

    async def consume(client: TwilioClient) -> None:
        nonlocal pages_seen
        async for _ in stream_bindings(client, service, page_size=PAGE_SIZE):
            pages_seen += 1

    async with make_client(slow) as client:
        consumer = asyncio.create_task(consume(client))
        while pages_seen < 2:
            await asyncio.sleep(0.005)
        consumer.cancel()
        with pytest.raises(asyncio.CancelledError):
            await consumer
        assert stream_tasks() == []


async def test_an_error_in_one_stream_surfaces_and_stops_the_others(fake: FakeTwilio) -> None:
    service = fake.service_sids()[0]
    failed_at: list[int] = []

    def hook(request: httpx.Request, count: int) -> httpx.Response | None:
        params = dict(parse_qsl(request.url.query.decode()))
        if params.get("BindingType") == "fcm" and "PageToken" in params:
            failed_at.append(count)
            body = {"code": 20001, "message": "boom", "more_info": "", "status": 400}
            return httpx.Response(400, json=body)
        return None

    transport = Rewriting(fake.transport(), hook)
    seen: list[Binding] = []
    async with make_client(fake, transport=transport) as client:
        with pytest.raises(ApiError) as caught:
            async for page in stream_bindings(client, service, page_size=PAGE_SIZE):
                seen.extend(page.items)
        assert caught.value.status == 400
        assert stream_tasks() == []
        requests_then = transport.count
        await asyncio.sleep(0.05)
        assert transport.count == requests_then, "a sibling stream kept requesting"
    assert failed_at
    assert len(seen) < len(fake.binding_sids(ApiFlavor.CONVERSATIONS, service))


async def test_a_server_ignoring_the_type_filter_still_gives_the_exact_list(
    fake: FakeTwilio,
) -> None:
    service = fake.service_sids()[0]

    def drop_type_filter(request: httpx.Request, count: int) -> httpx.Request:
        params = [(k, v) for k, v in parse_qsl(request.url.query.decode()) if k != "BindingType"]
        url = request.url.copy_with(query=urlencode(params).encode())
        return httpx.Request(request.method, url, headers=request.headers)

    transport = Rewriting(fake.transport(), drop_type_filter)
    async with make_client(fake, transport=transport) as client:
        got = await collect(stream_bindings(client, service, page_size=PAGE_SIZE))
    sids = [b.sid for b in got]
    assert len(sids) == len(set(sids))
    assert set(sids) == {b.sid for b in fake.bindings(service)}


async def test_merge_streams_interleaves_in_arrival_order() -> None:
    async def ticks(name: str, delay: float, count: int) -> AsyncIterator[str]:
        for i in range(count):
            await asyncio.sleep(delay)
            yield f"{name}{i}"

    got = [item async for _, item in merge_streams([ticks("s", 0.03, 2), ticks("f", 0.001, 3)])]
    assert got[:3] == ["f0", "f1", "f2"]
    assert sorted(got[3:]) == ["s0", "s1"]


def test_first_streams_keeps_the_first_stream_of_each_sid() -> None:
    owner = FirstStreams()
    sids = [f"BS{n:032x}" for n in range(5000)]
    assert [owner.claim(sid, 1) for sid in sids] == [1] * len(sids)
    # Seen again on another stream, or again on its own: the first stream answers.
    assert {owner.claim(sid, 2) for sid in sids} == {1}
    assert owner.claim(sids[0], 1) == 1
    assert owner.claim("BSnew", 3) == 3
    # Whatever a hostile server sends as a SID is a key like any other.
    assert owner.claim("", 0) == 0 and owner.claim("\x1b[2J", 2) == 2
    assert len(owner) == len(sids) + 3
