"""How a FakeTwilio is seeded and how it misbehaves."""

from __future__ import annotations

from dataclasses import dataclass, field

from bindings_tui.demo import DEMO_BINDINGS, DEMO_SEED, FAKE_LATENCY_MS
from bindings_tui.fake_twilio.constants import DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, FAKE_NOW_EPOCH


@dataclass
class FakeConfig:
    """Everything that decides what a FakeTwilio serves.

    - `seed`: same seed, same SIDs, same bodies, same random faults.
    - `bindings`: how many bindings the first (main demo) service holds.
    - `latency_ms`: each response is sent this long after its request arrived; the fake's
      own work is done inside that time (a deadline, not a pause added to the work).
    - `faults`: a `--faults` spec string, see `FAULTS_HELP`.
    - `slow_seconds`: how long a `slow` fault waits before answering.
    - `api_keys`: API key SID -> secret, accepted for Basic auth besides the auth token.
    - `strict_page_size`: refuse (400, code 20001, naming PageSize) a PageSize above the
      official OpenAPI spec's maximum for the list (Bindings: 100 in v1, 50 in v2);
      default: honour up to 1000, as Twilio's API reference documents.
    - `now`: the instant (epoch seconds) every seeded date is relative to. FAKE_NOW by
      default (tests and `--demo`, whose clock is FAKE_NOW); `fake-twilio` passes its
      start time (or `--now`), so the same data has the same ages against the real clock.
    """

    seed: int = DEMO_SEED
    bindings: int = DEMO_BINDINGS
    latency_ms: float = FAKE_LATENCY_MS
    faults: str = ""
    account_sid: str = DEMO_ACCOUNT_SID
    auth_token: str = DEMO_AUTH_TOKEN
    api_keys: dict[str, str] = field(default_factory=dict)
    slow_seconds: float = 30.0
    strict_page_size: bool = False
    now: int = FAKE_NOW_EPOCH
