"""6. Absurd `Retry-After` on a 429, through the real client in-process (a recording sleep
shows every wait without waiting): only the project's errors, every wait finite and <= 30 s.
"""

from __future__ import annotations

import math

import pytest

from bindings_tui.client import TwilioClient
from bindings_tui.credentials import ApiCredentials
from bindings_tui.errors import BindingsError
from bindings_tui.retry import RetryPolicy
from tests.hostile.servers import HostileServer, json_reply
from tests.hostile.twilio import ACCOUNT_SID, SERVICE, TOKEN, TwilioLike, twilio_error

ABSURD = [
    "Fri, 31 Dec 9999 23:59:59 GMT",
    "Fri, 31 Dec 9999 23:59:59 -1200",
    "Mon, 01 Jan 0001 00:00:00 +1400",
    "1e308",
    "1e309",
    "inf",
    "-inf",
    "nan",
    "-5",
    "99999999999999999999",
    "9" * 5000,
    "0x10",
    "Fri, 31 Dec 99999999999999999999 23:59:59 GMT",  # year past C long: OverflowError
    "Fri, 31 Dec 9999 23:59:59 +9999",
    "Mon, 01 Jan 0001 00:00:00 -2359",
    "Fri, 99 Dec 9999 99:99:99 GMT",
]
MAX_WAIT_S = 30.0


def too_many(retry_after: str) -> TwilioLike:
    body = twilio_error(429, 20429, "Too Many Requests")
    return TwilioLike(everything=json_reply(429, body, [("Retry-After", retry_after)]))


def short_id(value: str) -> str:
    return value if len(value) <= 40 else f"{value[:8]}...({len(value)} chars)"


@pytest.mark.parametrize("retry_after", ABSURD, ids=short_id)
async def test_absurd_retry_after_gives_bounded_waits_and_our_error(
    hostile: HostileServer, retry_after: str
) -> None:
    hostile.serve(too_many(retry_after))
    waits: list[float] = []

    async def record(seconds: float) -> None:
        waits.append(seconds)

    credentials = ApiCredentials(ACCOUNT_SID, TOKEN)
    async with TwilioClient(
        credentials,
        base_url=hostile.base_url,
        retry=RetryPolicy(max_attempts=3),
        sleep=record,
        timeout=10,
    ) as client:
        with pytest.raises(BindingsError) as caught:  # anything else fails the test
            await client.list_bindings(SERVICE)
    assert "20429" in str(caught.value)
    assert TOKEN not in str(caught.value) + repr(caught.value)
    assert len(hostile.requests) == 3
    assert len(waits) == 2
    assert all(isinstance(w, float | int) and math.isfinite(w) for w in waits), waits
    assert all(0 <= w <= MAX_WAIT_S for w in waits), waits
