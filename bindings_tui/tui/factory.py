"""Build the app: for real credentials, for the demo, and for tests and screenshots.

The snapshot tests and `scripts/screenshots.py` both call `demo_app`, so the screenshots
come from the same code path as the tests.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

from bindings_tui.ages import Clock, fixed_clock, system_clock
from bindings_tui.demo import DEMO_BINDINGS, DEMO_LATENCY_MS, DEMO_PROFILE, DEMO_SEED
from bindings_tui.diagnostics import DiagnosticsSettings
from bindings_tui.models import ApiFlavor
from bindings_tui.retry import RetryPolicy
from bindings_tui.tui.app import BindingsApp
from bindings_tui.tui.context import AppContext, Backend, Guard, TransportFactory

TransportWrapper = Callable[[httpx.AsyncBaseTransport], httpx.AsyncBaseTransport]


@dataclass(frozen=True, slots=True)
class DemoOptions:
    seed: int = DEMO_SEED
    bindings: int = DEMO_BINDINGS
    latency_ms: float = DEMO_LATENCY_MS
    page_size: int | None = None
    api: ApiFlavor = ApiFlavor.CONVERSATIONS
    service_sid: str | None = None  # None: the first demo service
    open_picker: bool = False
    logged_out: bool = False  # start on the login screen


def demo_app(
    options: DemoOptions = DemoOptions(),
    *,
    clock: Clock | None = None,
    cursor_blink: bool = True,
    wrap_transport: TransportWrapper | None = None,
    retry: RetryPolicy | None = None,
    identity_debounce: float = 0.35,
    diagnostics: DiagnosticsSettings | None = None,
    guard: Guard | None = None,
    read_only_flag: bool = False,
) -> tuple[BindingsApp, Any]:
    """The app on an in-process fake Twilio. Returns (app, fake)."""
    from bindings_tui.fake_twilio import FAKE_BASE_URL, FAKE_NOW, FakeConfig, FakeTwilio

    fake = FakeTwilio(
        FakeConfig(seed=options.seed, bindings=options.bindings, latency_ms=options.latency_ms)
    )
    factory: TransportFactory = fake.transport
    if wrap_transport is not None:
        wrap = wrap_transport

        def factory() -> httpx.AsyncBaseTransport:
            return wrap(fake.transport())

    service = None if options.open_picker else (options.service_sid or fake.service_sids()[0])
    ctx = AppContext(
        api=options.api,
        credentials=None if options.logged_out else fake.credentials(),
        profile_name=DEMO_PROFILE,
        service_sid=service,
        backend=Backend(base_url=FAKE_BASE_URL, transport_factory=factory, retry=retry),
        clock=clock or _demo_clock(FAKE_NOW),
        demo=True,
        page_size=options.page_size,
        remember=False,
        identity_debounce=identity_debounce,
        diagnostics=diagnostics or DiagnosticsSettings(),
        guard=guard or Guard(),
        read_only_flag=read_only_flag,
    )
    return BindingsApp(ctx, cursor_blink=cursor_blink), fake


def _demo_clock(fake_now: datetime) -> Clock:
    """The demo's dates are relative to FAKE_NOW; show ages as of then, ticking from it."""
    start = system_clock()

    def clock() -> datetime:
        return fake_now + (system_clock() - start)

    return clock


__all__ = ["DemoOptions", "demo_app", "fixed_clock"]
