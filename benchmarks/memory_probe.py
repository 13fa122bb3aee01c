"""Whole-session memory: the real app, headless, through what a user does with one list.

`python -m benchmarks.memory_probe --base-url URL --service IS... --size N` (a fresh
process: its peak RSS is this session's alone); prints one JSON object on its last line.

The session, in order, with the process's RSS (now, and peak so far) after each stage:
`loaded` (the service's whole list, and its push diagnosis), `identity` (an identity
query typed in the identity box, run to its end), `filters` (the queries of
`tui_probe.QUERIES`, typed and deleted one key at a time, each filter finished),
`sorts` (`o` through every column and back, `O` on each), `findings` (`f` through
every choice), `user` (`u`: the user view of the row under the cursor, then back).
Each stage also records `worst_step_ms`: the longest the event loop was blocked during it
(`tui_probe.LagProbe`, a task sleeping 10 ms that records how late it wakes), and the
`sorts` stage, for each key, the time until its sort had landed and its own longest
step (`sort_ms`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import sys
import time
from typing import Any

from benchmarks.tui_probe import (
    QUERIES,
    SIZE,
    Frames,
    LagProbe,
    _instrument,
    _make_app,
    _open_browser,
    _wait,
)


def rss_now_mb() -> float:
    """Resident set size now (ru_maxrss is only the peak)."""
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1024 / 1024


def rss_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def _settle(app: Any, pilot: Any, browser: Any) -> None:
    """Until the screen is idle: no filter or sort slice under way."""
    session = browser.browse

    def busy(rows: Any) -> bool:
        # getattr: the probe also measures baselines from before sliced filters and sorts
        return bool(getattr(rows, "busy", getattr(rows, "filtering", False)))

    def idle() -> bool:
        rows = [session.rows, session.identity_rows]
        return not any(r is not None and busy(r) for r in rows)

    await _wait(idle, 600, "the filter to finish")
    await pilot.pause()


async def session_memory(args: argparse.Namespace) -> dict[str, Any]:
    from bindings_tui.tui.screens.browser import BrowserScreen
    from bindings_tui.tui.screens.user import UserScreen

    app = _make_app(args.base_url, args.account_sid, args.auth_token)
    frames = Frames()
    stages: list[dict[str, Any]] = []
    began = time.perf_counter()
    lag = LagProbe()

    def stage(name: str, **extra: Any) -> None:
        stages.append(
            {
                "stage": name,
                "at_s": round(time.perf_counter() - began, 2),
                "rss_mb": round(rss_now_mb(), 1),
                "peak_rss_mb": round(rss_peak_mb(), 1),
                "worst_step_ms": round(lag.worst * 1000, 1),
                **extra,
            }
        )
        lag.worst = 0.0  # each stage's own worst

    async with app.run_test(size=SIZE) as pilot:
        _instrument(app, frames)
        lag.start()
        await _open_browser(app, pilot, args.service, frames)
        await _wait(lambda: isinstance(app.screen, BrowserScreen), 30, "the browser")
        browser = app.screen
        session = browser.browse
        await _wait(lambda: session.load_state.done, 1800, "the whole list")
        await _wait(lambda: session.report is not None, 1800, "the push diagnosis")
        await pilot.pause()
        stage("loaded")

        first = session.rows.binding_at(0)
        identity = first.identity if first is not None and first.identity else "alice"
        await pilot.press("i")
        await pilot.press(*identity)
        await _wait(lambda: session.identities == (identity,), 30, "the identity query")
        await _wait(lambda: session.identity_state.done, 600, "the identity query's end")
        await pilot.pause()
        stage("identity")
        await pilot.press("escape")  # clears the box: back to the whole list
        await _wait(lambda: session.identity_rows is None, 30, "the identity query to end")
        await pilot.pause()

        browser.table.focus()
        await pilot.press("slash")
        for query in QUERIES:
            for key in [*query, *["backspace"] * len(query)]:
                await pilot.press(key)
                await _settle(app, pilot, browser)
        stage("filters")

        browser.table.focus()
        await pilot.pause()
        sort_ms: list[dict[str, Any]] = []
        for _ in range(8):  # every column, then load order again
            for key in ("o", "O"):
                stage_worst, lag.worst = lag.worst, 0.0
                pressed = time.perf_counter()
                await pilot.press(key)
                await _settle(app, pilot, browser)
                column = session.rows.sort.column
                sort_ms.append(
                    {
                        "key": key,
                        "column": column.value if column is not None else None,
                        "ms": round((time.perf_counter() - pressed) * 1000, 1),
                        "worst_step_ms": round(lag.worst * 1000, 1),
                    }
                )
                lag.worst = max(lag.worst, stage_worst)
        stage("sorts", sort_ms=sort_ms)

        for _ in range(12):
            await pilot.press("f")
            await _settle(app, pilot, browser)
            if session.finding_choice is None:
                break
        stage("findings")

        await pilot.press("u")
        await _wait(lambda: isinstance(app.screen, UserScreen), 30, "the user view")
        user_screen = app.screen
        await _wait(lambda: user_screen.user_read, 60, "the user view's reads")
        await pilot.pause()
        stage("user")
        await pilot.press("escape")
        await _wait(lambda: app.screen is browser, 30, "the browser again")
        await pilot.pause()
        stage("end")
        loaded = session.rows.loaded_count
        await lag.stop()
        app.exit()
    return {"loaded": loaded, "stages": stages, "peak_rss_mb": rss_peak_mb()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.memory_probe")
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--service", required=True)
    parser.add_argument("--account-sid", required=True)
    parser.add_argument("--auth-token", required=True)
    parser.add_argument("--size", type=int, required=True)
    args = parser.parse_args(argv)
    result = asyncio.run(session_memory(args))
    if result["loaded"] != args.size:
        print(f"loaded {result['loaded']} of {args.size}", file=sys.stderr)
        return 1
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
