"""The next page is asked for before this one is handed on, and a list's first page goes
out in two, its first rows first (`TwilioClient._iter_pages`).

One request at most is ahead; a list closed early cancels it, quietly; everything a page
used to raise after it was handed on (a next_page_url refused, a loop, the page bound) is
still raised after it, with the page's records delivered first.
"""

from __future__ import annotations

import asyncio
import logging

import httpx
import pytest

from bindings_tui.browse.loading import list_pages
from bindings_tui.client import TwilioClient
from bindings_tui.errors import PaginationLoopError, ResponseFormatError
from bindings_tui.responses import PARSE_SLICE
from tests.core.test_client import BASE, CREDS, SERVICE, Handler, binding, make_client, page


def _next(n: int) -> str:
    return f"{BASE}/v1/Services/{SERVICE}/Bindings?PageSize=1&Page={n}&PageToken=T{n}"


def _chain(total: int) -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        n = int(request.url.params.get("Page", "0"))
        nxt = _next(n + 1) if n + 1 < total else None
        return httpx.Response(200, json=page([binding(n)], nxt))

    return handler


async def test_the_next_request_is_sent_before_the_page_is_handed_on() -> None:
    client, seen = make_client(_chain(3))
    async with client:
        pages = client.iter_binding_pages(SERVICE)
        first = await anext(pages)
        await asyncio.sleep(0)  # the request ahead runs in its own task
        assert [b.sid for b in first.items] == [binding(0)["sid"]]
        asked = [r.url.params.get("Page", "0") for r in seen]
        assert asked == ["0", "1"]  # page 1 is in flight (here: done) before we ask for it
        rest = [p async for p in pages]
    assert [p.items[0].identity for p in rest] == ["user1", "user2"]
    assert [r.url.params.get("Page", "0") for r in seen] == ["0", "1", "2"]  # no extra


async def test_at_most_one_request_is_ahead() -> None:
    client, seen = make_client(_chain(50))
    async with client:
        pages = client.iter_binding_pages(SERVICE)
        await anext(pages)
        for _ in range(20):
            await asyncio.sleep(0)
        assert len(seen) == 2


