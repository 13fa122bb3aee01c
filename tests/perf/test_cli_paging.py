"""The CLI's listing at full speed (issue 16): page size 1000 with its fallback, one stream
per binding type in a deterministic order, and output that streams. The real CLI (a
subprocess) against the fake over a real loopback socket; no timing asserts."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import AsyncIterator

import pytest
from cli_process import Result, run_cli

from bindings_tui.fake_twilio import (
    DEMO_ACCOUNT_SID,
    DEMO_AUTH_TOKEN,
    FakeConfig,
    FakeTwilio,
    serve_in_background,
)
from bindings_tui.models import ApiFlavor

BINDINGS = 2600  # apn (the biggest type) spans more than one page of 1000
HANG_GUARD_S = 60


@pytest.fixture
async def served() -> AsyncIterator[tuple[FakeTwilio, str]]:
    async with serve_in_background(FakeConfig(seed=11, bindings=BINDINGS, latency_ms=0)) as pair:
        yield pair


@pytest.fixture
async def strict() -> AsyncIterator[tuple[FakeTwilio, str]]:
    config = FakeConfig(seed=11, bindings=BINDINGS, latency_ms=0, strict_page_size=True)
    async with serve_in_background(config) as pair:
        yield pair


def _service(fake: FakeTwilio) -> str:
    return fake.service_sids()[0]


def _page_sizes(fake: FakeTwilio) -> list[str]:
    """PageSize of every Bindings request the fake saw (first pages and followed ones)."""
    return [
        value
        for request in fake.requests
        if request.path.endswith("/Bindings")
        for key, value in request.query
        if key == "PageSize"
    ]


def _records(result: Result) -> list[dict[str, object]]:
    return [json.loads(line) for line in result.out.splitlines() if line.strip()]


# ---- page size --------------------------------------------------------------------------


async def test_default_asks_for_1000_and_follows_the_servers_pages(
    served: tuple[FakeTwilio, str],
) -> None:
    fake, url = served
    result = await run_cli(url, "list", "--service", _service(fake), "-o", "jsonl")
    assert result.code == 0, result.err
    assert {r["sid"] for r in _records(result)} == fake.binding_sids(
        ApiFlavor.CONVERSATIONS, _service(fake)
    )
    sizes = _page_sizes(fake)
    assert sizes and set(sizes) == {"1000"}
    # apn spans two pages of 1000: the next_page_url was followed.
    assert any(k == "PageToken" for r in fake.requests for k, _ in r.query)


async def test_a_strict_server_gets_the_spec_maximum_after_one_refusal(
    strict: tuple[FakeTwilio, str],
) -> None:
    fake, url = strict
    service = _service(fake)
    result = await run_cli(url, "-v", "list", "--service", service, "-o", "jsonl")
    assert result.code == 0, result.err
    assert {r["sid"] for r in _records(result)} == fake.binding_sids(
        ApiFlavor.CONVERSATIONS, service
    )
    refused = [r for r in fake.requests if ("PageSize", "1000") in r.query]
    assert refused and all(r.path.endswith("/Bindings") for r in refused)
    # Each type stream was refused at most once; everything after asked for 100.
    assert len(refused) <= len(ApiFlavor.CONVERSATIONS.binding_types)
    assert set(_page_sizes(fake)) == {"1000", "100"}
    said = [line for line in result.err.splitlines() if "refused PageSize=1000" in line]
    assert len(said) == 1 and "using 100" in said[0]


async def test_the_fallback_is_said_only_with_verbose(strict: tuple[FakeTwilio, str]) -> None:
    fake, url = strict
    result = await run_cli(url, "list", "--service", _service(fake), "-o", "jsonl")
    assert result.code == 0 and result.err == ""


async def test_chat_falls_back_to_50_on_a_strict_server(strict: tuple[FakeTwilio, str]) -> None:
    fake, url = strict
    service = _service(fake)
    result = await run_cli(url, "--api", "chat", "list", "--service", service, "-o", "jsonl")
    assert result.code == 0, result.err
    assert {r["sid"] for r in _records(result)} == fake.binding_sids(ApiFlavor.CHAT, service)
    assert set(_page_sizes(fake)) == {"1000", "50"}


async def test_an_explicit_page_size_is_honoured(served: tuple[FakeTwilio, str]) -> None:
    fake, url = served
    result = await run_cli(
        url, "list", "--service", _service(fake), "--page-size", "250", "-o", "jsonl"
    )
    assert result.code == 0, result.err
    assert set(_page_sizes(fake)) == {"250"}
    assert len(_records(result)) == BINDINGS


async def test_an_explicit_page_size_a_strict_server_refuses_is_one_error_line(
    strict: tuple[FakeTwilio, str],
) -> None:
    fake, url = strict
    result = await run_cli(
        url, "list", "--service", _service(fake), "--page-size", "500", "-o", "jsonl"
    )
    assert result.code == 1
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and "PageSize" in lines[0] and "20001" in lines[0]
    assert set(_page_sizes(fake)) == {"500"}  # no silent fallback


# ---- order -------------------------------------------------------------------------------


async def test_output_order_is_grouped_by_type_and_the_same_every_run(
    served: tuple[FakeTwilio, str],
) -> None:
    fake, url = served
    service = _service(fake)
    first = await run_cli(url, "list", "--service", service, "-o", "jsonl")
    second = await run_cli(url, "list", "--service", service, "-o", "jsonl")
    single = await run_cli(url, "list", "--service", service, "--server-order", "-o", "jsonl")
    assert first.code == second.code == single.code == 0
    assert first.out == second.out
    grouped, plain = _records(first), _records(single)
    assert sorted(r["sid"] for r in grouped) == sorted(r["sid"] for r in plain)  # type: ignore[type-var]
    # Grouped by type in the API's enum order, the server's order within each type.
    types = ApiFlavor.CONVERSATIONS.binding_types
    expected = [r for t in types for r in plain if r["binding_type"] == t]
    assert grouped == expected
    assert len({r["binding_type"] for r in grouped}) > 1


async def test_type_filters_keep_their_given_order(served: tuple[FakeTwilio, str]) -> None:
    fake, url = served
    service = _service(fake)
    result = await run_cli(
        url, "list", "--service", service, "--type", "fcm", "--type", "apn", "-o", "jsonl"
    )
    assert result.code == 0, result.err
    kinds = [r["binding_type"] for r in _records(result)]
    assert kinds == sorted(kinds, key=["fcm", "apn"].index) and set(kinds) == {"fcm", "apn"}


async def test_limit_is_the_first_n_in_server_order(served: tuple[FakeTwilio, str]) -> None:
    fake, url = served
    service = _service(fake)
    limited = await run_cli(url, "list", "--service", service, "--limit", "1500", "-o", "jsonl")
    single = await run_cli(url, "list", "--service", service, "--server-order", "-o", "jsonl")
    assert limited.code == single.code == 0
    assert _records(limited) == _records(single)[:1500]


async def test_json_is_one_array_of_the_same_records(served: tuple[FakeTwilio, str]) -> None:
    fake, url = served
    service = _service(fake)
    as_json = await run_cli(url, "list", "--service", service, "-o", "json")
    as_jsonl = await run_cli(url, "list", "--service", service, "-o", "jsonl")
    assert as_json.code == as_jsonl.code == 0
    assert json.loads(as_json.out) == _records(as_jsonl)


# ---- streaming ----------------------------------------------------------------------------


async def test_jsonl_is_written_while_the_list_is_still_loading(
    served: tuple[FakeTwilio, str],
) -> None:
    """Every page after the first is held by the fake; the first records still come out."""
    fake, url = served
    fake.faults.script("slow", path_contains="PageToken=", times=1000, seconds=20)
    env = {
        **os.environ,
        "TWILIO_ACCOUNT_SID": DEMO_ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": DEMO_AUTH_TOKEN,
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bindings_tui", "--base-url", url, "--retries", "0",
        "list", "--service", _service(fake), "-o", "jsonl",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
        stdin=asyncio.subprocess.DEVNULL, env=env,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        line = await asyncio.wait_for(proc.stdout.readline(), HANG_GUARD_S)
        assert json.loads(line)["binding_type"] == "apn"
        # The apn stream's second page is still held: the process has not finished.
        assert proc.returncode is None
    finally:
        if proc.returncode is None:
            proc.kill()
        # Not `wait()`: with the unread output past the pipe's limit, reading is paused and
        # the pipe's end is never seen, so `wait()` would never return. Drain it instead.
        await asyncio.wait_for(proc.communicate(), HANG_GUARD_S)
