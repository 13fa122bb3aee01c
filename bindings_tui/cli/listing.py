"""`bindings-tui services | list | show | delete`: the scriptable listing commands.

Each prints records as a table, CSV, JSON or JSONL (`output`); `delete` goes through the
one delete routine (`deletes.delete_many`) and reports one line per binding.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import AsyncGenerator, Callable, Coroutine
from functools import partial
from typing import TYPE_CHECKING, Any, Final

from bindings_tui.cli import argtypes
from bindings_tui.cli.common import (
    PROG,
    add_output_option,
    api_of,
    err,
    make_client,
    service_of,
)
from bindings_tui.errors import InputError
from bindings_tui.output import FORMATS
from bindings_tui.sids import validate_sid

if TYPE_CHECKING:
    from bindings_tui.client import TwilioClient
    from bindings_tui.models import Binding, JsonDict, Page
    from bindings_tui.raw_records import RawBinding

COMMANDS: Final = ("services", "list", "show", "delete")


def add_listing_parsers(sub: Any, parents: list[argparse.ArgumentParser]) -> None:
    """Register services, list, show and delete on the main parser's subparsers."""
    p = sub.add_parser("services", parents=parents, help="list the account's services")
    add_output_option(p, FORMATS)

    p = sub.add_parser("list", parents=parents, help="list a service's bindings")
    p.add_argument(
        "--identity",
        type=argtypes.identity,
        action="append",
        default=[],
        help="repeatable",
    )
    p.add_argument(
        "--type",
        type=argtypes.binding_type,
        action="append",
        default=[],
        dest="types",
        help="repeatable",
    )
    p.add_argument(
        "--page-size",
        type=argtypes.page_size,
        default=None,
        help="1..1000 (default 1000; if the server refuses it, the API spec's maximum)",
    )
    p.add_argument(
        "--limit",
        type=argtypes.limit,
        default=None,
        help="stop after the first N bindings in the server's order (one stream)",
    )
    p.add_argument(
        "--server-order",
        action="store_true",
        help="one stream in the server's order, instead of the default: one stream per "
        "binding type, output grouped by type (apn, gcm, fcm, twilsock)",
    )
    add_output_option(p, FORMATS)

    p = sub.add_parser("show", parents=parents, help="show one binding")
    p.add_argument("binding", type=argtypes.sid_text, metavar="BS...")
    add_output_option(p, FORMATS)

    p = sub.add_parser("delete", parents=parents, help="delete bindings")
    # Not `bindings`: that is --demo's --bindings (how many the demo fake serves).
    p.add_argument(
        "binding_sids", type=argtypes.sid_text, metavar="BS...", nargs="+", help="binding SIDs"
    )
    p.add_argument("-y", "--yes", action="store_true", help="do not ask for confirmation")
    p.add_argument(
        "--ignore-missing",
        action="store_true",
        help="a binding that does not exist is not an error (exit 0)",
    )


async def cmd_services(args: argparse.Namespace) -> int:
    from bindings_tui.output import service_writer

    writer = service_writer(sys.stdout, args.output)
    async with make_client(args) as client:
        async for page in client.iter_service_pages():
            writer.write(page.items)
    writer.close()
    return 0


