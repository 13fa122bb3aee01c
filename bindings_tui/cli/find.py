"""`bindings-tui find IDENTITY...`: every binding of those users in every service of the
account, on both APIs unless one is named (`find_identities`).

Rows carry the API and the service; a service that could not be searched is one error
line on stderr, the rest is printed, and the exit code is 1 at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from contextlib import AsyncExitStack
from typing import TYPE_CHECKING, Any, Final

from bindings_tui.cli import argtypes
from bindings_tui.cli.common import DEFAULT_API, add_output_option, err, globals_parent
from bindings_tui.models import ApiFlavor
from bindings_tui.output import FORMATS

if TYPE_CHECKING:
    from bindings_tui.client import TwilioClient
    from bindings_tui.find_identities import FindReport

COMMAND: Final = "find"
API_CHOICES: Final = ("conversations", "chat", "all")


def add_find_parser(sub: Any) -> None:
    """Register `find`. Its `--api` also takes `all` (the default): its own parent of
    global options, so replacing `--api` there leaves every other command's alone."""
    p = sub.add_parser(
        COMMAND,
        parents=[globals_parent()],
        conflict_handler="resolve",
        help="find users' bindings in every service, on both APIs",
        description="List every binding of the identities in every service of the account "
        "(Conversations v1 and Chat v2 unless --api names one), one Identity-filtered "
        "listing per service, a few at a time.",
    )
    p.add_argument("identities", type=argtypes.identity, nargs="+", metavar="IDENTITY")
    p.add_argument(
        "--api",
        choices=API_CHOICES,
        default=argparse.SUPPRESS,
        help="search one API, or all (default: all)",
    )
    add_output_option(p, FORMATS)


def apis_of(args: argparse.Namespace) -> tuple[ApiFlavor, ...]:
    """Both APIs unless --api named one (before or after the command)."""
    value = getattr(args, "api", DEFAULT_API)
    if value is DEFAULT_API or value is None or value == "all":
        return (ApiFlavor.CONVERSATIONS, ApiFlavor.CHAT)
    return (ApiFlavor.parse(value),)


async def cmd_find(args: argparse.Namespace) -> int:
    from bindings_tui.cli.common import make_client
    from bindings_tui.find_identities import find_identities
    from bindings_tui.request_checks import check_identities

    identities = check_identities(args.identities)
    apis = apis_of(args)
    clients: dict[ApiFlavor, TwilioClient] = {}
    async with AsyncExitStack() as stack:
        for api in apis:
            # The same credentials and options; only the API differs.
            one = argparse.Namespace(**{**vars(args), "api": api.value})
            clients[api] = await stack.enter_async_context(make_client(one))
        report = await find_identities(clients.__getitem__, identities, apis)
    _write(report, args.output)
    return _report_failures(report)


def _write(report: FindReport, fmt: str) -> None:
    from bindings_tui.output import found_writer

    writer = found_writer(sys.stdout, fmt)
    writer.write(report.found)
    writer.close()
    if fmt == "table":
        services = len(report.with_bindings)
        searched = len(report.results)
        sys.stderr.write(
            f"{writer.count} binding(s) in {services} service(s); "
            f"{searched} service(s) searched on {' and '.join(a.label for a in report.apis)}\n"
        )


def _report_failures(report: FindReport) -> int:
    """One line per API or service that could not be searched; exit 1 if any."""
    for failure in report.api_failures:
        err(f"{failure.api.label}: could not list services: {failure.error.user_message()}")
    for result in report.failed:
        service = result.service
        name = f" ({service.friendly_name})" if service.friendly_name else ""
        error = result.error.user_message() if result.error else ""
        err(f"{service.api.label} service {service.sid}{name} not searched: {error}")
    return 0 if report.ok else 1


def run_find(args: argparse.Namespace) -> int:
    return asyncio.run(cmd_find(args))


__all__ = ["COMMAND", "add_find_parser", "apis_of", "cmd_find", "run_find"]
