"""Issue 17's CLI edges, each through the command line: errors point to the subcommand's
help, declining a delete exits 0, the prompt lists the bindings, CSV headers are the JSON
names, `show` says UTC, the fake's dates follow its own `now`, the stale wording."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import re
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bindings_tui import cli
from bindings_tui.audit import AuditLog
from bindings_tui.fake_twilio import (
    DEMO_ACCOUNT_SID,
    DEMO_AUTH_TOKEN,
    FAKE_NOW,
    FakeConfig,
    FakeTwilio,
    serve_in_background,
)
from bindings_tui.models import ApiFlavor

DEMO = ["--demo", "--bindings", "60"]
BINDING_FIELDS = [
    "sid",
    "identity",
    "binding_type",
    "endpoint",
    "message_types",
    "credential_sid",
    "date_updated",
]


class FakeTty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture(scope="module")
def demo() -> FakeTwilio:
    """What `--demo --bindings 60` serves (the same seed gives the same SIDs)."""
    return FakeTwilio(FakeConfig(bindings=60))


def _main_service(fake: FakeTwilio) -> str:
    return fake.service_sids()[0]


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# ---- errors point to the subcommand's help --------------------------------------------


@pytest.mark.parametrize(
    ("argv", "hint"),
    [
        (["list", "--bogus"], "bindings-tui list --help"),  # was `bindings-tui --help`
        (["auth", "use", "a", "b"], "bindings-tui auth use --help"),
        (["list"], "bindings-tui list --help"),  # --service missing: found after parsing
        (["show", "--service", "IS" + "a" * 32, "nope"], "bindings-tui show --help"),
        (["history", "--since", "yesterday"], "bindings-tui history --help"),
        (
            ["diagnose", "--now", "soon", "--service", "IS" + "a" * 32],
            "bindings-tui diagnose --help",
        ),
        (["--bogus"], "bindings-tui --help"),
    ],
)
def test_input_errors_point_to_the_subcommands_help(
    capsys: pytest.CaptureFixture[str], argv: list[str], hint: str
) -> None:
    code, out, err = _run(capsys, *DEMO, *argv)
    assert code == 2 and out == ""
    assert len(err.splitlines()) == 1 and err.startswith("bindings-tui: error: ")
    assert err.rstrip().endswith(f"(see `{hint}`)"), err


def test_a_read_only_refusal_is_not_a_usage_error(
    capsys: pytest.CaptureFixture[str], demo: FakeTwilio
) -> None:
    sid = demo.bindings(_main_service(demo))[0].sid
    code, _, err = _run(
        capsys, *DEMO, "--read-only", "delete", "--service", _main_service(demo), sid, "--yes"
    )
    assert code == 2 and "refused to delete; nothing was sent" in err
    assert "--help" not in err


# ---- the delete prompt ------------------------------------------------------------------


def test_declining_the_delete_lists_the_bindings_and_exits_0(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, demo: FakeTwilio
) -> None:
    service = _main_service(demo)
    chosen = [b for b in demo.bindings(service) if b.binding_type in ("apn", "fcm")][:2]
    missing = "BS" + "0" * 32
    monkeypatch.setattr(sys, "stdin", FakeTty("n\n"))
    code, out, err = _run(
        capsys, *DEMO, "delete", "--service", service, *(b.sid for b in chosen), missing
    )
    assert code == 0, err  # declining is an answer; 1 is for API errors
    assert out == ""
    assert err.rstrip().endswith("cancelled: nothing deleted")
    assert "Delete 3 binding(s)" in err
    for b in chosen:
        [line] = [line for line in err.splitlines() if b.sid in line]
        assert b.binding_type in line.split() and b.identity in line
    assert f"{missing}  (not found)" in err
    assert list(AuditLog().read(lambda _: None)) == []  # nothing deleted, nothing recorded


def test_accepting_the_prompt_deletes_and_records_what_the_prompt_read(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, demo: FakeTwilio
) -> None:
    service = _main_service(demo)
    target = demo.bindings(service)[5]
    monkeypatch.setattr(sys, "stdin", FakeTty("y\n"))
    code, out, err = _run(capsys, *DEMO, "delete", "--service", service, target.sid)
    assert code == 0, err
    assert "deleted" in out
    [record] = list(AuditLog().read(lambda _: None))
    assert record["binding_sid"] == target.sid
    assert record["binding"]["identity"] == target.identity


# ---- CSV headers are the JSON field names ------------------------------------------------


def _csv(out: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(out)))


def test_csv_headers_are_the_json_field_names(
    capsys: pytest.CaptureFixture[str], demo: FakeTwilio
) -> None:
    service = _main_service(demo)
    sid = demo.bindings(service)[0].sid
    listing = [*DEMO, "list", "--service", service, "--limit", "3"]
    code, out, _ = _run(capsys, *listing, "-o", "csv")
    assert code == 0 and _csv(out)[0] == BINDING_FIELDS
    _, out, _ = _run(capsys, *listing, "-o", "json")
    assert set(BINDING_FIELDS) <= set(json.loads(out)[0])

    code, out, _ = _run(capsys, *DEMO, "show", "--service", service, sid, "-o", "csv")
    assert code == 0 and _csv(out)[0] == BINDING_FIELDS

    code, out, _ = _run(capsys, *DEMO, "services", "-o", "csv")
    assert code == 0 and _csv(out)[0] == ["sid", "friendly_name", "date_created"]
    _, out, _ = _run(capsys, *DEMO, "services", "-o", "json")
    assert {"sid", "friendly_name", "date_created"} <= set(json.loads(out)[0])

    identity = demo.bindings(service)[0].identity
    code, out, _ = _run(capsys, *DEMO, "find", identity, "-o", "csv")
    assert code == 0
    assert _csv(out)[0] == ["api", "service_sid", "service_name", *BINDING_FIELDS]


# ---- show says UTC ----------------------------------------------------------------------


def test_show_says_its_times_are_utc(capsys: pytest.CaptureFixture[str], demo: FakeTwilio) -> None:
    service = _main_service(demo)
    b = demo.bindings(service)[0]
    code, out, _ = _run(capsys, *DEMO, "show", "--service", service, b.sid)
    assert code == 0
    lines = {line.split()[0]: line for line in out.splitlines()}
    updated = time.strftime("%Y-%m-%d %H:%M", time.gmtime(b.updated))
    assert lines["date_updated"].endswith(f"{updated} UTC")
    assert lines["date_created"].endswith(" UTC")


# ---- the fake's dates follow its own now ----------------------------------------------------


def test_the_fakes_dates_are_relative_to_its_now() -> None:
    later = int(FAKE_NOW.timestamp()) + 40 * 86_400 + 123
    fixed, moved = (
        FakeTwilio(FakeConfig(bindings=80)),
        FakeTwilio(FakeConfig(bindings=80, now=later)),
    )
    for service in fixed.service_sids():
        before, after = fixed.bindings(service), moved.bindings(service)
        assert [b.sid for b in before] == [b.sid for b in after]  # the same world
        assert all(
            (a.updated - later, a.created - later)
            == (b.updated - FAKE_NOW.timestamp(), b.created - FAKE_NOW.timestamp())
            for a, b in zip(after, before, strict=True)
        )
    assert max(b.updated for s in moved.service_sids() for b in moved.bindings(s)) <= later


async def _cli_json(base_url: str, *args: str) -> Any:
    env = {
        **os.environ,
        "TWILIO_ACCOUNT_SID": DEMO_ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": DEMO_AUTH_TOKEN,
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bindings_tui",
        "--base-url",
        base_url,
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        stdin=asyncio.subprocess.DEVNULL,
        env=env,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 120)
    assert proc.returncode == 0, err.decode()
    return json.loads(out)


async def test_diagnose_finds_the_same_against_the_served_fake_as_with_demo(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`fake-twilio` seeds its dates up to its start time, and diagnose (no --now) judges
    them by the real clock: the same findings as `--demo` with its fixed clock (the stale
    count was 90 against 22)."""
    config = FakeConfig(bindings=5000, now=int(time.time()))
    async with serve_in_background(config) as (fake, url):
        service = fake.service_sids()[0]
        served = await _cli_json(url, "diagnose", "--service", service, "-o", "json")
    code = await asyncio.to_thread(
        cli.main, ["--demo", "diagnose", "--service", service, "-o", "json"]
    )
    assert code == 0
    demo_findings = json.loads(capsys.readouterr().out)
    kinds = Counter(f["kind"] for f in served)
    assert kinds == Counter(f["kind"] for f in demo_findings)
    assert kinds["stale"] > 0


