"""A faithful local Twilio for Bindings (Conversations v1 and Chat v2).

In process: `fake = FakeTwilio(FakeConfig())` (the demo defaults, `bindings_tui.demo`), then give
`fake.transport()` and `FAKE_BASE_URL` to an httpx client (or `TwilioClient`) with
`fake.credentials()`. Over a socket: `run_server(config)` (blocking) or
`async with serve_in_background(config) as (fake, base_url): ...`.

Seeded data is deterministic per seed (dates relative to `FAKE_NOW`); the deliberate
anomalies are described by `seeded_anomalies`. Faults: `FAULTS_HELP`.
"""

from typing import TYPE_CHECKING

from bindings_tui.fake_twilio.anomalies import SeededAnomalies, seeded_anomalies
from bindings_tui.fake_twilio.app import FakeTwilio
from bindings_tui.fake_twilio.config import FakeConfig
from bindings_tui.fake_twilio.constants import (
    DEMO_ACCOUNT_SID,
    DEMO_AUTH_TOKEN,
    FAKE_BASE_URL,
    FAKE_NOW,
    MANY_APN_THRESHOLD,
    STALE_DAYS,
)
from bindings_tui.fake_twilio.faults import (
    FAULT_KINDS,
    FAULTS_HELP,
    ConnectionDropped,
    Fault,
    FaultInjector,
    parse_fault_spec,
)
from bindings_tui.fake_twilio.http_types import RecordedRequest
from bindings_tui.fake_twilio.records import FakeBinding, FakeCredential, FakeService

if TYPE_CHECKING:
    from bindings_tui.fake_twilio.server import run_server, serve_in_background


def __getattr__(name: str) -> object:
    """The socket server on first use: `--demo` runs in process and need not import
    uvicorn (20 ms of start-up)."""
    if name in ("run_server", "serve_in_background"):
        from bindings_tui.fake_twilio import server

        return getattr(server, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "DEMO_ACCOUNT_SID",
    "DEMO_AUTH_TOKEN",
    "FAKE_BASE_URL",
    "FAKE_NOW",
    "FAULTS_HELP",
    "FAULT_KINDS",
    "MANY_APN_THRESHOLD",
    "STALE_DAYS",
    "ConnectionDropped",
    "FakeBinding",
    "FakeConfig",
    "FakeCredential",
    "FakeService",
    "FakeTwilio",
    "Fault",
    "FaultInjector",
    "RecordedRequest",
    "SeededAnomalies",
    "parse_fault_spec",
    "run_server",
    "seeded_anomalies",
    "serve_in_background",
]
