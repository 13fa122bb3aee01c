"""What the app runs against: credentials, API, the backend (real Twilio or the demo fake)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from bindings_tui.ages import Clock, system_clock
from bindings_tui.client import DEFAULT_TIMEOUT, TwilioClient
from bindings_tui.credentials import ApiCredentials
from bindings_tui.diagnostics import DiagnosticsSettings
from bindings_tui.models import ApiFlavor
from bindings_tui.retry import RetryPolicy
from bindings_tui.watch import Sleep

TransportFactory = Callable[[], httpx.AsyncBaseTransport]


@dataclass(frozen=True, slots=True)
class Backend:
    """Where API calls go. The demo and the tests give the fake's in-process transport."""

    base_url: str | None = None
    transport_factory: TransportFactory | None = None
    timeout: httpx.Timeout | float = field(default_factory=lambda: DEFAULT_TIMEOUT)
    retry: RetryPolicy | None = None

    def transport(self) -> httpx.AsyncBaseTransport | None:
        return None if self.transport_factory is None else self.transport_factory()

    def client(self, credentials: ApiCredentials, api: ApiFlavor) -> TwilioClient:
        return TwilioClient(
            credentials,
            api,
            base_url=self.base_url,
            transport=self.transport(),
            timeout=self.timeout,
            retry=self.retry,
        )


@dataclass(frozen=True, slots=True)
class Session:
    """Who is logged in and which API and service are open. Immutable: the app replaces it
    in one place (`BindingsApp.set_session`) and screens observe the app's `session`."""

    credentials: ApiCredentials | None
    profile_name: str | None
    api: ApiFlavor
    service_sid: str | None


@dataclass(slots=True)
class AppContext:
    """How the app runs (backend, clock, options). `api`, `credentials`, `profile_name` and
    `service_sid` are only where the session STARTS: the app copies them into its `Session`
    once and never reads them again."""

    api: ApiFlavor = ApiFlavor.CONVERSATIONS
    credentials: ApiCredentials | None = None
    profile_name: str | None = None
    service_sid: str | None = None
    backend: Backend = field(default_factory=Backend)
    clock: Clock = system_clock
    demo: bool = False
    page_size: int | None = None
    remember: bool = True  # write the last used service into the profile
    identity_debounce: float = 0.35
    split_by_type: bool | None = None  # None: streams.DEFAULT_SPLIT_BY_TYPE
    diagnostics: DiagnosticsSettings = field(default_factory=DiagnosticsSettings)
    watch_interval: float = 5.0  # `w`: seconds between listings (bindings_tui.watch)
    watch_sleep: Sleep | None = None  # the watch's sleep (tests step it); None: asyncio's


def other_api(api: ApiFlavor) -> ApiFlavor:
    """`a` switches between the two APIs."""
    return ApiFlavor.CHAT if api is ApiFlavor.CONVERSATIONS else ApiFlavor.CONVERSATIONS
