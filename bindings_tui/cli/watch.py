"""`bindings-tui watch`: list a service's bindings (or some identities' bindings) every
interval and print one line per change.

The first listing prints a baseline line; then `added`, `removed` and `changed` (with the
fields) as they are seen, and a notice when Twilio rate-limits the watch (the interval
doubles) or a refresh fails (it goes on). `-o jsonl` prints one JSON object per line for
all of them. Ctrl+C (or SIGTERM, as a supervisor or `kill` sends) is the way to end a
watch, so it exits 0 after a summary line on stderr; an auth error or a missing service
ends it with one line and exit 1.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, TextIO

from bindings_tui.cli import argtypes
from bindings_tui.cli.common import PROG, make_client, service_of
from bindings_tui.textsafe import clip, make_visible

COMMAND: Final = "watch"
FORMATS: Final = ("table", "jsonl")


def add_watch_parser(sub: Any, parents: list[argparse.ArgumentParser]) -> None:
    from bindings_tui.watch import DEFAULT_INTERVAL, MIN_INTERVAL

    p = sub.add_parser(
        COMMAND,
        parents=parents,
        help="print bindings as they are added, removed or changed",
        description="List the bindings every interval and print one line per change "
        "(Ctrl+C stops; exit 0).",
    )
    p.add_argument(
        "--identity",
        type=argtypes.identity,
        action="append",
        default=[],
        help="watch only these identities (repeatable)",
    )
    p.add_argument(
        "--interval",
        type=argtypes.watch_interval,
        default=DEFAULT_INTERVAL,
        metavar="SECONDS",
        help=f"seconds between listings, at least {MIN_INTERVAL:g} (default {DEFAULT_INTERVAL:g})",
    )
    p.add_argument("-o", "--output", choices=FORMATS, default="table", help="output format")


@dataclass(slots=True)
class Tally:
    """What the watch saw, for the last line after Ctrl+C."""

    refreshes: int = 0
    added: int = 0
    removed: int = 0
    changed: int = 0

    def line(self) -> str:
        return (
            f"{PROG}: stopped watching after {self.refreshes} listing(s): "
            f"+{self.added} -{self.removed} ~{self.changed}"
        )


def _clock_text(moment: datetime) -> str:
    return moment.astimezone().strftime("%H:%M:%S")


def _cell(value: str | None, width: int) -> str:
    return clip(make_visible(value), width) if value else "-"


class WatchPrinter:
    """Renders watch updates: aligned lines (server text inert), or JSON lines."""

    def __init__(self, out: TextIO, output: str, what: str) -> None:
        self.out = out
        self.jsonl = output == "jsonl"
        self.what = what  # "IS... (identity alice)"

    def _write(self, line: str) -> None:
        self.out.write(line + "\n")
        self.out.flush()  # a watch is read as it happens

    def _json(self, record: dict[str, Any]) -> None:
        from bindings_tui.output import json_dumps

        self._write(json_dumps(record))

    def baseline(self, at: datetime, count: int, interval: float) -> None:
        if self.jsonl:
            self._json(
                {
                    "event": "watching",
                    "time": at.isoformat(),
                    "target": self.what,
                    "count": count,
                    "interval": interval,
                }
            )
            return
        self._write(
            f"{_clock_text(at)}  watching {count} binding(s) of {self.what} "
            f"every {interval:g} s (Ctrl+C stops)"
        )

    def event(self, event: Any) -> None:
        binding = event.binding
        if self.jsonl:
            record: dict[str, Any] = {
                "event": str(event.kind),
                "time": event.at.isoformat(),
                "sid": binding.sid,
                "identity": binding.identity,
                "binding_type": binding.binding_type,
            }
            if event.fields:
                record["fields"] = list(event.fields)
            record["binding"] = binding.raw
            self._json(record)
            return
        line = (
            f"{_clock_text(event.at)}  {event.kind:<8} {_cell(binding.sid, 34):<34}  "
            f"{_cell(binding.identity, 32):<32}  {_cell(binding.binding_type, 8):<8}"
        )
        if event.fields:
            line += "  " + _cell(", ".join(event.fields), 80)
        self._write(line.rstrip())

    def notice(self, notice: Any) -> None:
        if self.jsonl:
            self._json(
                {
                    "event": "notice",
                    "kind": str(notice.kind),
                    "time": notice.at.isoformat(),
                    "message": notice.text,
                    "next_refresh": notice.next_refresh,
                }
            )
            return
        self._write(f"{_clock_text(notice.at)}  {make_visible(notice.text)}")


async def cmd_watch(args: argparse.Namespace, tally: Tally) -> int:
    from bindings_tui.request_checks import check_identities
    from bindings_tui.watch import Refresh, watch

    service = service_of(args)
    identities = list(check_identities(args.identity))
    what = service
    if identities:
        what += f" (identity {make_visible(clip(', '.join(identities), 100))})"
    printer = WatchPrinter(sys.stdout, args.output, what)
    _stop_on_sigterm()
    async with make_client(args) as client:

        async def list_once() -> Any:
            return await client.list_bindings(service, identities=identities)

        async for update in watch(list_once, interval=args.interval):
            if not isinstance(update, Refresh):
                printer.notice(update)
                continue
            tally.refreshes += 1
            if update.baseline:
                printer.baseline(update.at, len(update.bindings), args.interval)
            for event in update.events:
                setattr(tally, str(event.kind), getattr(tally, str(event.kind)) + 1)
                printer.event(event)
    return 0  # not reached: the watch ends with Ctrl+C or an error


def _stop_on_sigterm() -> None:
    """SIGTERM ends the watch as Ctrl+C does: the client closes, the summary is printed."""
    task = asyncio.current_task()
    if task is None:
        return
    # No signal handlers on Windows' loop or outside the main thread: Ctrl+C still works.
    with contextlib.suppress(NotImplementedError, RuntimeError):
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)


def run_watch(args: argparse.Namespace) -> int:
    """Run the watch until Ctrl+C or SIGTERM (exit 0, a summary on stderr) or an error."""
    tally = Tally()
    try:
        return asyncio.run(cmd_watch(args, tally))
    except (KeyboardInterrupt, asyncio.CancelledError):
        sys.stderr.write(tally.line() + "\n")
        return 0


__all__ = ["COMMAND", "Tally", "WatchPrinter", "add_watch_parser", "cmd_watch", "run_watch"]
