"""Command-line entry point: the TUI by default, plus scriptable subcommands.

Global options work before and after the subcommand:
`bindings-tui --api chat list --service IS...` == `bindings-tui list --service IS... --api chat`.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import logging
import sys
from collections.abc import Callable, Coroutine, Sequence
from typing import TYPE_CHECKING, Any, TextIO

from bindings_tui import __version__, cli_input
from bindings_tui.errors import BindingsError, ConfigError, InputError
from bindings_tui.models import ApiFlavor
from bindings_tui.retry import RetryPolicy
from bindings_tui.sids import validate_sid

if TYPE_CHECKING:
    from bindings_tui.client import TwilioClient

PROG = "bindings-tui"


MAX_ERROR_CHARS = 1000


def one_line(message: str, width: int = MAX_ERROR_CHARS) -> str:
    """Any message as one inert line: control characters (newlines included) made
    visible, markup-free, clipped. Every error line the CLI prints goes through here."""
    from bindings_tui.textsafe import clip, make_visible

    return clip(make_visible(message), width)


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as one line plus a hint, exit 2.

    argparse quotes the user's text in its messages (`invalid choice: ...`,
    `unrecognized arguments: ...`): the line is made inert and clipped.
    """

    def error(self, message: str) -> Any:
        # Every error line starts `bindings-tui: error:`; the hint names the subcommand.
        self.exit(2, f"{PROG}: error: {one_line(message)} (see `{self.prog} --help`)\n")


def _global_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    """Options valid anywhere. On subparsers they default to SUPPRESS so a value given
    before the subcommand is not overwritten by the subparser's default."""

    def d(value: Any) -> Any:
        return argparse.SUPPRESS if suppress else value

    g = parser.add_argument_group("global options")
    g.add_argument(
        "--api",
        choices=("conversations", "chat"),
        default=d("conversations"),
        help="Conversations v1 (default) or Programmable Chat v2",
    )
    g.add_argument(
        "--base-url",
        type=cli_input.base_url,
        default=d(None),
        help="any Twilio-compatible server, e.g. the fake (http only to loopback)",
    )
    g.add_argument(
        "--profile", type=cli_input.profile_name, default=d(None), help="use this saved profile"
    )
    g.add_argument(
        "--region", type=cli_input.region, default=d(None), help="Twilio region (env TWILIO_REGION)"
    )
    g.add_argument(
        "--edge", type=cli_input.edge, default=d(None), help="Twilio edge (env TWILIO_EDGE)"
    )
    g.add_argument(
        "--service", type=cli_input.sid_text, default=d(None), metavar="IS...", help="service SID"
    )
    g.add_argument(
        "--timeout",
        type=cli_input.timeout_seconds,
        default=d(15.0),
        help=f"seconds per request, at most {cli_input.MAX_TIMEOUT:g} (default 15)",
    )
    g.add_argument(
        "--retries",
        type=cli_input.retry_count,
        default=d(5),
        help="retries of a failed GET (429, 5xx, network) before giving up, 0..20 (default 5)",
    )
    g.add_argument("-v", "--verbose", action="store_true", default=d(False), help="debug log")


def _output_option(parser: argparse.ArgumentParser) -> None:
    from bindings_tui.output import FORMATS

    parser.add_argument("-o", "--output", choices=FORMATS, default="table", help="output format")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description="Browse, inspect and delete Twilio push-notification Bindings.",
        epilog="Without a command, the terminal UI starts.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    _global_options(parser, suppress=False)
    common = _Parser(add_help=False)
    _global_options(common, suppress=True)
    _add_tui_arguments(parser)

    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser("services", parents=[common], help="list the account's services")
    _output_option(p)

    p = sub.add_parser("list", parents=[common], help="list a service's bindings")
    p.add_argument(
        "--identity",
        type=cli_input.identity,
        action="append",
        default=[],
        help="repeatable",
    )
    p.add_argument(
        "--type",
        type=cli_input.binding_type,
        action="append",
        default=[],
        dest="types",
        help="repeatable",
    )
    p.add_argument(
        "--page-size", type=cli_input.page_size, default=None, help="1..1000 (default: spec max)"
    )
    p.add_argument("--limit", type=cli_input.limit, default=None, help="stop after N bindings")
    _output_option(p)

    p = sub.add_parser("show", parents=[common], help="show one binding")
    p.add_argument("binding", type=cli_input.sid_text, metavar="BS...")
    _output_option(p)

    p = sub.add_parser("delete", parents=[common], help="delete bindings")
    p.add_argument("bindings", type=cli_input.sid_text, metavar="BS...", nargs="+")
    p.add_argument("-y", "--yes", action="store_true", help="do not ask for confirmation")
    p.add_argument(
        "--ignore-missing",
        action="store_true",
        help="a binding that does not exist is not an error (exit 0)",
    )

    _add_fake_parser(sub, common)
    _add_plugin_parsers(sub, common)
    return parser


