"""Fixed values of the fake Twilio: demo account, base URL, and the fake clock."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Final

DEMO_ACCOUNT_SID: Final = "ACf78f15fcdfc45c919d287fb67ba0f7bb"
DEMO_AUTH_TOKEN: Final = "aef4beb02e71efd94868a7b71d1c61f6"

# Base URL for the in-process transport (`FakeTwilio.transport()`); `.localhost` is loopback,
# so the client accepts plain http for it.
FAKE_BASE_URL: Final = "http://fake-twilio.localhost"

# Every seeded date is relative to this instant, so the same seed always gives the same
# bodies; the TUI injects the same clock in snapshot tests.
FAKE_NOW: Final = datetime(2026, 11, 1, 0, 0, 0, tzinfo=UTC)
FAKE_NOW_EPOCH: Final = int(FAKE_NOW.timestamp())
DAY: Final = 86_400

# Thresholds the seeded anomalies are built around (normal data stays far from them).
STALE_DAYS: Final = 90
MANY_APN_THRESHOLD: Final = 8

# The listing limits the fake enforces (the seed docs' 1..1000, default 50).
MIN_PAGE_SIZE: Final = 1
MAX_PAGE_SIZE: Final = 1000
DEFAULT_PAGE_SIZE: Final = 50
# The official OpenAPI specs' PageSize maxima, which `strict_page_size` enforces
# (Bindings: `ApiFlavor.max_bindings_page_size`; Monitor Alerts: 1000, as documented).
SPEC_MAX_SERVICES_PAGE_SIZE: Final = 100
SPEC_MAX_CREDENTIALS_PAGE_SIZE: Final = {"v1": 100, "v2": 1000}
SPEC_MAX_ALERTS_PAGE_SIZE: Final = 1000