def test_fake_twilio_takes_now(capsys: pytest.CaptureFixture[str]) -> None:
    args = cli.build_parser().parse_args(["fake-twilio", "--now", "2030-05-01T12:00:00Z"])
    assert args.now == datetime(2030, 5, 1, 12, tzinfo=UTC)
    assert cli.build_parser().parse_args(["fake-twilio"]).now is None  # then: its start
    code, _, err = _run(capsys, "fake-twilio", "--now", "1975-01-01")
    assert code == 2 and "before 1990" in err


# ---- the stale wording --------------------------------------------------------------------


def test_a_binding_just_past_the_threshold_reads_over_n_days(
    capsys: pytest.CaptureFixture[str], demo: FakeTwilio
) -> None:
    service = _main_service(demo)
    b = next(
        b for b in demo.bindings(service) if b.binding_type in ApiFlavor.CONVERSATIONS.binding_types
    )
    now = datetime.fromtimestamp(b.updated, UTC) + timedelta(days=60, hours=5)
    code, out, _ = _run(
        capsys,
        *DEMO,
        "diagnose",
        "--service",
        service,
        "--stale-days",
        "60",
        "--now",
        now.isoformat(),
        "-o",
        "json",
    )
    assert code == 0
    [stale] = [f for f in json.loads(out) if f["kind"] == "stale" and b.sid in f["binding_sids"]]
    assert "not updated for over 60 days (stale after 60 days)" in stale["summary"]
    for finding in json.loads(out):
        assert not re.search(r"for (\d+) days \(more than \1\)", finding["summary"])