def _optional_hook(module: str, function: str) -> Callable[..., None] | None:
    """A registration function from a face module, or None when that module is absent."""
    import importlib

    try:
        hook: Callable[..., None] = getattr(importlib.import_module(module), function)
    except (ImportError, AttributeError):
        return None
    return hook


def _add_tui_arguments(parser: argparse.ArgumentParser) -> None:
    hook = _optional_hook("bindings_tui.cli_tui", "add_tui_arguments")
    if hook is not None:
        hook(parser)


def _add_plugin_parsers(sub: Any, common: argparse.ArgumentParser) -> None:
    for module, function in (
        ("bindings_tui.cli_auth", "add_auth_parser"),
        ("bindings_tui.cli_diagnose", "add_diagnose_parser"),
    ):
        hook = _optional_hook(module, function)
        if hook is not None:
            hook(sub, [common])


def _add_fake_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "fake-twilio",
        parents=[common],
        help="run the local Twilio-compatible server",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=_fake_help(),
    )
    p.add_argument("--host", type=cli_input.listen_host, default="127.0.0.1")
    p.add_argument("--port", type=cli_input.port, default=4010)
    p.add_argument("--seed", type=cli_input.seed, default=7)
    p.add_argument(
        "--bindings",
        type=cli_input.fake_bindings,
        default=5000,
        help=f"bindings in the first service (0..{cli_input.MAX_FAKE_BINDINGS})",
    )
    p.add_argument(
        "--latency-ms",
        type=cli_input.latency_ms,
        default=0.0,
        help="simulated latency per request",
    )
    p.add_argument("--faults", type=cli_input.fault_spec, default="", help="fault spec, see above")


def _fake_help() -> str:
    try:
        from bindings_tui.fake_twilio import faults
    except ImportError:
        return "A local Twilio-compatible server with seeded data."
    text: str = getattr(faults, "FAULTS_HELP", "")
    return "A local Twilio-compatible server with seeded data.\n\n" + text


# ---- helpers ---------------------------------------------------------------------------


def _err(message: str, stream: TextIO | None = None) -> None:
    (stream or sys.stderr).write(f"{PROG}: error: {one_line(message)}\n")


def _api(args: argparse.Namespace) -> ApiFlavor:
    return ApiFlavor.parse(args.api)


def _service(args: argparse.Namespace) -> str:
    if not args.service:
        raise InputError("--service IS... is required (list services with `bindings-tui services`)")
    sid: str = validate_sid("IS", args.service)
    return sid


def make_client(args: argparse.Namespace) -> TwilioClient:
    """A client for the resolved credentials, or for the in-process demo fake."""
    from bindings_tui.client import TwilioClient

    api = _api(args)
    if getattr(args, "demo", False):
        from bindings_tui.fake_twilio import FAKE_BASE_URL, FakeConfig, FakeTwilio

        seed = getattr(args, "seed", None)
        count = getattr(args, "bindings", None)
        fake = FakeTwilio(
            FakeConfig(seed=7 if seed is None else seed, bindings=5000 if count is None else count)
        )
        return TwilioClient(
            fake.credentials(),
            api,
            base_url=FAKE_BASE_URL,
            transport=fake.transport(),
            timeout=args.timeout,
            retry=_retry_policy(args),
        )

    from bindings_tui.credentials.resolve import NO_CREDENTIALS_HELP, resolve_credentials

    creds = resolve_credentials(args.profile)
    if creds is None:
        raise ConfigError(NO_CREDENTIALS_HELP)
    if args.region or args.edge:
        # replace() runs ApiCredentials.__post_init__: the flags are validated again there.
        creds = dataclasses.replace(
            creds, region=args.region or creds.region, edge=args.edge or creds.edge
        )
    return TwilioClient(
        creds, api, base_url=args.base_url, timeout=args.timeout, retry=_retry_policy(args)
    )


def _retry_policy(args: argparse.Namespace) -> RetryPolicy:
    # argparse checked both (cli_input); this guards callers that build a Namespace by hand.
    import math

    if not isinstance(args.retries, int) or not 0 <= args.retries <= cli_input.MAX_RETRIES:
        raise InputError(f"--retries is out of range: use 0..{cli_input.MAX_RETRIES}")
    timeout = args.timeout
    if not isinstance(timeout, int | float) or not math.isfinite(timeout):
        raise InputError("--timeout must be a finite number of seconds")
    if not 0 < timeout <= cli_input.MAX_TIMEOUT:
        raise InputError(f"--timeout must be within 0..{cli_input.MAX_TIMEOUT:g} seconds")
    return RetryPolicy(max_attempts=args.retries + 1)


