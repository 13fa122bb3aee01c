"""`bindings-tui history`: what the delete audit log remembers (a record, not an undo).

Reads audit.jsonl and its rotated files, oldest first (`audit.AuditLog.read`); filters by
service, identity and time (`history.HistoryFilter`); prints a table, JSON, JSONL or CSV.
A corrupt line is skipped with one warning line on stderr.
"""

from __future__ import annotations

import argparse
import csv
import sys
from typing import Any, Final

from bindings_tui.cli import argtypes
from bindings_tui.cli.common import PROG, add_output_option, globals_parent, one_line

COMMAND: Final = "history"


def add_history_parser(sub: Any, parents: list[argparse.ArgumentParser]) -> None:
    # This command's --service (repeatable) replaces the global one. "resolve" edits the
    # conflicting action in place, so it works on a private copy of the global options,
    # never on the parent every other command shares. A --service before the command counts.
    del parents
    p = sub.add_parser(
        COMMAND,
        parents=[globals_parent()],
        conflict_handler="resolve",
        help="the deletes the audit log remembers (a record, not an undo)",
        description=(
            "Every delete, from the CLI or the TUI, is one line of the audit log in the data "
            "directory (BINDINGS_TUI_DATA_DIR, else the platform's). A deleted binding cannot "
            "be restored: the device has to register again."
        ),
    )
    p.add_argument(
        "--service",
        dest="history_services",
        type=argtypes.sid_text,
        action="append",
        default=[],
        metavar="IS...",
        help="only this service (repeatable)",
    )
    p.add_argument("--identity", type=argtypes.identity, default=None, help="only this identity")
    p.add_argument(
        "--since", default=None, metavar="WHEN", help="7d, 24h, 30m, 2w, or an ISO date/time"
    )
    add_output_option(p, ("table", "json", "jsonl", "csv"))


def run_history(args: argparse.Namespace) -> int:
    from bindings_tui.audit import AuditLog, utc_now
    from bindings_tui.history import (
        CSV_FIELDS,
        HISTORY_COLUMNS,
        HistoryFilter,
        history_csv_row,
        history_row,
        parse_since,
    )
    from bindings_tui.output import TableWriter, json_dumps
    from bindings_tui.sids import validate_sid

    services = [validate_sid("IS", s) for s in args.history_services]
    if getattr(args, "service", None):
        services.append(validate_sid("IS", args.service))
    since = parse_since(args.since, utc_now()) if args.since is not None else None
    selection = HistoryFilter(frozenset(services), args.identity, since)

    def warn(message: str) -> None:
        sys.stderr.write(f"{PROG}: warning: {one_line(message)}\n")

    log = AuditLog()
    records = selection.select(log.read(warn))
    out = sys.stdout
    count = 0
    if args.output == "table":
        table = TableWriter(out, HISTORY_COLUMNS)
        table.write([])  # the header, even when nothing matches
        for record in records:
            table.write([history_row(record)])
            count += 1
        sys.stderr.write(f"{count} delete(s) in {one_line(str(log.directory))}\n")
    elif args.output == "csv":
        writer = csv.writer(out)
        writer.writerow(CSV_FIELDS)
        for record in records:
            writer.writerow(history_csv_row(record))
    elif args.output == "jsonl":
        for record in records:
            out.write(json_dumps(record) + "\n")
    else:
        out.write(json_dumps(list(records), indent=2) + "\n")
    out.flush()
    return 0


__all__ = ["COMMAND", "add_history_parser", "run_history"]
