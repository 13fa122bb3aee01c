"""`bindings-tui delete` then `bindings-tui history` against the fake over a real socket:
the history shows what each delete removed, filtered, in every format, inert."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bindings_tui.fake_twilio import DEMO_AUTH_TOKEN, FakeConfig, FakeTwilio, serve_in_background
from bindings_tui.models import ApiFlavor

from .helpers import busy_service, data_dir, deletes_seen, run_cli


@pytest.fixture
async def served() -> AsyncIterator[tuple[FakeTwilio, str]]:
    async with serve_in_background(FakeConfig(seed=9, bindings=40)) as pair:
        yield pair


async def test_history_shows_what_a_delete_removed(served: tuple[FakeTwilio, str]) -> None:
    fake, url = served
    service = busy_service(fake)
    sids = sorted(fake.binding_sids(ApiFlavor.CONVERSATIONS, service))[:3]
    shown = await run_cli("--base-url", url, "show", "--service", service, sids[0], "-o", "json")
    before_json = json.loads(shown.out)
    deleted = await run_cli("--base-url", url, "delete", "--service", service, *sids, "--yes")
    assert deleted.code == 0, deleted
    assert not set(sids) & fake.binding_sids(ApiFlavor.CONVERSATIONS, service)

    listed = await run_cli("history", "-o", "json")
    assert listed.code == 0, listed
    records = json.loads(listed.out)
    assert [r["binding_sid"] for r in records] == sids
    assert records[0]["binding"] == before_json  # the full JSON as it was before
    assert all(r["outcome"] == "deleted" and r["source"] == "cli" for r in records)
    assert all(r["service_sid"] == service and r["api"] == "conversations" for r in records)

    identity = before_json["identity"]
    one = await run_cli("history", "--identity", identity, "-o", "jsonl")
    assert [json.loads(x)["binding_sid"] for x in one.out.splitlines()] == [
        r["binding_sid"] for r in records if r["binding"]["identity"] == identity
    ]
    other = await run_cli("history", "--service", "IS" + "0" * 32, "--service", service)
    assert other.code == 0 and all(sid in other.out for sid in sids), other
    none = await run_cli("history", "--service", "IS" + "0" * 32, "--since", "7d")
    assert none.code == 0 and not any(sid in none.out for sid in sids)
    future = await run_cli("history", "--since", "2999-01-01", "-o", "jsonl")
    assert future.code == 0 and future.out == ""
    table = await run_cli("history")
    assert "TIME (UTC)" in table.out and sids[0] in table.out and "deleted" in table.out
    rows = list(csv.reader(io.StringIO((await run_cli("history", "-o", "csv")).out)))
    assert rows[0][:3] == ["time", "source", "profile"] and len(rows) == 4
    assert rows[1][rows[0].index("identity")] == identity
    # The token is in no file the runs wrote, nor in any output.
    for path in data_dir().rglob("*"):
        if path.is_file():
            assert DEMO_AUTH_TOKEN.encode() not in path.read_bytes()


async def test_hostile_values_in_the_log_are_inert_and_bad_since_is_one_line(
    served: tuple[FakeTwilio, str],
) -> None:
    path = data_dir() / "audit.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    record = {
        "time": "2025-01-01T00:00:00.000Z",
        "binding_sid": "BS" + "1" * 32,
        "service_sid": "IS" + "1" * 32,
        "outcome": "deleted",
        "binding": {"identity": '=HYPERLINK("x")\x1b]0;pwned\x07', "binding_type": "apn"},
    }
    path.write_text(json.dumps(record) + "\n{broken\n", encoding="utf-8")
    table = await run_cli("history")
    assert table.code == 0 and "\x1b" not in table.out and "pwned\\x07" in table.out
    assert table.err.count("warning") == 1 and "line 2" in table.err
    rows = list(csv.reader(io.StringIO((await run_cli("history", "-o", "csv")).out)))
    assert rows[1][rows[0].index("identity")].startswith("'=")
    bad = await run_cli("history", "--since", "last tuesday")
    assert bad.code == 2 and len(bad.err.strip().splitlines()) == 1, bad


async def test_cli_delete_with_an_unwritable_log_sends_nothing(
    served: tuple[FakeTwilio, str], tmp_path: Path
) -> None:
    fake, url = served
    service = busy_service(fake)
    sid = sorted(fake.binding_sids(ApiFlavor.CONVERSATIONS, service))[0]
    blocker = tmp_path / "file"
    blocker.write_text("x")
    before = len(fake.requests)
    result = await run_cli(
        "--base-url",
        url,
        "delete",
        "--service",
        service,
        sid,
        "--yes",
        env_extra={"BINDINGS_TUI_DATA_DIR": str(blocker)},
    )
    assert result.code == 1 and "nothing deleted" in result.err, result
    assert deletes_seen(fake, before) == 0
    assert sid in fake.binding_sids(ApiFlavor.CONVERSATIONS, service)
