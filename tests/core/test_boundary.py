"""The client's parse boundary: any bytes a server sends become models or one BindingsError.

Unit level (scripted transports); tests/hostile drives the same classes over real sockets.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import zlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from bindings_tui.bodies import read_body
from bindings_tui.errors import (
    BindingsError,
    NetworkError,
    RequestTimeout,
    ResponseFormatError,
)
from bindings_tui.retry import RetryPolicy, parse_retry_after

from .test_client import SERVICE, binding, make_client, page

LIMIT = 1024 * 1024
PATH = f"/v1/Services/{SERVICE}/Bindings"


async def chunks(data: bytes, size: int = 65536) -> AsyncIterator[bytes]:
    for i in range(0, len(data), size):
        yield data[i : i + size]


def bomb(size: int) -> bytes:
    return gzip.compress(b"\0" * size, compresslevel=9)


# ---- bodies -----------------------------------------------------------------------


async def test_gzip_is_inflated() -> None:
    body = json.dumps({"a": 1}).encode()
    assert await read_body(chunks(gzip.compress(body)), "gzip", LIMIT, "GET /x") == body


@pytest.mark.parametrize("wrapper", [zlib.compress, lambda b: zlib.compress(b)[2:-4]])
async def test_deflate_with_and_without_zlib_wrapper(wrapper: Any) -> None:
    body = b'{"deflated": true}'
    assert await read_body(chunks(wrapper(body)), "deflate", LIMIT, "GET /x") == body


async def test_gzip_bomb_is_refused_at_the_cap_while_streaming() -> None:
    data = bomb(64 * LIMIT)  # 64 MiB of zeros, ~64 KB compressed
    with pytest.raises(ResponseFormatError, match="once decompressed"):
        await read_body(chunks(data, 1 << 20), "gzip", LIMIT, "GET /x")


@pytest.mark.parametrize(
    "encoding", ["gzip, gzip", "gzip,deflate", "deflate, gzip", " GZIP , x-gzip"]
)
async def test_stacked_encodings_are_refused_before_any_inflating(encoding: str) -> None:
    with pytest.raises(ResponseFormatError, match="stacked"):
        await read_body(chunks(gzip.compress(gzip.compress(b"{}"))), encoding, LIMIT, "GET /x")


@pytest.mark.parametrize("encoding", ["br", "zstd", "x-evil", "compress", "gzip;q=1"])
async def test_unknown_encodings_are_refused(encoding: str) -> None:
    with pytest.raises(ResponseFormatError, match="unsupported content encoding"):
        await read_body(chunks(b"{}"), encoding, LIMIT, "GET /x")


@pytest.mark.parametrize("encoding", [None, "", "identity", "identity, identity"])
async def test_identity_passes_through(encoding: str | None) -> None:
    assert await read_body(chunks(b"{}"), encoding, LIMIT, "GET /x") == b"{}"


async def test_corrupt_and_truncated_gzip() -> None:
    with pytest.raises(ResponseFormatError, match="corrupt"):
        await read_body(chunks(b"\x1f\x8bnot gzip at all"), "gzip", LIMIT, "GET /x")
    with pytest.raises(NetworkError, match="ended early"):
        await read_body(chunks(gzip.compress(b"x" * 1000)[:20]), "gzip", LIMIT, "GET /x")


async def test_wire_size_is_capped_without_encoding() -> None:
    with pytest.raises(ResponseFormatError, match="larger than"):
        await read_body(chunks(b" " * (LIMIT + 1)), None, LIMIT, "GET /x")


# ---- the client -------------------------------------------------------------------


def paged(next_url: str | None, records: list[dict[str, Any]] | None = None) -> httpx.Response:
    return httpx.Response(200, json=page(records or [binding(1)], next_url))


@pytest.mark.parametrize(
    "next_url",
    [
        f"https://x/v1/Services/IS{'c' * 32}/Bindings?PageToken=PT1",  # another service
        "https://x/v1/Services?PageSize=50",  # another resource
        "https://x/v1/Credentials?PageSize=50",
        f"https://x{PATH}/../../../Credentials?Page=1",
        f"https://x{PATH}/%2e%2e/%2e%2e?Page=1",
        f"https://x/v1/Services/{SERVICE}/Bindings/?Page=1",  # trailing slash: another path
        f"https://x//v1/Services/{SERVICE}/Bindings?Page=1",
        f"https://x{PATH}?Page=1\x00&x=1",
        f"https://x{PATH}?Page=1\x1b]52;c;cm0=\x07",
        f"https://x{PATH}?PageToken=" + "A" * 70_000,
        f"https://x{PATH}?Page=1&Identity=caf\u00e9",
    ],
)
async def test_next_page_url_off_the_list_is_refused_after_the_first_page(next_url: str) -> None:
    client, seen = make_client(lambda r: paged(next_url))
    got: list[str] = []
    async with client:
        with pytest.raises(ResponseFormatError, match="next_page_url") as info:
            async for p in client.iter_binding_pages(SERVICE):
                got += [b.sid for b in p.items]
    assert len(got) == 1  # the first page was delivered before the refusal
    assert len(seen) == 1  # and nothing was asked of the other path
    message = info.value.user_message()
    assert message.isprintable() and "\x1b" not in message and len(message) < 400


async def test_next_page_url_on_the_same_path_is_followed_on_the_configured_host() -> None:
    answers = iter([paged(f"https://evil.example:8443{PATH}?PageToken=PT2"), paged(None)])
    client, seen = make_client(lambda r: next(answers))
    async with client:
        items = await client.list_bindings(SERVICE)
    assert len(items) == 2
    assert [r.url.host for r in seen] == ["conversations.example.test"] * 2
    assert seen[1].url.params["PageToken"] == "PT2"


async def test_a_page_with_too_many_records_is_refused() -> None:
    records = [{"sid": f"BS{i:032x}"} for i in range(1001)]
    client, _ = make_client(lambda r: paged(None, records))
    async with client:
        with pytest.raises(ResponseFormatError, match="1001 records"):
            await client.list_bindings(SERVICE)


@pytest.mark.parametrize("where", ["page", "error"])
async def test_deeply_nested_json_is_one_error(where: str) -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    body = b'{"bindings": ' + deep + b', "meta": {"key": "bindings"}}'
    status = 200 if where == "page" else 400
    client, _ = make_client(lambda r: httpx.Response(status, content=body))
    async with client:
        with pytest.raises(BindingsError) as info:
            await client.list_bindings(SERVICE)
    assert info.value.user_message().count("\n") == 0


@pytest.mark.parametrize(
    "value",
    [
        "Fri, 31 Dec 9999 23:59:59 GMT",
        "Fri, 31 Dec 9999 23:59:59 -1200",
        "Mon, 01 Jan 0001 00:00:00 +1400",
        "1e308",
        "1e400",
        "inf",
        "-inf",
        "nan",
        "-5",
        "99999999999999999999",
        "Fri, 99 Foo 2020",
        "x" * 10_000,
        "\x00",
    ],
    ids=lambda v: repr(v[:30]),
)
async def test_absurd_retry_after_never_raises_and_sleeps_are_capped(value: str) -> None:
    parse_retry_after(value)  # never raises
    sleeps: list[float] = []

    async def record(seconds: float) -> None:
        sleeps.append(seconds)

    answers = iter([httpx.Response(429, headers={"Retry-After": value}), paged(None)])
    client, _ = make_client(lambda r: next(answers), sleep=record)
    async with client:
        assert len(await client.list_bindings(SERVICE)) == 1
    assert len(sleeps) == 1 and 0 <= sleeps[0] <= RetryPolicy().max_retry_after


async def test_each_attempt_has_a_total_deadline() -> None:
    """The read timeout bounds the gap between bytes; the deadline bounds the attempt."""

    class Drip(httpx.AsyncByteStream):
        async def __aiter__(self) -> AsyncIterator[bytes]:
            for _ in range(10_000):  # bounded: ~100 s at most if the deadline failed
                await asyncio.sleep(0.01)
                yield b" "

    client, seen = make_client(
        lambda r: httpx.Response(200, stream=Drip()), retry=RetryPolicy(max_attempts=2)
    )
    client.attempt_deadline = 0.2
    async with client:
        with pytest.raises(RequestTimeout, match="no complete answer"):
            await client.list_bindings(SERVICE)
    assert len(seen) == 2


async def test_pagination_memory_is_a_digest_per_page() -> None:
    """Loop detection keeps 16 bytes per page, not the (server-chosen) URL."""
    n = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal n
        n += 1
        token = f"{n:06d}" + "T" * 7000
        return paged(f"https://x{PATH}?PageToken={token}" if n < 50 else None)

    client, seen = make_client(handler)
    async with client:
        assert len(await client.list_bindings(SERVICE)) == 50
    assert len(seen) == 50
