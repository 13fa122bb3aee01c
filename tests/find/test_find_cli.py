"""`bindings-tui find` as a user runs it: a subprocess against the fake over a real socket."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator

import pytest
from cli_process import Result
from cli_process import run_cli as run_base

from bindings_tui.cli.entry import build_parser
from bindings_tui.cli.find import apis_of
from bindings_tui.fake_twilio import (
    FakeConfig,
    FakeTwilio,
    serve_in_background,
)
from bindings_tui.models import ApiFlavor

LIAM = "liam.johnson@example.com"
OLIVIA = "olivia.chen@example.com"


async def run_cli(base_url: str, *args: str) -> Result:
    return await run_base(base_url, "--retries", "1", *args)


@pytest.fixture
async def served() -> AsyncIterator[tuple[FakeTwilio, str]]:
    async with serve_in_background(FakeConfig(seed=11, bindings=400)) as pair:
        yield pair


def expected(
    fake: FakeTwilio, identities: set[str], apis: tuple[ApiFlavor, ...] = tuple(ApiFlavor)
) -> list[tuple[str, str, str]]:
    out = []
    for api in apis:
        for service in fake.store.sorted_service_sids():
            out += [
                (api.value, service, b.sid)
                for b in fake.bindings(service)
                if b.identity in identities and b.binding_type in api.binding_types
            ]
    return out


async def test_find_across_services_and_both_apis(served: tuple[FakeTwilio, str]) -> None:
    fake, url = served
    result = await run_cli(url, "find", LIAM, OLIVIA, "-o", "jsonl")
    assert result.code == 0, result.err
    records = [json.loads(line) for line in result.out.splitlines()]
    got = [(r["api"], r["service_sid"], r["binding"]["sid"]) for r in records]
    assert got == expected(fake, {LIAM, OLIVIA})
    main, staging, _ = fake.service_sids()
    liam = {(r["api"], r["service_sid"]) for r in records if r["binding"]["identity"] == LIAM}
    assert liam == {(api.value, sid) for api in ApiFlavor for sid in (main, staging)}
    names = {r["service_sid"]: r["service_name"] for r in records}
    assert names == {main: "Acme Chat (production)", staging: "Acme Chat (staging)"}
    # Identity-filtered listings: one per service and API, never the whole service.
    listings = [r for r in fake.requests if r.path.endswith("/Bindings")]
    assert len(listings) == 2 * len(fake.service_sids())
    assert all(("Identity", LIAM) in r.query and ("Identity", OLIVIA) in r.query for r in listings)


async def test_find_table_csv_json_and_one_api(served: tuple[FakeTwilio, str]) -> None:
    fake, url = served
    table = await run_cli(url, "find", LIAM)
    assert table.code == 0, table.err
    lines = table.out.splitlines()
    assert lines[0].split()[:4] == ["API", "SERVICE", "SERVICE", "SID"]
    rows = expected(fake, {LIAM})
    assert len(lines) == 1 + len(rows)
    assert lines[1].startswith("conversations") and lines[-1].startswith("chat")
    assert "Acme Chat (staging)" in table.out
    assert f"{len(rows)} binding(s) in 4 service(s); 6 service(s) searched" in table.err

    # A global option before the command, or --api after it: one API.
    for args in (("--api", "chat", "find", LIAM), ("find", LIAM, "--api", "chat")):
        chat = await run_cli(url, *args, "-o", "csv")
        assert chat.code == 0, chat.err
        parsed = list(csv.reader(io.StringIO(chat.out)))
        assert parsed[0][:4] == ["api", "service_sid", "service_name", "sid"]
        assert [(r[0], r[1], r[3]) for r in parsed[1:]] == expected(fake, {LIAM}, (ApiFlavor.CHAT,))

    whole = await run_cli(url, "find", LIAM, "--api", "all", "-o", "json")
    assert whole.code == 0
    assert [(r["api"], r["service_sid"], r["binding"]["sid"]) for r in json.loads(whole.out)] == (
        rows
    )


async def test_a_failing_service_is_one_line_and_exit_1(served: tuple[FakeTwilio, str]) -> None:
    fake, url = served
    staging = fake.service_sids()[1]
    fake.faults.script("21481", path_contains=f"/v1/Services/{staging}/Bindings")
    result = await run_cli(url, "find", LIAM, "-o", "jsonl")
    assert result.code == 1
    got = [
        (r["api"], r["service_sid"], r["binding"]["sid"])
        for r in map(json.loads, result.out.splitlines())
    ]
    assert got == [e for e in expected(fake, {LIAM}) if e[:2] != ("conversations", staging)]
    [line] = result.err.splitlines()
    assert line.startswith("bindings-tui: error: Conversations v1 service ")
    assert staging in line and "(Acme Chat (staging))" in line and "21481" in line


async def test_bad_identity_is_exit_2_before_any_request(served: tuple[FakeTwilio, str]) -> None:
    fake, url = served
    for args in (("find", ""), ("find", "ok", "a" * 2000), ("find",), ("find", "a", "--api", "v3")):
        result = await run_cli(url, *args)
        assert result.code == 2, (args, result)
        assert len(result.err.splitlines()) == 1 and result.out == ""
    assert fake.requests == []


def test_which_apis_a_command_line_means() -> None:
    parse = build_parser().parse_args
    assert apis_of(parse(["find", "a"])) == (ApiFlavor.CONVERSATIONS, ApiFlavor.CHAT)
    assert apis_of(parse(["find", "a", "--api", "all"])) == tuple(ApiFlavor)
    assert apis_of(parse(["--api", "conversations", "find", "a"])) == (ApiFlavor.CONVERSATIONS,)
    assert apis_of(parse(["find", "a", "--api", "chat"])) == (ApiFlavor.CHAT,)
    # Other commands keep their default (`--api` still means conversations there).
    assert parse(["list"]).api == "conversations"
    assert "all" not in build_parser().format_help()