async def cmd_list(args: argparse.Namespace) -> int:
    from bindings_tui.output import binding_writer
    from bindings_tui.request_checks import check_binding_types, check_identities, check_page_size

    service = service_of(args)
    api = api_of(args)
    check_binding_types(api, args.types)
    if args.page_size is not None:
        check_page_size(args.page_size)
    if args.limit is not None and args.limit < 1:
        raise InputError("--limit must be at least 1")
    identities = list(check_identities(args.identity))
    writer = binding_writer(sys.stdout, args.output)
    remaining = args.limit
    split = remaining is None and not getattr(args, "server_order", False)
    # json and jsonl write each record's JSON as sent: no need to parse it into a Binding.
    raw = args.output in ("json", "jsonl")
    async with make_client(args) as client:
        pages: AsyncGenerator[Page[Binding] | Page[RawBinding], None]
        if split:
            # One stream per type, written grouped by type (streams explains the order).
            from bindings_tui import streams

            in_type_order: Callable[..., Any] = (
                # A later type's page is encoded as it arrives, not when its turn comes.
                partial(streams.stream_raw_bindings_in_type_order, prepare=writer.prepare)
                if raw
                else streams.stream_bindings_in_type_order
            )
            pages = in_type_order(
                client,
                service,
                identities=identities,
                binding_types=args.types,
                page_size=args.page_size,
            )
        else:
            # --limit means the first N in the server's order: the one plain stream.
            plain = client.iter_raw_binding_pages if raw else client.iter_binding_pages
            pages = plain(  # type: ignore[assignment]
                service,
                identities=identities,
                binding_types=args.types,
                page_size=args.page_size,
            )
        try:
            async for page in pages:
                items = page.items if remaining is None else page.items[:remaining]
                writer.write(items)
                if remaining is not None:
                    remaining -= len(items)
                    if remaining <= 0:
                        break
        finally:
            await pages.aclose()
    writer.close()
    if args.output == "table":
        sys.stderr.write(f"{writer.count} binding(s)\n")
    return 0


async def cmd_show(args: argparse.Namespace) -> int:
    from bindings_tui.output import binding_detail, binding_writer, json_dumps

    service = service_of(args)
    sid = validate_sid("BS", args.binding)
    async with make_client(args) as client:
        binding = await client.fetch_binding(service, sid)
    if args.output == "table":
        sys.stdout.write(binding_detail(binding))
    elif args.output == "json":
        sys.stdout.write(json_dumps(binding.raw, indent=2) + "\n")
    else:
        writer = binding_writer(sys.stdout, args.output)
        writer.write([binding])
        writer.close()
    return 0


# The confirmation lists at most this many bindings, then says how many more.
PROMPT_LISTS: Final = 20


def _require_terminal() -> None:
    # Checked before the bindings are read for the prompt: no request without a terminal.
    if not sys.stdin.isatty():
        raise InputError("refusing to delete without --yes: standard input is not a terminal")


def _confirm(prompt: str) -> bool:
    _require_terminal()
    sys.stderr.write(prompt)
    sys.stderr.flush()
    answer = sys.stdin.readline().strip().lower()
    return answer in ("y", "yes")


async def _read_for_prompt(
    client: TwilioClient, service: str, sids: list[str]
) -> tuple[dict[str, JsonDict], list[str]]:
    """Each binding's JSON (one GET each, no retries; kept for the audit record, so the
    delete does not read it again) and one prompt line per binding: SID, type, identity."""
    from bindings_tui.errors import BindingsError, NotFoundError
    from bindings_tui.textsafe import clip, make_visible

    known: dict[str, JsonDict] = {}
    lines: list[str] = []
    for sid in sids:
        try:
            raw = await client.read_binding_once(service, sid)
        except NotFoundError:
            lines.append(f"  {sid}  (not found)")
            continue
        except BindingsError as exc:
            reason = clip(make_visible(exc.user_message()), 120)
            lines.append(f"  {sid}  (could not be read: {reason})")
            continue
        known[sid] = raw
        kind, identity = raw.get("binding_type"), raw.get("identity")
        kind_text = clip(make_visible(kind), 10) if isinstance(kind, str) and kind else "-"
        who = clip(make_visible(identity), 80) if isinstance(identity, str) and identity else "-"
        lines.append(f"  {sid}  {kind_text:<9} {who}")
    if len(lines) > PROMPT_LISTS:
        lines[PROMPT_LISTS:] = [f"  ... and {len(lines) - PROMPT_LISTS} more"]
    return known, lines


