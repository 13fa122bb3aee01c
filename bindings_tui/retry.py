"""Retry policy: capped exponential backoff with full jitter, Retry-After honoured."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

# Statuses that say "not processed, try again later" for an idempotent request.
RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_attempts: int = 6
    base_delay: float = 0.25
    max_delay: float = 8.0
    # A hostile or confused server must not park us for an hour.
    max_retry_after: float = 30.0

    def delay(
        self, attempt: int, retry_after: str | None = None, rng: random.Random | None = None
    ) -> float:
        """Seconds to wait before try number `attempt + 1` (attempt counts from 1)."""
        hinted = parse_retry_after(retry_after)
        if hinted is not None:
            return min(hinted, self.max_retry_after)  # inf and 1e308 end here too
        ceiling = min(self.max_delay, self.base_delay * (2 ** (attempt - 1)))
        return (rng or random).uniform(0, ceiling)


def parse_retry_after(value: str | None) -> float | None:
    """Retry-After is either delta-seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()[:64]  # a date is ~30 characters; the rest is not one
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
            if when.tzinfo is None:
                when = when.replace(tzinfo=UTC)
            seconds = (when - datetime.now(UTC)).total_seconds()
        except (TypeError, ValueError, IndexError, OverflowError):
            # A server's header must never become an exception (year 9999 with an offset
            # overflows; some malformed dates raise IndexError inside the stdlib).
            return None
    if seconds != seconds:  # NaN
        return None
    return max(0.0, seconds)


NO_RETRY = RetryPolicy(max_attempts=1)
