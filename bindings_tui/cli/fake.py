"""`bindings-tui fake-twilio`: the local Twilio-compatible server, over a socket.

The fake itself (and uvicorn) is imported only when the command runs or its help is shown.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any, Final

from bindings_tui.cli import argtypes
from bindings_tui.cli.common import add_demo_data_options
from bindings_tui.demo import FAKE_HOST, FAKE_LATENCY_MS, FAKE_PORT
from bindings_tui.errors import InputError

COMMAND: Final = "fake-twilio"
_SUMMARY: Final = "A local Twilio-compatible server with seeded data."


def add_fake_parser(sub: Any, parents: list[argparse.ArgumentParser]) -> None:
    """Register `fake-twilio` on the main parser's subparsers (a `common.Parser` class)."""
    p = sub.add_parser(
        COMMAND,
        parents=parents,
        help="run the local Twilio-compatible server",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=_SUMMARY,
        description_factory=fake_help,
    )
    p.add_argument("--host", type=argtypes.listen_host, default=FAKE_HOST)
    p.add_argument("--port", type=argtypes.port, default=FAKE_PORT)
    add_demo_data_options(p, latency_ms=FAKE_LATENCY_MS)
    p.add_argument("--faults", type=argtypes.fault_spec, default="", help="fault spec, see above")
    p.add_argument(
        "--now",
        type=argtypes.fake_now,
        default=None,
        metavar="ISO-8601",
        help="the instant the seeded dates are relative to (default: when the server "
        "starts, so the data ages as the demo's does against its own clock)",
    )
    p.add_argument(
        "--strict-page-size",
        action="store_true",
        help="answer 400 (naming PageSize) above the OpenAPI spec's maximum (Bindings: 100 "
        "in v1, 50 in v2) instead of honouring up to 1000 as Twilio's API reference says",
    )


def fake_help() -> str:
    """The command's description with the fault spec's help (read when help is shown)."""
    from bindings_tui.fake_twilio import FAULTS_HELP
    from bindings_tui.fake_twilio.admin import ADMIN_HELP

    return f"{_SUMMARY}\n\n{FAULTS_HELP}\n\n{ADMIN_HELP}"


def run_fake(args: argparse.Namespace) -> int:
    from bindings_tui.fake_twilio import (
        DEMO_ACCOUNT_SID,
        DEMO_AUTH_TOKEN,
        FakeConfig,
        parse_fault_spec,
        run_server,
    )

    # --port, --bindings, --latency-ms and --host were checked by argparse (argtypes).
    try:
        parse_fault_spec(args.faults)
    except ValueError as exc:
        raise InputError(f"--faults: {exc}") from None
    # The seeded dates end at the real start time: `diagnose` with the real clock sees
    # the same ages (and findings) as `--demo` with its fixed one.
    now = int(args.now.timestamp()) if args.now is not None else int(time.time())
    config = FakeConfig(
        now=now,
        seed=args.seed,
        bindings=args.bindings,
        latency_ms=args.latency_ms,
        faults=args.faults,
        strict_page_size=args.strict_page_size,
    )
    host = f"[{args.host}]" if ":" in args.host else args.host  # checked: IP or host name
    sys.stderr.write(
        f"fake Twilio on http://{host}:{args.port}\n"
        f"  export TWILIO_ACCOUNT_SID={DEMO_ACCOUNT_SID} TWILIO_AUTH_TOKEN={DEMO_AUTH_TOKEN}\n"
        f"  bindings-tui --base-url http://{host}:{args.port} services\n"
        f"  seeded dates end at {_utc(now)} UTC\n"
        f"  another client's changes: POST /_fake/bindings (see `{COMMAND} --help`)\n"
    )
    sys.stderr.flush()
    run_server(config, host=args.host, port=args.port)
    return 0


def _utc(epoch: int) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(epoch))


__all__ = ["COMMAND", "add_fake_parser", "fake_help", "run_fake"]