async def cmd_delete(args: argparse.Namespace) -> int:
    """Delete bindings through the one delete routine; one line per binding as it ends.

    Read-only (flag, environment or profile) refuses before asking or sending anything
    (exit 2). Every result is a line of the audit log (`audit`); when that log cannot be
    written nothing is deleted, and a line that failed mid-run is one error line and exit 1.
    Like kubectl, "not found" is an error unless --ignore-missing.
    """
    from bindings_tui.audit import AuditContext, AuditTrail
    from bindings_tui.deletes import DeleteOutcome, DeleteResult, delete_many

    service = service_of(args)
    sids = list(dict.fromkeys(validate_sid("BS", s) for s in args.binding_sids))
    api = api_of(args)
    ignore_missing = bool(getattr(args, "ignore_missing", False))

    def report(result: DeleteResult, done: int, total: int) -> None:
        counter = f" [{done}/{total}]" if total > 1 else ""
        if result.outcome.deleted or (
            ignore_missing and result.outcome is DeleteOutcome.BINDING_NOT_FOUND
        ):
            print(result.line() + counter, flush=True)
        else:
            err(result.line() + counter)

    async with make_client(args) as client:
        client.write_policy.check()  # read-only: one line, exit 2, nothing asked or sent
        creds = client.credentials
        # The bindings' JSON as read for the prompt: the audit records it, no second GET.
        known: dict[str, JsonDict] = {}
        trail = AuditTrail(
            AuditContext(creds.profile, creds.account_sid, api.value, "cli", bindings=known)
        )
        if not args.yes:
            _require_terminal()
            trail.check()  # a log that cannot be written: say so before asking
            read, lines = await _read_for_prompt(client, service, sids)
            known.update(read)
            listed = "".join(f"{line}\n" for line in lines)
            if not _confirm(
                f"Delete {len(sids)} binding(s) from {service} ({api.label}) "
                f"in {_account_words(creds.account_sid, creds.profile)}?\n{listed}[y/N] "
            ):
                # Declining is an answer, not a failure: exit 0 (1 is for API errors).
                sys.stderr.write("cancelled: nothing deleted\n")
                return 0
        if len(sids) > 1:
            sys.stderr.write(
                f"{PROG}: deleting {len(sids)} bindings from {service} ({api.label})\n"
            )
        results = await delete_many(client, service, sids, report, audit=trail)
    failed = [
        r
        for r in results
        if not r.outcome.deleted
        and not (ignore_missing and r.outcome is DeleteOutcome.BINDING_NOT_FOUND)
    ]
    if failed and len(sids) > 1:
        err(f"{len(failed)} of {len(sids)} binding(s) not deleted")
    if trail.failure is not None:
        err(f"audit log not written: {trail.failure}")
        return 1
    return 1 if failed else 0


def _account_words(account_sid: str, profile_name: str | None) -> str:
    """`account AC... (profile prod, PRODUCTION)`: what the confirmation names, inert."""
    from bindings_tui.credentials.profiles import ProfileStore
    from bindings_tui.textsafe import make_visible

    if not profile_name:
        return f"account {account_sid}"
    profile = ProfileStore().find(profile_name)
    label = f", {profile.label}" if profile is not None and profile.label else ""
    return make_visible(f"account {account_sid} (profile {profile_name}{label})")


ASYNC_COMMANDS: dict[str, Callable[[argparse.Namespace], Coroutine[Any, Any, int]]] = {
    "services": cmd_services,
    "list": cmd_list,
    "show": cmd_show,
    "delete": cmd_delete,
}


def run_listing(args: argparse.Namespace) -> int:
    """Run one of COMMANDS (looked up in ASYNC_COMMANDS when it runs)."""
    return asyncio.run(ASYNC_COMMANDS[args.command](args))


__all__ = [
    "ASYNC_COMMANDS",
    "COMMANDS",
    "add_listing_parsers",
    "cmd_delete",
    "cmd_list",
    "cmd_services",
    "cmd_show",
    "run_listing",
]
