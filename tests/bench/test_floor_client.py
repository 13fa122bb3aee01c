"""The harness's measured floor (figure 1): the minimal client reads whole streams from the
fake over a real socket and counts them right. No timing is asserted, only that it exists."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator

import pytest

from benchmarks.fake_server import FakeServer
from benchmarks.floor_client import (
    PAGE_SIZE,
    Target,
    proportional_limits,
    read_stream,
    read_streams_together,
)
from benchmarks.listing import measure_floor, project_load

BINDINGS = 730  # several pages per type, the last of each not full


@pytest.fixture(scope="module")
def server() -> Iterator[FakeServer]:
    # The harness's own way of serving: `bindings-tui fake-twilio` as a subprocess.
    with FakeServer(bindings=BINDINGS, latency_ms=0) as running:
        yield running


@pytest.fixture(scope="module")
def types(server: FakeServer) -> Counter[str]:
    """Bindings per type as the project's client counts them (the other reader)."""
    sample = project_load(server, split=False)
    assert sample.records == BINDINGS
    return sample.types


def target_of(server: FakeServer) -> Target:
    return Target(server.base_url, server.account_sid, server.auth_token, server.main_service)


def test_one_stream_read_to_its_end(server: FakeServer, types: Counter[str]) -> None:
    assert len(types) > 1
    for binding_type, count in types.items():
        sample = read_stream(target_of(server), binding_type)
        assert sample.records == count
        assert sample.pages == math.ceil(count / PAGE_SIZE)
        assert sample.seconds > 0


def test_a_page_limit_stops_early(server: FakeServer, types: Counter[str]) -> None:
    slowest, count = types.most_common(1)[0]
    assert count > 2 * PAGE_SIZE
    sample = read_stream(target_of(server), slowest, page_limit=2)
    assert (sample.records, sample.pages) == (2 * PAGE_SIZE, 2)


def test_every_type_at_once(server: FakeServer, types: Counter[str]) -> None:
    total, each = read_streams_together(target_of(server), dict.fromkeys(types))
    assert {t: s.records for t, s in each.items()} == dict(types)
    assert total.records == BINDINGS
    assert total.seconds > 0


def test_wrong_credentials_are_an_error_not_a_short_count(server: FakeServer) -> None:
    wrong = Target(server.base_url, server.account_sid, "0" * 32, server.main_service)
    with pytest.raises(RuntimeError, match="HTTP 401"):
        read_stream(wrong, "apn")


def test_measure_floor_records_the_figures(server: FakeServer, types: Counter[str]) -> None:
    logged: list[str] = []
    figures = measure_floor(
        server, types=types, latency_s=0.0, runs=2, budget_s=0.0, log=logged.append
    )
    slowest, count = types.most_common(1)[0]
    assert figures["measured_floor"]["n"] == 2
    assert figures["measured_floor"]["median"] > 0
    assert figures["measured_floor"]["method"] == "measured"
    assert figures["measured_floor_records"] == count
    assert figures["measured_floor_pages"] == math.ceil(count / PAGE_SIZE)
    assert figures["measured_floor_per_page_s"] > 0
    assert figures["measured_floor_all_types"]["median"] > 0
    assert figures["measured_floor_all_types_records"] == BINDINGS
    assert any(f"measured floor ({slowest})" in line for line in logged)


def test_proportional_limits_keep_the_streams_mix() -> None:
    counts = {"apn": 45_200, "gcm": 25_000, "fcm": 20_000, "twilsock": 9_800}
    assert proportional_limits(counts, None) == dict.fromkeys(counts)
    # The slowest's cap is 100 of its 452 pages; each other type stops at the same fraction.
    assert proportional_limits(counts, 100) == {"apn": 100, "gcm": 56, "fcm": 45, "twilsock": 22}
