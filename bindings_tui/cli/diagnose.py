"""`bindings-tui diagnose`: why does a user get no push? Findings for one service.

    bindings-tui diagnose --service IS... [-o table|json] [--stale-days N] [--pile-up N]
                          [--identity X ...] [--alerts-days N] [--max-alerts N]

With --identity, the answer leads with a verdict per identity: the most likely reasons
it gets no push, each with its evidence and what to do, or that nothing was found and
what was checked.

Exit 0 whenever the diagnosis ran, findings or not; errors go to the CLI's one handler
(`common.handle_errors`: BindingsError: one line, exit 1; InputError: exit 2).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, TextIO

from bindings_tui.cli import argtypes
from bindings_tui.cli.common import PROG, keep_until_exit, make_client, service_of
from bindings_tui.errors import BindingsError, InputError

# Parsing imports none of the diagnosis (issue 16): it is imported when the command runs.
DIAGNOSE_FORMATS = ("table", "json")


def add_diagnose_parser(subparsers: Any, parents: Sequence[argparse.ArgumentParser]) -> None:
    """Register `diagnose` on the main parser's subparsers (with the global options)."""
    p = subparsers.add_parser(
        "diagnose",
        parents=list(parents),
        help="find why pushes do not arrive (shared endpoints, stale tokens, credentials...)",
        description=(
            "Diagnose a service's push setup: endpoints shared by identities, piles of "
            "bindings, stale bindings, bindings without new_message, missing or mismatched "
            "credentials, APN sandbox credentials, legacy GCM, switched-off push types, and "
            "Twilio's own push alerts (Monitor, error codes 52xxx). Thresholds default to the "
            "[diagnostics] table of config.toml in the config directory."
        ),
    )
    p.add_argument(
        "--identity",
        action="append",
        type=argtypes.identity,
        default=None,
        metavar="IDENTITY",
        help="lead with the verdict for this identity: why it gets no push (repeatable)",
    )
    p.add_argument(
        "--alerts-days",
        type=argtypes.alerts_days,
        default=None,  # evidence.alerts.DEFAULT_ALERT_DAYS, read when the command runs
        metavar="N",
        help="read Twilio's alerts of the last N days (1..30, default 7)",
    )
    p.add_argument(
        "--max-alerts",
        type=argtypes.max_alerts,
        default=None,  # evidence.alerts.DEFAULT_MAX_ALERTS
        metavar="N",
        help="read at most N alerts (default 2000)",
    )
    p.add_argument("-o", "--output", choices=DIAGNOSE_FORMATS, default="table")
    p.add_argument(
        "--stale-days",
        type=argtypes.stale_days,
        default=None,
        metavar="N",
        help="stale: not updated for more than N days (default 60)",
    )
    p.add_argument(
        "--pile-up",
        type=argtypes.pile_up,
        default=None,
        metavar="N",
        help="pile-up: more than N bindings of one type for one identity (default 5)",
    )
    p.add_argument(
        "--full",
        action="store_true",
        # diagnose_render.DEFAULT_SHOWN_BINDINGS (tests keep the help's numbers true).
        help="table: list every binding of a finding (default: first 10)",
    )
    p.add_argument(
        "--now",
        default=None,
        metavar="ISO-8601",
        help="judge ages as of this time (default: now; with --demo, the fake's clock)",
    )
    p.add_argument(
        "--demo",
        action="store_true",
        default=argparse.SUPPRESS,
        help="diagnose the built-in fake Twilio (without --service, lists its services)",
    )


def run_diagnose(args: argparse.Namespace) -> int:
    return asyncio.run(diagnose(args, sys.stdout, sys.stderr))


def parse_now(value: str | None, demo: bool) -> datetime:
    if value is None:
        if demo:
            from bindings_tui.fake_twilio import FAKE_NOW

            return FAKE_NOW
        return datetime.now(UTC)
    return argtypes.iso_time(value)


def settings_profile(flag: str | None) -> str | None:
    """The profile whose thresholds apply: the one the credentials come from (the
    resolution order: --profile, then the environment, then the active profile)."""
    if flag:
        return flag
    from bindings_tui.credentials.api_credentials import credentials_from_env
    from bindings_tui.credentials.profiles import ProfileStore

    try:
        if credentials_from_env() is not None:
            return None
        active = ProfileStore().active()
    except BindingsError:
        return None  # the client reports bad credentials; thresholds fall back to defaults
    return active.name if active is not None else None


async def diagnose(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from bindings_tui.diagnose_reads import read_service
    from bindings_tui.diagnosis_settings import load_settings
    from bindings_tui.evidence.alerts import DEFAULT_ALERT_DAYS, DEFAULT_MAX_ALERTS, AlertWindow
    from bindings_tui.output import json_dumps
    from bindings_tui.textsafe import make_visible

    demo = bool(getattr(args, "demo", False))
    settings = load_settings(
        profile=None if demo else settings_profile(getattr(args, "profile", None)),
        pile_up_threshold=args.pile_up,
        stale_days=args.stale_days,
    )
    now = parse_now(args.now, demo)
    service = service_of(args) if args.service or not demo else None
    rules = _RulesImport()
    async with make_client(args) as client:
        if service is None:
            services = await client.list_services()
            choices = "; ".join(
                f"{s.sid} {make_visible(s.friendly_name or '')!r}" for s in services
            )
            raise InputError(f"--service IS... is required; the demo's services: {choices}")
        identities = tuple(dict.fromkeys(getattr(args, "identity", None) or ()))
        days, most = getattr(args, "alerts_days", None), getattr(args, "max_alerts", None)
        window = AlertWindow(
            days=DEFAULT_ALERT_DAYS if days is None else days,
            max_alerts=DEFAULT_MAX_ALERTS if most is None else most,
        )
        reads = await read_service(
            client, service, now, alerts=window, identities=identities, pages_seen=rules.start
        )
        api = client.api
    await rules.done()  # then these imports find their modules loaded
    from bindings_tui.cli.diagnose_render import (
        findings_json,
        render_table,
        render_verdicts,
        verdicts_json,
    )
    from bindings_tui.diagnose_run import diagnosis_of

    report = await asyncio.to_thread(
        diagnosis_of, reads, service, api, settings, now, window, identities
    )
    for problem in report.problems:
        err.write(f"{PROG}: warning: {make_visible(problem)}\n")
    if args.output == "json":
        document: object = (
            verdicts_json(report, identities) if identities else findings_json(report.findings)
        )
        out.write(json_dumps(document, indent=2) + "\n")
    elif identities:
        out.write(render_verdicts(report, identities, full=args.full))
    else:
        out.write(render_table(report, full=args.full))
    keep_until_exit(report)
    return 0


class _RulesImport:
    """Imports the diagnosis's rules and rendering (about 25 ms) in a thread once the first
    page has arrived: the requests are out by then, and the list takes many more round
    trips, so the import waits on the network instead of delaying the first request."""

    def __init__(self) -> None:
        self._future: asyncio.Future[None] | None = None

    def start(self, _page: object = None) -> None:
        if self._future is None:
            loop = asyncio.get_running_loop()
            self._future = loop.run_in_executor(None, _import_rules)

    async def done(self) -> None:
        """Once the rules are imported (here and now if the import never started)."""
        self.start()
        assert self._future is not None
        await self._future


def _import_rules() -> None:
    import bindings_tui.cli.diagnose_render  # noqa: F401  (it imports every rule)


__all__ = [
    "DIAGNOSE_FORMATS",
    "add_diagnose_parser",
    "diagnose",
    "parse_now",
    "run_diagnose",
    "settings_profile",
]
