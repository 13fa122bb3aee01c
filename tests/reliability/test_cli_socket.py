"""The real CLI (a subprocess) against the fake Twilio over a real loopback socket.

Covers issue 2's "exactly the fake's bindings across many pages" and issue 5's faults,
hostile servers and delete-under-fault scenarios. No timing asserts: the subprocess
timeout is only a hang guard.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from cli_process import run_cli

from bindings_tui.fake_twilio import (
    FakeConfig,
    FakeTwilio,
    serve_in_background,
)
from bindings_tui.models import ApiFlavor


@pytest.fixture
async def served() -> AsyncIterator[tuple[FakeTwilio, str]]:
    async with serve_in_background(FakeConfig(seed=11, bindings=1200)) as pair:
        yield pair


def main_service(fake: FakeTwilio) -> str:
    return fake.service_sids()[0]


@pytest.mark.parametrize("api", [ApiFlavor.CONVERSATIONS, ApiFlavor.CHAT])
async def test_list_returns_exactly_the_fakes_bindings(
    served: tuple[FakeTwilio, str], api: ApiFlavor
) -> None:
    fake, url = served
    service = main_service(fake)
    result = await run_cli(
        url, "--api", api.value, "list", "--service", service, "--page-size", "37", "-o", "jsonl"
    )
    assert result.code == 0, result.err
    sids = result.sids()
    assert len(sids) == len(set(sids)), "duplicates"
    assert set(sids) == fake.binding_sids(api, service)
    assert len(sids) > 37 * 10  # really many pages


async def test_list_json_array_and_filters_match_a_local_filter(
    served: tuple[FakeTwilio, str],
) -> None:
    fake, url = served
    service = main_service(fake)
    full = await run_cli(url, "list", "--service", service, "-o", "json")
    records: list[dict[str, Any]] = json.loads(full.out)
    identities = sorted({r["identity"] for r in records if r["identity"]})[:3]
    expected = {
        r["sid"]
        for r in records
        if r["binding_type"] in ("apn", "fcm") and r["identity"] in identities
    }
    args = [
        "list",
        "--service",
        service,
        "-o",
        "jsonl",
        "--type",
        "apn",
        "--type",
        "fcm",
        "--page-size",
        "2",
    ]
    for identity in identities:
        args += ["--identity", identity]
    filtered = await run_cli(url, *args)
    assert filtered.code == 0, filtered.err
    assert set(filtered.sids()) == expected and len(filtered.sids()) == len(expected)
    by_type = await run_cli(url, "list", "--service", service, "--type", "twilsock", "-o", "jsonl")
    assert set(by_type.sids()) == {r["sid"] for r in records if r["binding_type"] == "twilsock"}


async def test_transient_faults_still_give_exactly_the_set() -> None:
    faults = "429:0.08,429-retry-after:0.03,500:0.05,502:0.03,503:0.05,drop:0.04,truncate:0.04"
    async with serve_in_background(FakeConfig(seed=3, bindings=900, faults=faults)) as (fake, url):
        service = main_service(fake)
        result = await run_cli(
            url, "list", "--service", service, "--page-size", "40", "-o", "jsonl", "--retries", "8"
        )
        assert result.code == 0, result.err
        sids = result.sids()
        assert len(sids) == len(set(sids))
        assert set(sids) == fake.binding_sids(ApiFlavor.CONVERSATIONS, service)
        list_requests = [r for r in fake.requests if r.path.endswith("/Bindings")]
        pages = -(-len(sids) // 40)
        # Retries happened: more list requests than pages, so faults were really injected.
        assert len(list_requests) > pages + 3, "the fault spec injected nothing"


async def test_a_response_slower_than_the_timeout_is_retried(
    served: tuple[FakeTwilio, str],
) -> None:
    fake, url = served
    service = main_service(fake)
    fake.faults.script("slow", path_contains="/Bindings", times=1, seconds=5)
    result = await run_cli(url, "--timeout", "1", "list", "--service", service, "-o", "jsonl")
    assert result.code == 0, result.err
    assert set(result.sids()) == fake.binding_sids(ApiFlavor.CONVERSATIONS, service)


@pytest.mark.parametrize(
    ("kind", "needle"),
    [
        ("401", "20003"),
        ("21481", "21481"),
        ("503", "HTTP 503"),
        ("html-error", "non-JSON body"),
        ("empty-body", "not valid JSON"),
        ("missing-meta-key", "meta.key"),
        ("next-page-same", "same next_page_url"),
    ],
)
async def test_fatal_faults_mid_listing_keep_what_was_loaded(
    served: tuple[FakeTwilio, str], kind: str, needle: str
) -> None:
    """The first page arrives, then page 2 fails for good: clear message, code 1, page 1 kept.

    One stream (`--server-order`): with one stream per type, which type's page 2 fails
    first, and so how much of the grouped output was written, depends on timing."""
    fake, url = served
    service = main_service(fake)
    fake.faults.script(kind, path_contains="PageToken", times=50)
    result = await run_cli(
        url, "--retries", "2", "list", "--service", service, "--page-size", "50",
        "--server-order", "-o", "jsonl",
    )  # fmt: skip
    assert result.code == 1
    assert needle in result.err
    assert len(result.err.strip().splitlines()) == 1
    if kind == "next-page-same":
        assert len(result.sids()) == 100  # page 1 and the repeated page 2, then stopped
    else:
        assert len(result.sids()) == 50


async def test_oversized_response_is_refused(served: tuple[FakeTwilio, str]) -> None:
    fake, url = served
    fake.faults.script("oversized", path_contains="/Bindings", times=1)
    result = await run_cli(
        url, "--retries", "0", "list", "--service", main_service(fake), "-o", "jsonl"
    )
    assert result.code == 1
    assert "larger than" in result.err


async def test_records_with_wrong_types_do_not_crash(served: tuple[FakeTwilio, str]) -> None:
    fake, url = served
    service = main_service(fake)
    fake.faults.script("wrong-types", path_contains="/Bindings", times=1)
    result = await run_cli(url, "list", "--service", service, "--page-size", "20", "--limit", "20")
    assert result.code == 0, result.err
    fake.faults.script("wrong-types", path_contains="/Bindings", times=1, break_sid=True)
    broken = await run_cli(url, "--retries", "0", "list", "--service", service, "--limit", "5")
    assert broken.code == 1
    assert "sid" in broken.err


class Recorder:
    """A second listener on another loopback address that records every byte it receives."""

    def __init__(self) -> None:
        self.received = bytearray()
        self.server: asyncio.Server | None = None

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.received += await reader.read(65536)
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}")
        await writer.drain()
        writer.close()


@pytest.fixture
async def foreign(served: tuple[FakeTwilio, str]) -> AsyncIterator[Recorder]:
    _, url = served
    port = int(url.rsplit(":", 1)[1])
    recorder = Recorder()
    try:
        recorder.server = await asyncio.start_server(recorder.handle, "127.0.0.2", port)
    except OSError as exc:
        pytest.skip(f"cannot listen on 127.0.0.2:{port} on this machine ({exc})")
    yield recorder
    recorder.server.close()
    await recorder.server.wait_closed()


async def test_foreign_next_page_url_never_gets_credentials(
    served: tuple[FakeTwilio, str], foreign: Recorder
) -> None:
    fake, url = served
    service = main_service(fake)
    # The first 5 of 12 pages point next_page_url at 127.0.0.2 (not the last page: there the
    # fault repeats the page's own URL, which the loop guard rightly stops).
    fake.faults.script("next-page-foreign-host", path_contains="/Bindings", times=5)
    result = await run_cli(url, "list", "--service", service, "--page-size", "100", "-o", "jsonl")
    assert result.code == 0, result.err
    assert set(result.sids()) == fake.binding_sids(ApiFlavor.CONVERSATIONS, service)
    assert bytes(foreign.received) == b"", "a request went to the foreign host"
    assert all(r.had_auth for r in fake.requests)


async def test_redirect_is_not_followed_with_credentials(
    served: tuple[FakeTwilio, str], foreign: Recorder
) -> None:
    fake, url = served
    port = url.rsplit(":", 1)[1]
    fake.faults.script(
        "redirect", path_contains="/Bindings", times=1, location=f"http://127.0.0.2:{port}/steal"
    )
    result = await run_cli(url, "list", "--service", main_service(fake))
    assert result.code == 1
    assert "redirect" in result.err
    assert bytes(foreign.received) == b""


async def test_delete_under_faults(served: tuple[FakeTwilio, str]) -> None:
    fake, url = served
    service = main_service(fake)
    sids = sorted(fake.binding_sids(ApiFlavor.CONVERSATIONS, service))[:4]
    # 5xx then success
    fake.faults.script("503", path_contains=sids[0], method="DELETE", times=1)
    first = await run_cli(url, "delete", "--service", service, sids[0], "--yes")
    assert first.code == 0, first.err
    assert f"{sids[0]}: deleted" in first.out
    # not found is an error (like kubectl), unless --ignore-missing
    again = await run_cli(url, "delete", "--service", service, sids[0], "--yes")
    assert again.code == 1 and f"{sids[0]}: binding not found" in again.err, again.err
    ignored = await run_cli(
        url, "delete", "--service", service, sids[0], "--yes", "--ignore-missing"
    )
    assert ignored.code == 0 and f"{sids[0]}: binding not found" in ignored.out
    # a service that does not exist: said once, and no further DELETE is sent
    typo = "IS" + "0" * 32
    before = len(fake.requests)
    wrong = await run_cli(url, "delete", "--service", typo, *sids[1:3], "--yes")
    assert wrong.code == 1 and f"service {typo} not found" in wrong.err, wrong.err
    assert [r.method for r in fake.requests[before:]].count("DELETE") == 1
    # bulk where one fails for good: exactly that one is reported, the others go
    fake.faults.script("500", path_contains=sids[2], method="DELETE", times=50)
    bulk = await run_cli(url, "--retries", "1", "delete", "--service", service, *sids[1:], "--yes")
    assert bulk.code == 1
    assert f"{sids[2]}: not deleted" in bulk.err and "1 of 3 binding(s) not deleted" in bulk.err
    assert "still there" in bulk.err
    remaining = fake.binding_sids(ApiFlavor.CONVERSATIONS, service)
    assert sids[1] not in remaining and sids[3] not in remaining and sids[2] in remaining


async def test_delete_whose_connection_drops_is_checked_by_fetching(
    served: tuple[FakeTwilio, str],
) -> None:
    fake, url = served
    service = main_service(fake)
    sid = sorted(fake.binding_sids(ApiFlavor.CONVERSATIONS, service))[5]
    fake.faults.script("drop", path_contains=sid, method="DELETE", times=1)
    result = await run_cli(url, "delete", "--service", service, sid, "--yes")
    assert result.code == 0, result.err
    assert f"{sid}: deleted" in result.out
    assert sid not in fake.binding_sids(ApiFlavor.CONVERSATIONS, service)
