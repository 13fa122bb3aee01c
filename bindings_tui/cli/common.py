"""What every command shares: the global options (defined once), the client factory, and
the CLI's single error handler.

Global options work before and after the subcommand:
`bindings-tui --api chat list --service IS...` == `bindings-tui list --service IS... --api chat`.
Every command group registers its subparsers with `parents=[globals_parent()]`.
"""

from __future__ import annotations

import argparse
import gc
import logging
import math
import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Final, Protocol, TextIO

from bindings_tui.cli import argtypes
from bindings_tui.demo import DEMO_BINDINGS, DEMO_SEED
from bindings_tui.errors import BindingsError, ConfigError, InputError, ReadOnlyError
from bindings_tui.models import ApiFlavor
from bindings_tui.retry import RetryPolicy
from bindings_tui.sids import validate_sid
from bindings_tui.textsafe import clip, make_visible

if TYPE_CHECKING:
    from bindings_tui.client import TwilioClient
    from bindings_tui.credentials.api_credentials import ApiCredentials
    from bindings_tui.write_policy import WritePolicy

PROG: Final = "bindings-tui"
# Set by the parser on the parsed options: the command line's deepest (sub)command,
# e.g. `bindings-tui auth use`, whose --help an input error points to.
HELP_PROG: Final = "help_prog"
MAX_ERROR_CHARS: Final = 1000
API_CHOICES: Final = ("conversations", "chat")
DEFAULT_TIMEOUT: Final = 15.0
DEFAULT_RETRIES: Final = 5


class _DefaultApi(str):
    """The --api default: equal to "conversations" for every command, yet `find` (which
    searches both APIs unless an API is named) can tell it from an explicit choice."""


DEFAULT_API: Final = _DefaultApi("conversations")


def one_line(message: str, width: int = MAX_ERROR_CHARS) -> str:
    """Any message as one inert line: control characters (newlines included) made
    visible, markup-free, clipped. Every error line the CLI prints goes through here."""
    return clip(make_visible(message), width)


def err(message: str, stream: TextIO | None = None) -> None:
    """`bindings-tui: error: ...` on stderr, one inert line."""
    (stream or sys.stderr).write(f"{PROG}: error: {one_line(message)}\n")


class Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as one line plus a hint, exit 2.

    argparse quotes the user's text in its messages (`invalid choice: ...`,
    `unrecognized arguments: ...`): the line is made inert and clipped.
    `description_factory` builds a description only when help is shown, so a command's
    help text need not be imported to parse a command line.
    """

    def __init__(
        self, *args: Any, description_factory: Callable[[], str] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self._description_factory = description_factory

    def format_help(self) -> str:
        if self._description_factory is not None:
            self.description = self._description_factory()
        return super().format_help()

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        parsed, extras = super().parse_known_args(args, namespace)
        # A subcommand's parser returns first and sets it; its parents keep that one.
        if not hasattr(parsed, HELP_PROG):
            setattr(parsed, HELP_PROG, self.prog)
        return parsed, extras

    def parse_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> argparse.Namespace:
        parsed, extras = self.parse_known_args(args, namespace)
        if extras:
            # argparse reports these from the top parser: point to the subcommand's help.
            usage_error(f"unrecognized arguments: {' '.join(extras)}", help_prog_of(parsed))
        return parsed

    def error(self, message: str) -> Any:
        # Every error line starts `bindings-tui: error:`; the hint names the subcommand.
        usage_error(message, self.prog)


def usage_error(message: str, prog: str) -> Any:
    """One line and exit 2, pointing to `prog --help`."""
    sys.stderr.write(f"{PROG}: error: {one_line(message)}{help_hint(prog)}\n")
    raise SystemExit(2)


def help_hint(prog: str) -> str:
    return f" (see `{prog} --help`)"


def help_prog_of(args: argparse.Namespace | None) -> str:
    prog = getattr(args, HELP_PROG, None)
    return prog if isinstance(prog, str) else PROG


def add_global_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    """Options valid anywhere: the one definition. On subparsers (`suppress=True`) they
    default to SUPPRESS so a value given before the subcommand is not overwritten by the
    subparser's default."""

    def d(value: Any) -> Any:
        return argparse.SUPPRESS if suppress else value

    g = parser.add_argument_group("global options")
    g.add_argument(
        "--api",
        choices=API_CHOICES,
        default=d(DEFAULT_API),
        help="Conversations v1 (default) or Programmable Chat v2",
    )
    g.add_argument(
        "--base-url",
        type=argtypes.base_url,
        default=d(None),
        help="any Twilio-compatible server, e.g. the fake (http only to loopback)",
    )
    g.add_argument(
        "--profile", type=argtypes.profile_name, default=d(None), help="use this saved profile"
    )
    g.add_argument(
        "--region", type=argtypes.region, default=d(None), help="Twilio region (env TWILIO_REGION)"
    )
    g.add_argument(
        "--edge", type=argtypes.edge, default=d(None), help="Twilio edge (env TWILIO_EDGE)"
    )
    g.add_argument(
        "--service", type=argtypes.sid_text, default=d(None), metavar="IS...", help="service SID"
    )
    g.add_argument(
        "--timeout",
        type=argtypes.timeout_seconds,
        default=d(DEFAULT_TIMEOUT),
        help=f"seconds per request, at most {argtypes.MAX_TIMEOUT:g} (default 15)",
    )
    g.add_argument(
        "--retries",
        type=argtypes.retry_count,
        default=d(DEFAULT_RETRIES),
        help="retries of a failed GET (429, 5xx, network) before giving up, 0..20 (default 5)",
    )
    g.add_argument(
        "--read-only",
        action="store_true",
        default=d(False),
        help="refuse every delete (also BINDINGS_TUI_READ_ONLY=1, or read_only on a profile)",
    )
    g.add_argument("-v", "--verbose", action="store_true", default=d(False), help="debug log")