# ---- commands --------------------------------------------------------------------------


async def cmd_services(args: argparse.Namespace) -> int:
    from bindings_tui.output import SERVICE_COLUMNS, RecordWriter, service_csv_row, service_row

    writer = RecordWriter(sys.stdout, args.output, SERVICE_COLUMNS, service_row, service_csv_row)
    async with make_client(args) as client:
        async for page in client.iter_service_pages():
            writer.write(page.items)
    writer.close()
    return 0


async def cmd_list(args: argparse.Namespace) -> int:
    from bindings_tui.client import check_binding_types, check_identities, check_page_size
    from bindings_tui.output import BINDING_COLUMNS, RecordWriter, binding_csv_row, binding_row

    service = _service(args)
    api = _api(args)
    check_binding_types(api, args.types)
    if args.page_size is not None:
        check_page_size(args.page_size)
    if args.limit is not None and args.limit < 1:
        raise InputError("--limit must be at least 1")
    identities = list(check_identities(args.identity))
    writer = RecordWriter(sys.stdout, args.output, BINDING_COLUMNS, binding_row, binding_csv_row)
    remaining = args.limit
    async with make_client(args) as client:
        pages = client.iter_binding_pages(
            service,
            identities=identities,
            binding_types=args.types,
            page_size=args.page_size,
        )
        async for page in pages:
            items = page.items if remaining is None else page.items[:remaining]
            writer.write(items)
            if remaining is not None:
                remaining -= len(items)
                if remaining <= 0:
                    break
    writer.close()
    if args.output == "table":
        sys.stderr.write(f"{writer.count} binding(s)\n")
    return 0


async def cmd_show(args: argparse.Namespace) -> int:
    from bindings_tui.output import (
        BINDING_COLUMNS,
        RecordWriter,
        binding_csv_row,
        binding_detail,
        binding_row,
    )

    service = _service(args)
    sid = validate_sid("BS", args.binding)
    async with make_client(args) as client:
        binding = await client.fetch_binding(service, sid)
    if args.output == "table":
        sys.stdout.write(binding_detail(binding))
    elif args.output == "json":
        from bindings_tui.output import json_dumps

        sys.stdout.write(json_dumps(binding.raw, indent=2) + "\n")
    else:
        writer = RecordWriter(
            sys.stdout, args.output, BINDING_COLUMNS, binding_row, binding_csv_row
        )
        writer.write([binding])
        writer.close()
    return 0


def _confirm(prompt: str) -> bool:
    if not sys.stdin.isatty():
        raise InputError("refusing to delete without --yes: standard input is not a terminal")
    sys.stderr.write(prompt)
    sys.stderr.flush()
    answer = sys.stdin.readline().strip().lower()
    return answer in ("y", "yes")


async def cmd_delete(args: argparse.Namespace) -> int:
    """Delete bindings through the one delete routine; one line per binding as it ends.

    Like kubectl, "not found" is an error unless --ignore-missing.
    """
    from bindings_tui.deletes import DeleteOutcome, DeleteResult, delete_many

    service = _service(args)
    sids = list(dict.fromkeys(validate_sid("BS", s) for s in args.bindings))
    api = _api(args)
    if not args.yes and not _confirm(
        f"Delete {len(sids)} binding(s) from {service} ({api.label})? [y/N] "
    ):
        sys.stderr.write("cancelled, nothing deleted\n")
        return 1
    ignore_missing = bool(getattr(args, "ignore_missing", False))

    def report(result: DeleteResult, done: int, total: int) -> None:
        counter = f" [{done}/{total}]" if total > 1 else ""
        if result.outcome.deleted or (
            ignore_missing and result.outcome is DeleteOutcome.BINDING_NOT_FOUND
        ):
            print(result.line() + counter, flush=True)
        else:
            _err(result.line() + counter)

    if len(sids) > 1:
        sys.stderr.write(f"{PROG}: deleting {len(sids)} bindings from {service} ({api.label})\n")
    async with make_client(args) as client:
        results = await delete_many(client, service, sids, report)
    failed = [
        r
        for r in results
        if not r.outcome.deleted
        and not (ignore_missing and r.outcome is DeleteOutcome.BINDING_NOT_FOUND)
    ]
    if failed:
        if len(sids) > 1:
            _err(f"{len(failed)} of {len(sids)} binding(s) not deleted")
        return 1
    return 0