async def test_closing_early_cancels_the_request_ahead_quietly(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The request ahead is waiting for its answer when the list is closed."""
    release = asyncio.Event()
    started: list[str] = []

    async def slow(request: httpx.Request) -> httpx.Response:
        started.append(request.url.params.get("Page", "0"))
        if request.url.params.get("Page"):
            await release.wait()  # never set: only a cancel ends it
        return httpx.Response(200, json=page([binding(0)], _next(1)))

    client = TwilioClient(CREDS, base_url=BASE, transport=httpx.MockTransport(slow))
    with caplog.at_level(logging.DEBUG):
        async with client:
            pages = client.iter_binding_pages(SERVICE)
            await anext(pages)
            await asyncio.sleep(0)
            assert started == ["0", "1"]
            await pages.aclose()
    assert not [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    assert "never retrieved" not in caplog.text


async def test_a_request_ahead_that_failed_is_not_reported_once_closed(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.params.get("Page"):
            return httpx.Response(401, json={"code": 20003, "message": "Authenticate"})
        return httpx.Response(200, json=page([binding(0)], _next(1)))

    client, seen = make_client(handler)
    async with client:
        pages = client.iter_binding_pages(SERVICE)
        await anext(pages)
        for _ in range(5):
            await asyncio.sleep(0)
        await pages.aclose()
    assert len(seen) == 2
    assert "never retrieved" not in caplog.text


async def test_an_error_ahead_is_raised_after_the_page_before_it() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.params.get("Page"):
            return httpx.Response(200, content=b"not json at all")
        return httpx.Response(200, json=page([binding(0)], _next(1)))

    client, _ = make_client(handler)
    got: list[str] = []
    async with client:
        with pytest.raises(ResponseFormatError, match="not valid JSON"):
            async for p in client.iter_binding_pages(SERVICE):
                got.extend(b.sid for b in p.items)
    assert got == [binding(0)["sid"]]


@pytest.mark.parametrize(
    ("next_url", "error", "match"),
    [
        (f"{BASE}/v1/Services/{SERVICE}/Users?PageToken=X", ResponseFormatError, "leaves"),
        ("http://[::1/v1/x", ResponseFormatError, "not one"),
        ("/" + "x" * 9000, ResponseFormatError, "characters long"),
        (f"{BASE}/v1/Services/{SERVICE}/Bindings\x1b[2J", ResponseFormatError, "cannot"),
    ],
    ids=["other-list", "not-a-url", "too-long", "escape"],
)
async def test_a_refused_next_page_url_sends_nothing_and_comes_after_the_page(
    next_url: str, error: type[Exception], match: str
) -> None:
    client, seen = make_client(lambda r: httpx.Response(200, json=page([binding(7)], next_url)))
    got: list[str] = []
    async with client:
        with pytest.raises(error, match=match) as raised:
            async for p in client.iter_binding_pages(SERVICE):
                got.extend(b.sid for b in p.items)
    assert got == [binding(7)["sid"]]
    assert len(seen) == 1
    assert "\x1b" not in str(raised.value)


async def test_the_page_bound_sends_no_request_past_it() -> None:
    client, seen = make_client(_chain(100), max_pages=5)
    got = 0
    async with client:
        with pytest.raises(PaginationLoopError, match="5 pages"):
            async for p in client.iter_binding_pages(SERVICE):
                got += len(p.items)
    assert got == 5 and len(seen) == 5


def _big_chain(total: int, per_page: int) -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        n = int(request.url.params.get("Page", "0"))
        nxt = _next(n + 1) if n + 1 < total else None
        records = [binding(n * per_page + i) for i in range(per_page)]
        return httpx.Response(200, json=page(records, nxt))

    return handler


async def test_a_lists_first_page_comes_as_a_head_then_its_rest() -> None:
    """The first rows go out before the rest of a big first page is parsed; later pages
    come whole, and every record comes once, in the server's order."""
    per_page = PARSE_SLICE * 3 + 7
    client, _ = make_client(_big_chain(3, per_page))
    async with client:
        pages = [p async for p in client.iter_binding_pages(SERVICE)]
    assert [(len(p.items), p.head, p.rest) for p in pages] == [
        (PARSE_SLICE, True, False),
        (per_page - PARSE_SLICE, False, True),
        (per_page, False, False),
        (per_page, False, False),
    ]
    assert pages[0].next_page_url == pages[1].next_page_url == _next(1)
    sids = [b.sid for p in pages for b in p.items]
    assert sids == [binding(n)["sid"] for n in range(3 * per_page)]


async def test_a_small_first_page_is_not_split() -> None:
    client, _ = make_client(_big_chain(2, PARSE_SLICE))
    async with client:
        pages = [p async for p in client.iter_binding_pages(SERVICE)]
    assert [(len(p.items), p.head, p.rest) for p in pages] == [
        (PARSE_SLICE, False, False),
        (PARSE_SLICE, False, False),
    ]


async def test_the_tui_counts_a_head_and_its_rest_as_one_page() -> None:
    per_page = PARSE_SLICE + 1
    client, _ = make_client(_big_chain(2, per_page))
    seen: list[tuple[int, int, bool]] = []
    async with client:
        await list_pages(
            client,
            SERVICE,
            (),
            page_size=None,
            split_by_type=False,
            on_pages=lambda items, pages, done: seen.append((len(items), pages, done)),
            on_failed=lambda error, pages: pytest.fail(str(error)),
            as_error=lambda exc, what: exc,  # type: ignore[arg-type,return-value]
        )
    assert seen == [(PARSE_SLICE, 1, False), (1, 1, False), (per_page, 2, False), (0, 2, True)]
