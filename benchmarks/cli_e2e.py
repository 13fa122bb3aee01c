"""Figure 7: the CLI as scripts run it, whole processes, against twilio-python.

Each sample is one process, timed from just before it is spawned to its exit (its
stdout goes to /dev/null, so the last byte is written by then):

- `cli_list`: `bindings-tui --base-url URL list --service IS... -o jsonl`;
- `cli_list_server_order`: the same with `--server-order` (one stream);
- `cli_diagnose`: `bindings-tui --base-url URL diagnose --service IS... -o json`;
- `twilio_list`: `python -m benchmarks.twilio_list` (twilio-python's `bindings.list()`
  at its default page size, 50, printing JSON lines).

Every case runs against two fakes in the same run: one honouring PageSize up to 1000
(Twilio's API reference) and one refusing above the OpenAPI spec's maximum
(`--strict-page-size`: the CLI is refused once per type stream, then asks for 100).
twilio-python asks for no PageSize, so its requests are the same on both fakes: it is
timed on the first and its median is the ratio's denominator for both.

Variants alternate run by run (cli, twilio, cli, ...), so load on a shared machine
touches both alike. A twilio-python run that would not fit the budget is timed over its
first pages and scaled: start-up as measured, listing x total pages / pages timed
(`~` in the table).
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

from benchmarks.fake_server import FakeServer, cli_command
from benchmarks.stats import Stat

TWILIO_PAGE_SIZE = 50
HANG_GUARD_S = 1800


def _env(server: FakeServer) -> dict[str, str]:
    return {
        **os.environ,
        "TWILIO_ACCOUNT_SID": server.account_sid,
        "TWILIO_AUTH_TOKEN": server.auth_token,
    }


def time_process(command: list[str], env: dict[str, str]) -> tuple[float, str]:
    """Seconds from spawn to exit, and the process's stderr (stdout to /dev/null)."""
    began = time.monotonic()
    done = subprocess.run(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=env,
        timeout=HANG_GUARD_S,
        check=False,
    )
    seconds = time.monotonic() - began
    if done.returncode != 0:
        raise RuntimeError(f"{command[-6:]} failed ({done.returncode}): {done.stderr[-800:]!r}")
    return seconds, done.stderr.decode(errors="replace")


def cli(server: FakeServer, *args: str) -> list[str]:
    return [*cli_command(), "--base-url", server.base_url, *args]


def twilio_sample(server: FakeServer, pages_total: int, page_limit: int | None) -> float:
    command = [
        sys.executable, "-m", "benchmarks.twilio_list",
        "--base-url", server.base_url, "--service", server.main_service,
    ]  # fmt: skip
    if page_limit is not None:
        command += ["--pages", str(page_limit)]
    seconds, err = time_process(command, _env(server))
    if page_limit is None:
        return seconds
    timing = json.loads(err.strip().splitlines()[-1])
    listing = timing["list_end"] - timing["list_start"]
    rest = seconds - listing  # start-up and exit, as measured
    return rest + listing * pages_total / max(1, timing["pages"])


def measure_cli_e2e(
    *,
    size: int,
    latency_ms: float,
    runs: int,
    budget_s: float,
    with_twilio: bool,
    diagnose: bool,
    log: Callable[[str], None],
) -> dict[str, Any]:
    """Every figure-7 variant at one size and latency, on both fakes; JSON-ready."""
    latency_s = latency_ms / 1000
    pages_total = math.ceil(size / TWILIO_PAGE_SIZE)
    twilio_full = pages_total * max(latency_s, 0.003)
    page_limit: int | None = None
    if budget_s > 0 and twilio_full * runs > budget_s:
        page_limit = min(pages_total, max(20, int(budget_s / (runs * max(latency_s, 0.003)))))
    result: dict[str, Any] = {"bindings": size, "latency_ms": latency_ms, "fakes": {}}
    twilio_stat: Stat | None = None
    for strict in (False, True):
        name = "strict_spec" if strict else "honours_1000"
        with FakeServer(bindings=size, latency_ms=latency_ms, strict_page_size=strict) as server:
            log(f"  CLI e2e, {size:,} at {latency_ms:g} ms, fake {name}")
            service = server.main_service
            env = _env(server)
            commands = {
                "cli_list": cli(server, "list", "--service", service, "-o", "jsonl"),
                "cli_list_server_order": cli(
                    server, "list", "--service", service, "--server-order", "-o", "jsonl"
                ),
            }
            if diagnose:
                commands["cli_diagnose"] = cli(
                    server, "diagnose", "--service", service, "-o", "json"
                )
            samples: dict[str, list[float]] = {key: [] for key in commands}
            twilio: list[float] = []
            for i in range(runs):
                for key, command in commands.items():
                    samples[key].append(time_process(command, env)[0])
                    log(f"    {key} run {i + 1}/{runs}: {samples[key][-1]:.2f} s")
                if with_twilio and not strict:
                    twilio.append(twilio_sample(server, pages_total, page_limit))
                    log(f"    twilio_list run {i + 1}/{runs}: {twilio[-1]:.2f} s")
            stats = {key: Stat.of(values) for key, values in samples.items()}
            if twilio:
                extra: dict[str, Any] = {}
                if page_limit is not None:
                    extra = {
                        "method": "extrapolated",
                        "pages_timed": page_limit,
                        "pages_total": pages_total,
                    }
                twilio_stat = Stat.of(twilio, **extra)
            if twilio_stat is not None:
                stats["twilio_list"] = twilio_stat
            ratios = {}
            if twilio_stat is not None and twilio_stat.median > 0:
                ratios = {
                    key: stat.median / twilio_stat.median
                    for key, stat in stats.items()
                    if key != "twilio_list"
                }
            result["fakes"][name] = {
                "stats": {key: stat.to_json() for key, stat in stats.items()},
                "over_twilio": ratios,
            }
    return result
