"""The `bindings-tui` command line: the parser made of every command group, and `main`.

Without a command, the terminal UI starts. Each group module registers its subparsers
and runs its commands; their heavy imports (the client, keyring, the fake, Textual) wait
until a command runs, so parsing stays cheap for the TUI's start-up.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import Final

from bindings_tui import __version__
from bindings_tui.cli import auth, diagnose, fake, find, history, listing, tui, watch
from bindings_tui.cli.common import (
    PROG,
    Parser,
    add_global_options,
    end_process,
    globals_parent,
    handle_errors,
    start_whole_process,
)

DESCRIPTION: Final = "Browse, inspect and delete Twilio push-notification Bindings."


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog=PROG,
        description=DESCRIPTION,
        epilog="Without a command, the terminal UI starts.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    add_global_options(parser, suppress=False)
    tui.add_tui_arguments(parser)

    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    parents = [globals_parent()]
    listing.add_listing_parsers(sub, parents)
    fake.add_fake_parser(sub, parents)
    auth.add_auth_parser(sub, parents)
    diagnose.add_diagnose_parser(sub, parents)
    find.add_find_parser(sub)
    history.add_history_parser(sub, parents)
    watch.add_watch_parser(sub, parents)
    return parser


def _runner(command: str | None) -> Callable[[argparse.Namespace], int]:
    # Looked up on the module when the command runs (so tests can replace one).
    if command is None:
        return tui.run_tui
    if command in listing.COMMANDS:
        return listing.run_listing
    if command == fake.COMMAND:
        return fake.run_fake
    if command == "auth":
        return auth.run_auth
    if command == "diagnose":
        return diagnose.run_diagnose
    if command == find.COMMAND:
        return find.run_find
    if command == history.COMMAND:
        return history.run_history
    if command == watch.COMMAND:
        return watch.run_watch
    raise AssertionError(f"no runner for command {command!r}")  # argparse allows no other


def run(args: argparse.Namespace) -> int:
    return _runner(args.command)(args)


# Commands that leave nothing behind but what they wrote to stdout and stderr (no file
# open, no thread running, no atexit work): as the process's own command line, they end
# it as soon as that is flushed (`common.end_process`).
ENDS_PROCESS_AT_ONCE: Final = frozenset({"list", "diagnose"})


def main(argv: Sequence[str] | None = None) -> int:
    """The `bindings-tui` script: parse, run, and report any error as one line
    (`common.handle_errors`, the CLI's single error handler)."""
    ran: list[str | None] = []

    def run_noted(args: argparse.Namespace) -> int:
        ran.append(args.command)
        if argv is None and args.command in ENDS_PROCESS_AT_ONCE:
            start_whole_process()  # it ends with `end_process`, below
        return run(args)

    code = handle_errors(build_parser, run_noted, argv)
    if argv is None and ran and ran[0] in ENDS_PROCESS_AT_ONCE:
        end_process(code)  # returns only if the output could not be flushed
    return code


__all__ = ["build_parser", "main", "run"]