def globals_parent() -> argparse.ArgumentParser:
    """The parent every subparser takes: the global options, defaulting to SUPPRESS."""
    parent = Parser(add_help=False)
    add_global_options(parent, suppress=True)
    return parent


class ArgumentAdder(Protocol):
    """A parser or an argument group (argparse names no public type for both)."""

    def add_argument(self, *args: Any, **kwargs: Any) -> argparse.Action: ...


def add_demo_data_options(
    parser: ArgumentAdder,
    *,
    latency_ms: float,
    latency_note: str = "",
) -> None:
    """--seed, --bindings and --latency-ms: what the fake serves, for `--demo` (the TUI)
    and `fake-twilio` alike; only the latency's default differs."""
    parser.add_argument(
        "--seed", type=argtypes.seed, default=DEMO_SEED, help=f"data seed (default {DEMO_SEED})"
    )
    parser.add_argument(
        "--bindings",
        type=argtypes.fake_bindings,
        default=DEMO_BINDINGS,
        help=f"bindings in the first service, 0..{argtypes.MAX_FAKE_BINDINGS} "
        f"(default {DEMO_BINDINGS})",
    )
    parser.add_argument(
        "--latency-ms",
        type=argtypes.latency_ms,
        default=latency_ms,
        help=(
            "each response is sent this many ms after its request arrived, the fake's own"
            f" work included (default {latency_ms:g}{latency_note})"
        ),
    )


def add_output_option(parser: argparse.ArgumentParser, formats: Sequence[str]) -> None:
    parser.add_argument("-o", "--output", choices=formats, default="table", help="output format")


# ---- what a command reads from the options -------------------------------------------------


def api_of(args: argparse.Namespace) -> ApiFlavor:
    return ApiFlavor.parse(getattr(args, "api", None) or "conversations")


def service_of(args: argparse.Namespace) -> str:
    if not getattr(args, "service", None):
        raise InputError("--service IS... is required (list services with `bindings-tui services`)")
    sid: str = validate_sid("IS", args.service)
    return sid


def resolved_credentials(args: argparse.Namespace) -> ApiCredentials | None:
    """The credentials a command uses (--profile, environment, active profile), with
    --region/--edge applied (`ApiCredentials.at_location`); None when there are none."""
    from bindings_tui.credentials.resolve import resolve_credentials

    credentials = resolve_credentials(getattr(args, "profile", None))
    if credentials is None:
        return None
    return credentials.at_location(getattr(args, "region", None), getattr(args, "edge", None))


def write_policy_of(args: argparse.Namespace, credentials: ApiCredentials | None) -> WritePolicy:
    """Read-only or not, from --read-only, BINDINGS_TUI_READ_ONLY and the credentials'
    profile (`write_policy.resolve_write_policy`, the one resolver)."""
    from bindings_tui.write_policy import resolve_write_policy

    name = credentials.profile if credentials is not None else None
    profile_read_only = False
    if name:
        from bindings_tui.credentials.profiles import ProfileStore

        profile = ProfileStore().find(name)
        profile_read_only = profile is not None and profile.read_only
    return resolve_write_policy(
        bool(getattr(args, "read_only", False)),
        profile_name=name,
        profile_read_only=profile_read_only,
    )


