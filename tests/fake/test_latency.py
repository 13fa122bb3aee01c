"""`--latency-ms` is a deadline from the request's arrival: the fake's own work is inside
it (a real server's processing is inside its response time), never added on top."""

from __future__ import annotations

import pytest

from bindings_tui.fake_twilio import FakeConfig, FakeTwilio
from bindings_tui.fake_twilio import app as app_module
from bindings_tui.fake_twilio.http_types import Request, Response
from tests.fake.conftest import authed_http


@pytest.mark.parametrize(
    ("work_s", "latency_ms", "expected_waits"),
    [
        (3.0, 10_000, [7.0]),  # the work is inside the latency: only the rest is waited
        (12.0, 10_000, []),  # longer than the latency: answered as soon as it is done
        (0.0, 10_000, [10.0]),
        (3.0, 0, []),  # no latency: no wait at all
    ],
)
async def test_the_wait_is_the_latency_less_the_work(
    monkeypatch: pytest.MonkeyPatch,
    work_s: float,
    latency_ms: float,
    expected_waits: list[float],
) -> None:
    clock = [1000.0]  # the loop's clock, moved by hand: no real time is measured
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        clock[0] += seconds

    fake = FakeTwilio(FakeConfig(bindings=60, latency_ms=latency_ms))
    handle = fake.handle

    def slow_handle(request: Request) -> Response:
        clock[0] += work_s  # the page takes this long to build
        return handle(request)

    monkeypatch.setattr(app_module, "_now", lambda: clock[0])
    monkeypatch.setattr(app_module.asyncio, "sleep", sleep)
    monkeypatch.setattr(fake, "handle", slow_handle)
    async with authed_http(fake) as client:
        service = fake.service_sids()[0]
        response = await client.get(f"/v1/Services/{service}/Bindings")
    assert response.status_code == 200 and len(response.json()["bindings"]) == 50
    assert waits == pytest.approx(expected_waits)
