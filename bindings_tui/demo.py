"""The demo's defaults, in one place: the CLI flags, the TUI factory and the fake read them.

`bindings-tui --demo` and `bindings-tui fake-twilio` serve the same seeded data unless
told otherwise; only the latency differs (the TUI demo is slow on purpose, so loading is
visible; the fake server answers at once).
"""

from __future__ import annotations

from typing import Final

DEMO_SEED: Final = 7
DEMO_BINDINGS: Final = 5000  # in the first (main) demo service
DEMO_LATENCY_MS: Final = 150.0  # the TUI demo, per request
FAKE_LATENCY_MS: Final = 0.0  # `fake-twilio` and a FakeConfig built in code
FAKE_HOST: Final = "127.0.0.1"
FAKE_PORT: Final = 4010
DEMO_PROFILE: Final = "demo"  # the profile name the demo shows (never saved)

__all__ = [
    "DEMO_BINDINGS",
    "DEMO_LATENCY_MS",
    "DEMO_PROFILE",
    "DEMO_SEED",
    "FAKE_HOST",
    "FAKE_LATENCY_MS",
    "FAKE_PORT",
]
