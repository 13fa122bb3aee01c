"""Figures 2-5: the real app, headless, against the fake over a real socket.

Run in a fresh process per size (so peak RSS is this app's alone):
`python -m benchmarks.tui_probe --base-url URL --service IS... --size N [--filter]`;
prints one JSON object on its last line of output.

What is measured, precisely:

- frames: Textual's `App._display` is wrapped. In a headless app it is still called with
  every compositor update (the screen has been laid out and every dirty line rendered);
  the wrapper also serialises the update to terminal bytes (`render_segments`), the work
  a real terminal's frame costs on top, so a "frame" here is a frame a terminal would get.
- time to first row (figure 2): the app starts on the service picker with the services
  loaded; the clock starts at `app.open_service(sid)` (what choosing a service calls) and
  stops at the first frame in which the bindings table rendered a data row.
- load time and the longest stall (figure 4): an asyncio task in the app's own loop sleeps
  10 ms at a time and records how late it wakes; from the service being chosen until the
  browser reports the list fully loaded. The worst lateness is the longest the loop was
  blocked (timer, parsing, store appends, paints) while rows streamed in.
- filter latency (figure 3): `/` focuses the filter box; then each keystroke (typing
  realistic queries, then deleting them with backspace, which widens the filter and
  re-filters from scratch) is timed from just before the key is sent until the first
  frame after the browser applied the new filter to the store and the table. Also
  reported: the time inside the filter application alone (store + table view).
  Pilot waits for the app to be idle after each key, so work a key leaves queued (a long
  filter's later slices) is done before the next key is sent: no key here ever waits
  behind an earlier key's work.
- filter latency as typed (figure 3b): the same keys sent at a steady pace (`--type-interval-ms`,
  120 ms by default), from a thread as Textual's terminal driver sends them (a `Key` event
  posted into the app's loop), without waiting for anything. Each key is timed from the
  moment it was due until the first frame in which the filter box shows that key's edit
  and the session's filter is the box's text (the table and status drawn for it). A key
  the app has not drawn before it reads the next one is timed to the frame that shows
  the later key (its own edit is in that frame too). Also reported: the longest event-loop
  stall while typing, and where each key's time went (queued, filter applied, painted).
- peak RSS (figure 5): `ru_maxrss` of this process after the load and the filter run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import sys
import threading
import time
import unicodedata
from collections.abc import Callable, Sequence
from typing import Any

# Queries typed into the filter box, one character at a time, then deleted one at a time.
QUERIES = ("olivia", "tanaka", "usr_3f", "fcm", "acme.test")
PROBE_INTERVAL_S = 0.010
SIZE = (120, 40)
TYPE_INTERVAL_S = 0.120  # figure 3b: a fast typist's pace, key to key


class Frames:
    """Timestamps of frames, and what was pending when each was displayed."""

    def __init__(self) -> None:
        self.data_rows = False  # the bindings table rendered at least one data row
        self.first_row_frame: float | None = None
        self.filter_applied: float | None = None
        self.filter_frame: float | None = None
        self.filter_compute: list[float] = []
        self.count = 0
        self.listener: Callable[[float], None] | None = None  # told of every frame

    def on_frame(self, now: float) -> None:
        self.count += 1
        if self.data_rows and self.first_row_frame is None:
            self.first_row_frame = now
        if self.filter_applied is not None and self.filter_frame is None:
            self.filter_frame = now
        if self.listener is not None:
            self.listener(now)


def _instrument(app: Any, frames: Frames) -> None:
    from textual._compositor import CompositorUpdate

    from bindings_tui.tui.widgets.bindings_table import BindingsTable

    original_display = app._display

    def display(screen: Any, renderable: Any) -> None:
        original_display(screen, renderable)
        if renderable is None:
            return
        if isinstance(renderable, CompositorUpdate):
            renderable.render_segments(app.console)  # the bytes a terminal would get
        frames.on_frame(time.perf_counter())

    app._display = display

    original_render_line: Callable[..., Any] = BindingsTable.render_line
    if getattr(original_render_line, "_bench_wrapped", False):
        return

    def render_line(self: Any, y: int) -> Any:
        strip = original_render_line(self, y)
        if y >= 1 and not _FRAMES_SEEN_ROWS[0]:
            position = round(self.scroll_y) + y - 1
            if position < len(self.rows):
                _FRAMES_SEEN_ROWS[0] = True
                _CURRENT[0].data_rows = True
        return strip

    render_line._bench_wrapped = True  # type: ignore[attr-defined]
    BindingsTable.render_line = render_line  # type: ignore[method-assign]


_FRAMES_SEEN_ROWS = [False]
_CURRENT: list[Frames] = [Frames()]


def _make_app(base_url: str, account_sid: str, auth_token: str) -> Any:
    from bindings_tui.credentials import ApiCredentials
    from bindings_tui.models import ApiFlavor
    from bindings_tui.tui.app import BindingsApp
    from bindings_tui.tui.context import AppContext, Backend

    ctx = AppContext(
        api=ApiFlavor.CONVERSATIONS,
        credentials=ApiCredentials(account_sid, auth_token, source="bench"),
        service_sid=None,  # start on the picker; the benchmark chooses the service
        backend=Backend(base_url=base_url),
        remember=False,
    )
    return BindingsApp(ctx, cursor_blink=False)


async def _wait(
    predicate: Callable[[], bool], timeout: float, what: str, poll_s: float = 0.002
) -> None:
    deadline = time.perf_counter() + timeout
    while not predicate():
        if time.perf_counter() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        await asyncio.sleep(poll_s)


class LagProbe:
    def __init__(self) -> None:
        self.worst = 0.0
        self.samples = 0
        self.over_50ms = 0
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        while True:
            began = time.perf_counter()
            await asyncio.sleep(PROBE_INTERVAL_S)
            late = time.perf_counter() - began - PROBE_INTERVAL_S
            self.samples += 1
            self.worst = max(self.worst, late)
            if late > 0.05:
                self.over_50ms += 1

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)


async def _open_browser(app: Any, pilot: Any, service: str, frames: Frames) -> float:
    """Choose the service on the loaded picker; returns the time it was chosen."""
    from bindings_tui.tui.screens.service_picker import ServicePickerScreen

    await _wait(lambda: isinstance(app.screen, ServicePickerScreen), 30, "the service picker")
    await app.workers.wait_for_complete()
    await pilot.pause()
    _FRAMES_SEEN_ROWS[0] = False
    _CURRENT[0] = frames
    began = time.perf_counter()
    app.open_service(service)
    return began


FIRST_ROW_PAUSE_S = 1.0


async def first_row_once(args: argparse.Namespace) -> float:
    app = _make_app(args.base_url, args.account_sid, args.auth_token)
    frames = Frames()
    async with app.run_test(size=SIZE) as pilot:
        _instrument(app, frames)
        began = await _open_browser(app, pilot, args.service, frames)
        await _wait(lambda: frames.first_row_frame is not None, 60, "the first row")
        assert frames.first_row_frame is not None
        result = frames.first_row_frame - began
        app.exit()
    return result


async def full_load(args: argparse.Namespace) -> dict[str, Any]:
    from bindings_tui.tui.screens.browser import BrowserScreen

    app = _make_app(args.base_url, args.account_sid, args.auth_token)
    frames = Frames()
    out: dict[str, Any] = {}
    async with app.run_test(size=SIZE) as pilot:
        _instrument(app, frames)
        probe = LagProbe()
        probe.start()
        began = await _open_browser(app, pilot, args.service, frames)
        await _wait(lambda: isinstance(app.screen, BrowserScreen), 30, "the browser")
        browser = app.screen
        await _wait(
            lambda: browser.browse.load_state.done or browser.browse.load_state.error is not None,
            600,
            "the whole list",
        )
        loaded_at = time.perf_counter()
        await probe.stop()
        if browser.browse.load_state.error is not None:
            raise RuntimeError(f"loading failed: {browser.browse.load_state.error}")
        await pilot.pause()
        assert frames.first_row_frame is not None
        out["first_row_s"] = frames.first_row_frame - began
        out["load_s"] = loaded_at - began
        out["loaded"] = browser.browse.rows.loaded_count
        out["stall_worst_s"] = probe.worst
        out["stall_samples"] = probe.samples
        out["stalls_over_50ms"] = probe.over_50ms
        out["frames_during_load"] = frames.count
        if args.filter:
            queries = tuple(args.queries)
            out.update(await _filter_latency(app, pilot, browser, frames, queries))
            if args.type_interval_ms > 0:
                interval_s = args.type_interval_ms / 1000
                typed = await _typed_filter_latency(
                    app, pilot, browser, frames, queries, interval_s
                )
                out.update(typed)
        out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        app.exit()
    return out


def filter_keys(queries: Sequence[str]) -> list[str]:
    """Each query typed one character at a time, then deleted with backspace."""
    keys: list[str] = []
    for query in queries:
        keys += [*query, *["backspace"] * len(query)]
    return keys


async def _filter_latency(
    app: Any, pilot: Any, browser: Any, frames: Frames, queries: Sequence[str] = QUERIES
) -> dict[str, Any]:
    # The session applies the filter to its rows and the screen renders it, in one call.
    original_apply = browser.browse.set_filter

    def apply(query: Any, types: Any) -> None:
        began = time.perf_counter()
        original_apply(query, types)
        done = time.perf_counter()
        frames.filter_compute.append(done - began)
        frames.filter_applied = done
        frames.filter_frame = None

    browser.browse.set_filter = apply
    await pilot.press("slash")
    await pilot.pause()
    latencies: list[float] = []
    shown: list[int] = []
    to_apply: list[float] = []
    keys = filter_keys(queries)
    for key in keys:
        frames.filter_applied = None
        frames.filter_frame = None
        began = time.perf_counter()
        await pilot.press(key)
        await _wait(lambda: frames.filter_frame is not None, 30, "a repaint after the filter")
        assert frames.filter_frame is not None
        latencies.append(frames.filter_frame - began)
        assert frames.filter_applied is not None
        to_apply.append(frames.filter_applied - began)
        shown.append(browser.browse.active_rows.shown_count)
    browser.browse.set_filter = original_apply
    return {
        "filter_latencies_s": latencies,
        "filter_compute_s": frames.filter_compute[-len(keys) :],
        "filter_to_applied_s": to_apply,
        "filter_keys": len(keys),
        "filter_shown_min": min(shown),
    }


def terminal_key(key: str) -> Any:
    """The `Key` event Textual's terminal driver makes of one key: a printable character
    is named as the driver names it (`.` is full_stop, `_` underscore); backspace arrives
    as DEL (0x7f), as most terminals send it."""
    from textual import events
    from textual.keys import KEY_NAME_REPLACEMENTS

    if key == "backspace":
        return events.Key("backspace", "\x7f")
    name = key if key.isalnum() else unicodedata.name(key).lower().replace(" ", "_")
    return events.Key(KEY_NAME_REPLACEMENTS.get(name, name), key)


def texts_typed(keys: Sequence[str]) -> list[str]:
    """What the filter box holds after each key of `keys` (typed into an empty box)."""
    texts: list[str] = []
    text = ""
    for key in keys:
        text = text[:-1] if key == "backspace" else text + key
        texts.append(text)
    return texts


async def _typed_filter_latency(
    app: Any,
    pilot: Any,
    browser: Any,
    frames: Frames,
    queries: Sequence[str] = QUERIES,
    interval_s: float = TYPE_INTERVAL_S,
) -> dict[str, Any]:
    """Figure 3b: the filter keys sent at a steady pace, never waiting for the app."""
    from bindings_tui.tui.widgets.filter_bar import FilterInput

    session = browser.browse
    box = browser.query_one("#filter", FilterInput)
    if app.focused is not box:
        await pilot.press("slash")
    await _wait(lambda: box.value == "" and app.focused is box, 30, "an empty filter box")
    await _wait(lambda: not session.active_rows.filtering, 600, "the last filter to finish")
    await pilot.pause()

    keys = filter_keys(queries)
    texts = texts_typed(keys)
    count = len(keys)
    due = [0.0] * count  # when each key is pressed (the clock starts)
    posted = [0.0] * count  # when the sender thread handed it to the app's loop
    edit_began: list[float | None] = [None] * count  # the box's edit (the filter set)...
    edit_ended: list[float | None] = [None] * count  # ...and the filter's first answer
    framed: list[float | None] = [None] * count  # the first frame that shows it
    overtaken = 0  # keys drawn in the same frame as a later key (never drawn on their own)
    edits = 0  # keys the box has taken so far (every key of `keys` changes its text)
    drawn = 0  # keys shown in a frame so far
    slices: list[float] = []  # each later slice of a long filter run while typing
    wrong_texts: list[tuple[int, str]] = []

    original_edit = box.on_edit

    def on_edit(text: str) -> None:
        nonlocal edits
        index = edits
        edits += 1
        if index < count:
            if text != texts[index]:
                wrong_texts.append((index, text))
            edit_began[index] = time.perf_counter()
        if original_edit is not None:
            original_edit(text)
        if index < count:
            edit_ended[index] = time.perf_counter()

    def on_frame(now: float) -> None:
        nonlocal drawn, overtaken
        taken = min(edits, count)
        if taken == drawn:
            return
        # The frame shows the latest edit only once the box holds its text and the
        # session's filter is that text (set, first answer found, table and status told).
        if box.value != texts[taken - 1] or session.active_rows.query.text != box.value:
            return
        # Every key taken since the last such frame is in this one: an overtaken key's
        # latency runs to here, the first frame that shows its edit (and a later one's).
        overtaken += taken - drawn - 1
        for index in range(drawn, taken):
            framed[index] = now
        drawn = taken

    original_turn = session.slice_turn

    def timed_turn(step: Callable[[], None]) -> object:
        def run() -> None:
            began = time.perf_counter()
            step()
            slices.append(time.perf_counter() - began)

        if original_turn is None:
            asyncio.get_running_loop().call_soon(run)
            return None
        return original_turn(run)

    loop = asyncio.get_running_loop()

    def type_keys() -> None:
        # Like a terminal driver's input thread: each key is posted into the app's loop
        # when it is due, whatever the loop is doing. Due times are fixed from the start,
        # so a late wake-up does not push the later keys back.
        start = time.perf_counter() + interval_s
        for index, key in enumerate(keys):
            due[index] = start + index * interval_s
            wait = due[index] - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            event = terminal_key(key)
            event.set_sender(app)
            posted[index] = time.perf_counter()
            loop.call_soon_threadsafe(app.post_message, event)

    box.on_edit = on_edit
    frames.listener = on_frame
    session.slice_turn = timed_turn
    diagnosing = session.report is None
    probe = LagProbe()
    probe.start()
    sender = threading.Thread(target=type_keys, name="typist", daemon=True)
    sender.start()
    try:
        # polled seldom: the loop being measured is this one
        timeout = 60 + count * interval_s
        await _wait(lambda: drawn >= count, timeout, "every typed key drawn", poll_s=0.05)
    finally:
        await probe.stop()
        sender.join()
        box.on_edit = original_edit
        frames.listener = None
        session.slice_turn = original_turn
    if wrong_texts or edits != count:
        raise RuntimeError(f"the box took {edits} edits of {count}; unexpected: {wrong_texts[:5]}")

    def spans(ends: Sequence[float | None], starts: Sequence[float | None]) -> list[float]:
        out = []
        for end, begin in zip(ends, starts, strict=True):
            assert end is not None and begin is not None
            out.append(end - begin)
        return out

    return {
        "typed_keys": count,
        "typed_interval_s": interval_s,
        "typed_latencies_s": spans(framed, due),
        "typed_overtaken": overtaken,
        # where each key's time went: waiting to be read (queued behind the loop's other
        # work), the filter applied (its first answer), then until the frame showed it
        "typed_queued_s": spans(edit_began, due),
        "typed_apply_s": spans(edit_ended, edit_began),
        "typed_to_frame_s": spans(framed, edit_ended),
        "typed_send_late_max_s": max(p - d for p, d in zip(posted, due, strict=True)),
        "typed_slices": len(slices),
        "typed_slice_worst_s": max(slices, default=0.0),
        "typed_stall_worst_s": probe.worst,
        "typed_stalls_over_50ms": probe.over_50ms,
        # the push diagnosis (a thread, about a minute at 1M) still running: it competes
        # for the interpreter lock (it gives way while keys arrive: browse.screen_first)
        "typed_diagnosing_at_start": diagnosing,
        "typed_diagnosing_at_end": session.report is None,
    }


async def first_row_samples(args: argparse.Namespace, count: int) -> list[float]:
    samples: list[float] = []
    for _ in range(count):
        samples.append(await first_row_once(args))
        # Each sample starts from an idle server, as a user opening the app would: the
        # run before closed with requests in flight (at 1M, 1000-row pages) that the
        # server still works on after the client has gone.
        await asyncio.sleep(FIRST_ROW_PAUSE_S)
    return samples


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    if args.first_row_only:
        # A process of its own (`run.py`): the apps opened for these samples would
        # otherwise raise the peak RSS that the full load's process reports.
        return {"first_row_samples_s": await first_row_samples(args, args.first_row_runs)}
    # The extra first-row runs come first: after the full load, that app's diagnosis
    # goes on in a thread (about a minute at 1M) and would compete for the interpreter.
    extra = await first_row_samples(args, max(0, args.first_row_runs - 1))
    result = await full_load(args)
    result["first_row_samples_s"] = [result["first_row_s"], *extra]
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.tui_probe")
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--service", required=True)
    parser.add_argument("--account-sid", required=True)
    parser.add_argument("--auth-token", required=True)
    parser.add_argument("--size", type=int, required=True)
    parser.add_argument("--first-row-runs", type=int, default=3)
    parser.add_argument(
        "--first-row-only",
        action="store_true",
        help="only the first-row samples (--first-row-runs of them), no full load",
    )
    parser.add_argument("--filter", action="store_true", help="figures 3 and 3b")
    parser.add_argument(
        "--type-interval-ms",
        type=float,
        default=TYPE_INTERVAL_S * 1000,
        help="figure 3b: key to key, typed without waiting for the app (0: skip 3b)",
    )
    parser.add_argument(
        "--queries",
        type=lambda text: [q for q in text.split(",") if q],
        default=list(QUERIES),
        help="the filter queries typed and deleted, comma-separated",
    )
    args = parser.parse_args(argv)
    result = asyncio.run(main_async(args))
    if not args.first_row_only and result["loaded"] != args.size:
        print(f"loaded {result['loaded']} of {args.size}", file=sys.stderr)
        return 1
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