def make_client(args: argparse.Namespace) -> TwilioClient:
    """A client for the resolved credentials, or for the in-process demo fake, with this
    run's write policy (read-only refuses deletes at the client)."""
    from bindings_tui.client import TwilioClient

    api = api_of(args)
    if getattr(args, "demo", False):
        from bindings_tui.fake_twilio import FAKE_BASE_URL, FakeConfig, FakeTwilio

        seed = getattr(args, "seed", None)
        count = getattr(args, "bindings", None)
        fake = FakeTwilio(
            FakeConfig(
                seed=DEMO_SEED if seed is None else seed,
                bindings=DEMO_BINDINGS if count is None else count,
            )
        )
        return TwilioClient(
            fake.credentials(),
            api,
            base_url=FAKE_BASE_URL,
            transport=fake.transport(),
            timeout=args.timeout,
            retry=retry_policy(args),
            write_policy=write_policy_of(args, None),
        )

    from bindings_tui.credentials.resolve import NO_CREDENTIALS_HELP

    creds = resolved_credentials(args)
    if creds is None:
        raise ConfigError(NO_CREDENTIALS_HELP)
    return TwilioClient(
        creds,
        api,
        base_url=args.base_url,
        timeout=args.timeout,
        retry=retry_policy(args),
        write_policy=write_policy_of(args, creds),
    )


def retry_policy(args: argparse.Namespace) -> RetryPolicy:
    # argparse checked both (argtypes); this guards callers that build a Namespace by hand.
    if not isinstance(args.retries, int) or not 0 <= args.retries <= argtypes.MAX_RETRIES:
        raise InputError(f"--retries is out of range: use 0..{argtypes.MAX_RETRIES}")
    timeout = args.timeout
    if not isinstance(timeout, int | float) or not math.isfinite(timeout):
        raise InputError("--timeout must be a finite number of seconds")
    if not 0 < timeout <= argtypes.MAX_TIMEOUT:
        raise InputError(f"--timeout must be within 0..{argtypes.MAX_TIMEOUT:g} seconds")
    return RetryPolicy(max_attempts=args.retries + 1)


# ---- the single error handler ----------------------------------------------------------------


def handle_errors(
    parser: Callable[[], argparse.ArgumentParser],
    run: Callable[[argparse.Namespace], int],
    argv: Sequence[str] | None,
) -> int:
    """Parse and run one command line; whatever happens, one line and an exit code.

    InputError: exit 2; any other BindingsError: exit 1; anything else (a bug, or a
    RecursionError/OverflowError/ValueError/UnicodeError from deep inside): one line
    `internal error (TypeName): ...`, exit 1, and a traceback only with -v (never with
    local variables, so no secret can be in it).
    """
    handler: logging.Handler | None = None
    verbose = False
    args: argparse.Namespace | None = None
    try:
        try:
            args = parser().parse_args(argv)
        except SystemExit as exc:  # usage error (already one line on stderr), --help, --version
            return exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 2
        verbose = bool(getattr(args, "verbose", False))
        handler = _setup_logging(verbose)
        return run(args)
    except ReadOnlyError as exc:
        err(exc.user_message())  # a refusal, not a mistake: no help to read
        return 2
    except InputError as exc:
        # Bad input found after parsing: the same pointer to the command's help.
        prog = help_prog_of(args)
        err(exc.user_message() + (help_hint(prog) if prog != PROG else ""))
        return 2
    except BindingsError as exc:
        err(exc.user_message())
        return 1
    except KeyboardInterrupt:
        err("interrupted")
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


class _KeptUntilExit:
    """Results kept alive until `end_process` (once `start_whole_process` ran)."""

    def __init__(self) -> None:
        self.holding = False
        self.values: list[object] = []


_KEPT = _KeptUntilExit()


def start_whole_process() -> None:
    """A command that is the process's own and ends it at once (`end_process`): what is
    alive now (the modules) is frozen out of the collector, and the collector stays off
    while the command runs (a listing's bindings live to the end, so each pass only walked
    them again: about 35 ms in a 16k diagnose; the cycles it would free are a few dozen
    small objects a request, freed moments later at exit). Results given to
    `keep_until_exit` are kept: freeing a big one object by object just before
    `os._exit` is wasted work (a 16k diagnosis's report: about 6 ms)."""
    gc.freeze()
    gc.disable()
    _KEPT.holding = True


def keep_until_exit(value: object) -> None:
    """Keep `value` alive until the process ends, when it will end at once; otherwise
    (tests, embedding, other commands) keep nothing."""
    if _KEPT.holding:
        _KEPT.values.append(value)


def end_process(code: int) -> None:
    """Flush stdout and stderr, then end the process with `code` at once (`os._exit`),
    skipping the interpreter's teardown: freeing every module and object one by one took
    about 40 ms after a 16k-binding list. Only for a command that leaves nothing else
    behind (`entry.ENDS_PROCESS_AT_ONCE`). Returns if a flush fails (a reader that went
    away), for the normal exit to deal with."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        return
    os._exit(code)


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
    err(f"internal error ({name}): {detail}" if detail else f"internal error ({name})")
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


__all__ = [
    "DEFAULT_API",
    "PROG",
    "Parser",
    "add_global_options",
    "add_output_option",
    "api_of",
    "end_process",
    "err",
    "globals_parent",
    "handle_errors",
    "keep_until_exit",
    "make_client",
    "one_line",
    "resolved_credentials",
    "retry_policy",
    "service_of",
    "start_whole_process",
    "write_policy_of",
]