def cmd_fake_twilio(args: argparse.Namespace) -> int:
    from bindings_tui.fake_twilio import (
        DEMO_ACCOUNT_SID,
        DEMO_AUTH_TOKEN,
        FakeConfig,
        parse_fault_spec,
        run_server,
    )

    # --port, --bindings, --latency-ms and --host were checked by argparse (cli_input).
    try:
        parse_fault_spec(args.faults)
    except ValueError as exc:
        raise InputError(f"--faults: {exc}") from None
    config = FakeConfig(
        seed=args.seed, bindings=args.bindings, latency_ms=args.latency_ms, faults=args.faults
    )
    host = f"[{args.host}]" if ":" in args.host else args.host  # checked: IP or host name
    sys.stderr.write(
        f"fake Twilio on http://{host}:{args.port}\n"
        f"  export TWILIO_ACCOUNT_SID={DEMO_ACCOUNT_SID} TWILIO_AUTH_TOKEN={DEMO_AUTH_TOKEN}\n"
        f"  bindings-tui --base-url http://{host}:{args.port} services\n"
    )
    sys.stderr.flush()
    run_server(config, host=args.host, port=args.port)
    return 0


ASYNC_COMMANDS: dict[str, Callable[[argparse.Namespace], Coroutine[Any, Any, int]]] = {
    "services": cmd_services,
    "list": cmd_list,
    "show": cmd_show,
    "delete": cmd_delete,
}


def _setup_logging(verbose: bool) -> logging.Handler | None:
    """Debug log to stderr for -v. The client logs method, path and status, never headers."""
    if not verbose:
        return None
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    logger = logging.getLogger("bindings_tui")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    return handler


def _teardown_logging(handler: logging.Handler | None) -> None:
    # main() may run many times in one process (tests, embedding): leave no handler behind.
    if handler is not None:
        logger = logging.getLogger("bindings_tui")
        logger.removeHandler(handler)
        logger.setLevel(logging.NOTSET)


def run(args: argparse.Namespace) -> int:
    command = args.command
    if command is None:
        from bindings_tui.cli_tui import run_tui

        return run_tui(args)
    if command == "fake-twilio":
        return cmd_fake_twilio(args)
    if command == "auth":
        from bindings_tui.cli_auth import run_auth

        return run_auth(args)
    if command == "diagnose":
        from bindings_tui.cli_diagnose import run_diagnose

        return run_diagnose(args)
    return asyncio.run(ASYNC_COMMANDS[command](args))


def main(argv: Sequence[str] | None = None) -> int:
    """The CLI's single error handler: whatever happens, one line and an exit code.

    InputError: exit 2; any other BindingsError: exit 1; anything else (a bug, or a
    RecursionError/OverflowError/ValueError/UnicodeError from deep inside): one line
    `internal error (TypeName): ...`, exit 1, and a traceback only with -v (never with
    local variables, so no secret can be in it).
    """
    handler: logging.Handler | None = None
    verbose = False
    try:
        parser = build_parser()
        try:
            args = parser.parse_args(argv)
        except SystemExit as exc:  # usage error (already one line on stderr), --help, --version
            return exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 2
        verbose = bool(getattr(args, "verbose", False))
        handler = _setup_logging(verbose)
        return run(args)
    except InputError as exc:
        _err(exc.user_message())
        return 2
    except BindingsError as exc:
        _err(exc.user_message())
        return 1
    except KeyboardInterrupt:
        _err("interrupted")
        return 130
    except BrokenPipeError:
        # `bindings-tui list | head`: the reader went away; that is not an error.
        _quiet_stdout()
        return 0
    except RecursionError as exc:
        # Checked first: formatting a traceback of a deep recursion may recurse itself.
        return _internal_error(exc, verbose=False)
    except Exception as exc:
        return _internal_error(exc, verbose=verbose)
    finally:
        _teardown_logging(handler)


def _internal_error(exc: BaseException, *, verbose: bool) -> int:
    if verbose:
        import traceback

        # The plain traceback: no frame locals (capture_locals stays off).
        text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        for line in text.rstrip("\n").splitlines():
            sys.stderr.write(f"{PROG}: debug: {one_line(line)}\n")
    try:
        detail = str(exc)
    except Exception:  # a hostile __str__ must not escape the handler
        detail = ""
    name = type(exc).__name__
    _err(f"internal error ({name}): {detail}" if detail else f"internal error ({name})")
    return 1


def _quiet_stdout() -> None:
    """After EPIPE, point stdout at devnull so the interpreter's final flush is silent."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass
