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
from bindings_tui.write_policy import WRITABLE, WritePolicy

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

    def client(
        self, credentials: ApiCredentials, api: ApiFlavor, write_policy: WritePolicy = WRITABLE
    ) -> TwilioClient:
        return TwilioClient(
            credentials,
            api,
            base_url=self.base_url,
            transport=self.transport(),
            timeout=self.timeout,
            retry=self.retry,
            write_policy=write_policy,
        )


@dataclass(frozen=True, slots=True)
class Guard:
    """The session's production guard: read-only or not (and why), and the profile's
    label and colour for the header and the delete confirmation."""

    policy: WritePolicy = WRITABLE
    label: str | None = None
    color: str | None = None


@dataclass(frozen=True, slots=True)
class Session:
    """Who is logged in and which API and service are open. Immutable: the app replaces it
    in one place (`BindingsApp.set_session`) and screens observe the app's `session`."""

    credentials: ApiCredentials | None
    profile_name: str | None
    api: ApiFlavor
    service_sid: str | None
    guard: Guard = field(default_factory=Guard)


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
    guard: Guard = field(default_factory=Guard)  # where the session's guard starts
    read_only_flag: bool = False  # --read-only: kept when a login changes the profile
    watch_interval: float = 5.0  # `w`: seconds between listings (bindings_tui.watch)
    watch_sleep: Sleep | None = None  # the watch's sleep (tests step it); None: asyncio's


def other_api(api: ApiFlavor) -> ApiFlavor:
    """`a` switches between the two APIs."""
    return ApiFlavor.CHAT if api is ApiFlavor.CONVERSATIONS else ApiFlavor.CONVERSATIONS


def guard_for(read_only_flag: bool, profile_name: str | None) -> Guard:
    """The guard of a session on `profile_name` (None: environment credentials or demo):
    read-only from the flag, BINDINGS_TUI_READ_ONLY or the profile (`resolve_write_policy`,
    the one resolver), and the profile's label and colour. A profile that cannot be read
    adds nothing (the flag and the environment still apply)."""
    from bindings_tui.errors import BindingsError
    from bindings_tui.write_policy import resolve_write_policy

    profile = None
    if profile_name:
        from bindings_tui.credentials.profiles import ProfileStore

        try:
            profile = ProfileStore().find(profile_name)
        except BindingsError:
            profile = None
    policy = resolve_write_policy(
        read_only_flag,
        profile_name=profile_name,
        profile_read_only=profile is not None and profile.read_only,
    )
    if profile is None:
        return Guard(policy)
    return Guard(policy, profile.label, profile.color)
