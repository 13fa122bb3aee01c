"""`bindings-tui watch` (a subprocess) against the fake over a real socket, while another
client adds, touches and deletes a binding through HTTP. No timing asserts: the waits
are hang guards."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from bindings_tui.fake_twilio import (
    DEMO_ACCOUNT_SID,
    DEMO_AUTH_TOKEN,
    FakeConfig,
    FakeTwilio,
    serve_in_background,
)

HANG_GUARD_S = 60
AUTH = (DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN)


@pytest.fixture
async def served() -> AsyncIterator[tuple[FakeTwilio, str]]:
    async with serve_in_background(FakeConfig(seed=5, bindings=50, latency_ms=0)) as pair:
        yield pair


class Watcher:
    """The CLI watch as a subprocess; `lines` collects stdout as it comes."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        self.lines: list[str] = []

    async def next_line(self, check: Callable[[str], bool], what: str) -> str:
        assert self.proc.stdout is not None
        while True:
            raw = await asyncio.wait_for(self.proc.stdout.readline(), HANG_GUARD_S)
            if not raw:
                raise AssertionError(f"watch ended before {what}; saw {self.lines}")
            line = raw.decode().rstrip("\n")
            self.lines.append(line)
            if check(line):
                return line

    async def interrupt(self, how: signal.Signals = signal.SIGINT) -> tuple[int, str, str]:
        self.proc.send_signal(how)
        out, err = await asyncio.wait_for(self.proc.communicate(), HANG_GUARD_S)
        return self.proc.returncode or 0, out.decode(), err.decode()


async def start_watch(base_url: str, *args: str) -> Watcher:
    env = {
        **os.environ,
        "TWILIO_ACCOUNT_SID": DEMO_ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": DEMO_AUTH_TOKEN,
        "PYTHONIOENCODING": "utf-8",
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bindings_tui", "--base-url", base_url, "watch", *args,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        stdin=asyncio.subprocess.DEVNULL, env=env,
    )  # fmt: skip
    return Watcher(proc)


@pytest.mark.parametrize("output", ["table", "jsonl"])
async def test_watch_sees_another_clients_add_change_and_delete(
    served: tuple[FakeTwilio, str], output: str
) -> None:
    fake, url = served
    service = fake.service_sids()[0]
    identity = "watch-\x1b[31mme"  # hostile: the table output must show it inert
    watcher = await start_watch(
        url, "--service", service, "--identity", identity, "--interval", "2", "-o", output
    )
    jsonl = output == "jsonl"
    async with httpx.AsyncClient(base_url=url, auth=AUTH) as other:
        await watcher.next_line(lambda s: "watching" in s, "the baseline")
        added = await other.post(
            "/_fake/bindings", data={"Identity": identity, "Service": service, "BindingType": "fcm"}
        )
        assert added.status_code == 201
        sid = added.json()["sid"]
        line = await watcher.next_line(lambda s: sid in s, "the added binding")
        touched = await other.post(f"/_fake/bindings/{sid}", data={"Endpoint": "new-token"})
        assert touched.status_code == 200
        changed = await watcher.next_line(lambda s: "changed" in s, "the change")
        gone = await other.delete(f"/v1/Services/{service}/Bindings/{sid}")
        assert gone.status_code == 204
        removed = await watcher.next_line(lambda s: "removed" in s, "the removal")
    code, _out, err = await watcher.interrupt()
    assert code == 0
    assert "Traceback" not in err and DEMO_AUTH_TOKEN not in err + "\n".join(watcher.lines)
    assert err.strip().splitlines()[-1].endswith("+1 -1 ~1")
    if jsonl:
        records = [json.loads(x) for x in (line, changed, removed)]
        assert [r["event"] for r in records] == ["added", "changed", "removed"]
        assert {r["sid"] for r in records} == {sid}
        assert records[0]["identity"] == identity  # JSON keeps the data exact
        assert records[1]["fields"] == ["date_updated", "endpoint"]
    else:
        assert line.split()[1:3] == ["added", sid]
        assert "\x1b" not in "".join(watcher.lines) and "watch-\\x1b[31mme" in line
        assert changed.split()[1:3] == ["changed", sid]
        assert changed.endswith("date_updated, endpoint")
        assert removed.split()[1:3] == ["removed", sid]


async def test_rate_limited_watch_backs_off_and_says_so(served: tuple[FakeTwilio, str]) -> None:
    fake, url = served
    service = fake.service_sids()[0]
    watcher = await start_watch(url, "--service", service, "--interval", "2", "--retries", "0")
    await watcher.next_line(lambda s: "watching 50 binding(s)" in s, "the baseline")
    fake.faults.script("429", path_contains="/Bindings", times=2)
    line = await watcher.next_line(lambda s: "rate limited" in s, "the notice")
    assert line.endswith("rate limited: next refresh in 4 s")
    line = await watcher.next_line(lambda s: "rate limited" in s, "the second notice")
    assert line.endswith("rate limited: next refresh in 8 s")
    code, _out, err = await watcher.interrupt()
    assert code == 0 and "Traceback" not in err


async def test_auth_error_ends_the_watch_with_one_line(served: tuple[FakeTwilio, str]) -> None:
    fake, url = served
    service = fake.service_sids()[0]
    env_token = "0" * 32
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bindings_tui", "--base-url", url, "watch", "--service", service,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        stdin=asyncio.subprocess.DEVNULL,
        env={**os.environ, "TWILIO_ACCOUNT_SID": DEMO_ACCOUNT_SID, "TWILIO_AUTH_TOKEN": env_token},
    )  # fmt: skip
    _out, err = await asyncio.wait_for(proc.communicate(), HANG_GUARD_S)
    assert proc.returncode == 1
    lines = err.decode().strip().splitlines()
    assert len(lines) == 1 and "20003" in lines[0]


@pytest.mark.parametrize("bad", ["1.5", "nan", "inf", "-3", "x"])
async def test_interval_below_two_seconds_is_one_line_exit_2(
    served: tuple[FakeTwilio, str], bad: str
) -> None:
    fake, url = served
    watcher = await start_watch(url, "--service", fake.service_sids()[0], "--interval", bad)
    _out, err = await asyncio.wait_for(watcher.proc.communicate(), HANG_GUARD_S)
    assert watcher.proc.returncode == 2
    lines = err.decode().strip().splitlines()
    assert len(lines) == 1 and "--interval" in lines[0]


async def test_sigterm_ends_the_watch_like_ctrl_c(served: tuple[FakeTwilio, str]) -> None:
    fake, url = served
    service = fake.service_sids()[0]
    watcher = await start_watch(url, "--service", service, "--interval", "2")
    await watcher.next_line(lambda s: "watching 50 binding(s)" in s, "the baseline")
    code, _out, err = await watcher.interrupt(signal.SIGTERM)
    assert code == 0 and "Traceback" not in err
    assert err.strip().splitlines()[-1].endswith("stopped watching after 1 listing(s): +0 -0 ~0")
