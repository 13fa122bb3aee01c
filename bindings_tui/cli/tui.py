"""The terminal UI's command-line side: its flags, and `run_tui`.

Textual, the app and the fake are imported only in `run_tui`, so building the parser for
any other command costs none of them.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from bindings_tui.cli import argtypes
from bindings_tui.cli.common import add_demo_data_options, api_of, resolved_credentials
from bindings_tui.demo import DEMO_BINDINGS, DEMO_LATENCY_MS, DEMO_SEED
from bindings_tui.errors import BindingsError, ConfigError
from bindings_tui.models import ApiFlavor
from bindings_tui.sids import validate_sid

if TYPE_CHECKING:
    from bindings_tui.tui.context import AppContext


def add_tui_arguments(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("terminal UI options")
    g.add_argument(
        "--demo",
        action="store_true",
        help="run against the embedded fake Twilio (no credentials, no network)",
    )
    add_demo_data_options(g, latency_ms=DEMO_LATENCY_MS, latency_note=", so loading is visible")
    g.add_argument(
        "--page-size",
        type=argtypes.page_size,
        default=None,
        help="bindings per page, 1..1000 (default: spec max)",
    )


def _api_given(argv: Sequence[str]) -> bool:
    return any(a == "--api" or a.startswith("--api=") for a in argv)


def run_tui(args: argparse.Namespace) -> int:
    from bindings_tui.request_checks import check_page_size

    api = api_of(args)
    page_size = getattr(args, "page_size", None)
    if page_size is not None:
        check_page_size(page_size)
    service = getattr(args, "service", None)
    if service:
        service = validate_sid("IS", service)

    from bindings_tui.diagnose_run import load_settings
    from bindings_tui.tui.app import BindingsApp

    if getattr(args, "demo", False):
        settings = load_settings()  # a broken config.toml stops here with one line
        from bindings_tui.tui.factory import DemoOptions, demo_app

        bindings = getattr(args, "bindings", DEMO_BINDINGS)
        if bindings is None or bindings < 0:
            raise ConfigError("--bindings must be 0 or more")
        from bindings_tui.tui.context import guard_for

        read_only_flag = bool(getattr(args, "read_only", False))
        app, _fake = demo_app(
            DemoOptions(
                seed=getattr(args, "seed", DEMO_SEED),
                bindings=bindings,
                latency_ms=max(getattr(args, "latency_ms", DEMO_LATENCY_MS) or 0.0, 0.0),
                page_size=page_size,
                api=api,
                service_sid=service,
            ),
            diagnostics=settings,
            guard=guard_for(read_only_flag, None),  # the flag and BINDINGS_TUI_READ_ONLY
            read_only_flag=read_only_flag,
        )
    else:
        ctx = _real_context(args, api, service, page_size)
        ctx.diagnostics = load_settings(profile=ctx.profile_name)
        app = BindingsApp(ctx)
    result = app.run()
    if app.return_code:
        # Only an exception that escaped every guard gets here; Textual's traceback (with
        # locals) went to a discarded console (BindingsApp), so say it in one line.
        raise BindingsError("the terminal UI stopped on an internal error")
    return int(result or 0)


def _real_context(
    args: argparse.Namespace, api: ApiFlavor, service: str | None, page_size: int | None
) -> AppContext:
    from bindings_tui.credentials.profiles import ProfileStore
    from bindings_tui.tui.context import AppContext, Backend, guard_for

    profile_name: str | None = getattr(args, "profile", None)
    credentials = resolved_credentials(args)
    profile = None
    try:
        store = ProfileStore()
        if profile_name:
            profile = store.find(profile_name)
        elif credentials is None or credentials.source.startswith("profile"):
            profile = store.active()
    except BindingsError:
        profile = None
    if profile is not None:
        profile_name = profile.name
        if not _api_given(sys.argv[1:]):
            api = ApiFlavor.parse(profile.default_api)
        if service is None and profile.last_service_sid and profile.default_api == api.value:
            service = profile.last_service_sid

    return AppContext(
        api=api,
        credentials=credentials,
        profile_name=profile_name,
        service_sid=service,
        backend=Backend(base_url=getattr(args, "base_url", None), timeout=args.timeout),
        page_size=page_size,
        # Read-only (--read-only, BINDINGS_TUI_READ_ONLY, the profile) and the label.
        guard=guard_for(bool(getattr(args, "read_only", False)), profile_name),
        read_only_flag=bool(getattr(args, "read_only", False)),
    )


__all__ = ["add_tui_arguments", "run_tui"]
