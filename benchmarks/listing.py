"""Figure 1: loading a whole service's bindings, the project's client against twilio-python.

Every variant lists the same service of the same server (a `bindings-tui fake-twilio`
subprocess on loopback) and keeps every record in memory, as `list()` does.

- `project_split`: `stream_bindings(split_by_type=True)`: one stream per binding type
  at the spec's largest page size (100), merged as pages arrive; after each page, what
  is loaded leaves the collector's passes (`gc_policy.settle_loaded`), as in the TUI.
- `project_sequential`: one stream (`split_by_type=False`) at page size 100.
- `project_default`: whichever of the two `DEFAULT_SPLIT_BY_TYPE` picks (same samples).
- `twilio_default`: `client.conversations.v1.services(sid).bindings.list()` (the server's
  default page size, 50).
- `twilio_100`: the same with `page_size=100`.

Beside them, the floors: nominal (pages x latency) and measured: the slowest type's stream
read by a minimal client (`benchmarks.floor_client`), alone, and every type's stream at
once (an extra figure, the floor of a multi-stream load on this server).

A variant whose full runs would exceed the time budget is timed over its first pages
only and scaled by total pages / timed pages (`Stat.method == "extrapolated"`); page
cost is flat in this server (a PageToken is a bisect), and the smaller sizes are
measured in full, so the per-page cost can be checked against them.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from benchmarks.fake_server import FakeServer
from benchmarks.floor_client import (
    FloorSample,
    Target,
    proportional_limits,
    read_stream,
    read_streams_together,
)
from benchmarks.stats import Stat
from bindings_tui.client import TwilioClient
from bindings_tui.credentials import ApiCredentials
from bindings_tui.gc_policy import release_loaded, settle_loaded
from bindings_tui.models import ApiFlavor
from bindings_tui.streams import DEFAULT_SPLIT_BY_TYPE, stream_bindings

API = ApiFlavor.CONVERSATIONS
PROJECT_PAGE_SIZE = API.max_bindings_page_size  # 100, the spec's maximum for v1 bindings
TWILIO_DEFAULT_PAGE_SIZE = 50  # twilio-python sends no PageSize; Twilio (and the fake) use 50

VARIANTS = ("project_split", "project_sequential", "twilio_default", "twilio_100")


@dataclass
class Sample:
    seconds: float
    records: int
    pages: int
    types: Counter[str] = field(default_factory=Counter)


def _client(server: FakeServer) -> TwilioClient:
    creds = ApiCredentials(server.account_sid, server.auth_token, source="bench")
    return TwilioClient(creds, API, base_url=server.base_url)


async def _project(server: FakeServer, split: bool, page_limit: int | None) -> Sample:
    records = 0
    pages = 0
    types: Counter[str] = Counter()
    async with _client(server) as client:
        began = time.perf_counter()
        kept = []
        stream = stream_bindings(
            client, server.main_service, page_size=PROJECT_PAGE_SIZE, split_by_type=split
        )
        try:
            async for page in stream:
                kept.extend(page.items)
                # As the TUI does once it stored a page (`BrowserScreen`): the loaded
                # bindings leave the collector's passes, whose full ones otherwise stall
                # the loop for up to 80 ms at 100k while responses wait.
                settle_loaded()
                pages += 1
                if page_limit is not None and pages >= page_limit:
                    await stream.aclose()
                    break
            seconds = time.perf_counter() - began
        finally:
            release_loaded()
    records = len(kept)
    types.update(b.binding_type or "" for b in kept)
    return Sample(seconds, records, pages, types)


def project_load(server: FakeServer, *, split: bool, page_limit: int | None = None) -> Sample:
    return asyncio.run(_project(server, split, page_limit))


def twilio_available() -> bool:
    try:
        import twilio.rest  # noqa: F401
    except ImportError:
        return False
    return True


def twilio_load(server: FakeServer, *, page_size: int | None, page_limit: int | None) -> Sample:
    """twilio-python's own list (or its first `page_limit` pages), pointed at the fake."""
    from benchmarks.twilio_redirect import twilio_client

    client = twilio_client(server.base_url, server.account_sid, server.auth_token)
    bindings = client.conversations.v1.services(server.main_service).bindings
    began = time.perf_counter()
    if page_limit is None:
        kept = bindings.list(page_size=page_size)
        pages = math.ceil(len(kept) / (page_size or TWILIO_DEFAULT_PAGE_SIZE))
    else:
        first = bindings.page(page_size=page_size) if page_size else bindings.page()
        kept = list(bindings._version.stream(first, page_limit=page_limit))
        pages = page_limit
    seconds = time.perf_counter() - began
    client.http_client.session.close()
    return Sample(seconds, len(kept), pages)


@dataclass
class Plan:
    """How a variant is timed at one size: full runs, or a prefix of pages, scaled."""

    runs: int
    page_limit: int | None  # None: the whole list
    pages_total: int


def plan(pages_total: int, latency_s: float, runs: int, budget_s: float) -> Plan:
    """Full runs when they fit the budget; fewer full runs; else `runs` prefix runs."""
    if budget_s <= 0:
        return Plan(runs, None, pages_total)
    per_page = max(latency_s, 0.002)
    full = pages_total * per_page
    if full * runs <= budget_s:
        return Plan(runs, None, pages_total)
    if full <= budget_s:
        return Plan(max(1, int(budget_s // full)), None, pages_total)
    prefix = max(20, int(budget_s / (runs * per_page)))
    return Plan(runs, min(prefix, pages_total), pages_total)


def _stat(samples: Sequence[Sample | FloorSample], chosen: Plan) -> Stat:
    if chosen.page_limit is None:
        return Stat.of([s.seconds for s in samples])
    scale = chosen.pages_total / chosen.page_limit
    return Stat.of(
        [s.seconds * scale for s in samples],
        method="extrapolated",
        pages_timed=chosen.page_limit,
        pages_total=chosen.pages_total,
    )


def _expected(count: int, page_limit: int | None) -> int:
    return count if page_limit is None else min(count, page_limit * PROJECT_PAGE_SIZE)


def measure_floor(
    server: FakeServer,
    *,
    types: Counter[str],
    latency_s: float,
    runs: int,
    budget_s: float,
    log: Callable[[str], None],
) -> dict[str, Any]:
    """The measured floors: the slowest type's stream alone, then every type's at once,
    each by the minimal client, with the budget's prefix-and-scale plan; counts checked."""
    target = Target(server.base_url, server.account_sid, server.auth_token, server.main_service)
    slowest_type, slowest_count = max(types.items(), key=lambda kv: kv[1])
    slowest_pages = math.ceil(slowest_count / PROJECT_PAGE_SIZE)
    chosen = plan(slowest_pages, latency_s, runs, budget_s)

    alone: list[FloorSample] = []
    for i in range(chosen.runs):
        alone.append(read_stream(target, slowest_type, page_limit=chosen.page_limit))
        seconds = alone[-1].seconds
        log(f"  measured floor ({slowest_type}) run {i + 1}/{chosen.runs}: {seconds:.2f} s")
    expected = _expected(slowest_count, chosen.page_limit)
    if alone[0].records != expected:
        raise RuntimeError(
            f"the floor client read {alone[0].records} {slowest_type} bindings, not {expected}"
        )
    floor = _stat(alone, chosen)

    limits = proportional_limits(dict(types), chosen.page_limit)
    together: list[FloorSample] = []
    for i in range(chosen.runs):
        total, each = read_streams_together(target, limits)
        for name, sample in each.items():
            if sample.records != _expected(types[name], limits[name]):
                raise RuntimeError(
                    f"the floor client read {sample.records} {name} bindings beside the other "
                    f"types, not {_expected(types[name], limits[name])}"
                )
        together.append(total)
        log(
            f"  measured floor (all types at once) run {i + 1}/{chosen.runs}: {total.seconds:.2f} s"
        )
    floor_all = _stat(together, chosen)
    return {
        "measured_floor": floor.to_json(),
        "measured_floor_records": alone[0].records,
        "measured_floor_pages": alone[0].pages,
        # The cost of one round trip on this server, to set beside the latency asked for.
        "measured_floor_per_page_s": floor.median / slowest_pages,
        "measured_floor_all_types": floor_all.to_json(),
        "measured_floor_all_types_records": together[0].records,
    }


def measure_listing(
    server: FakeServer,
    *,
    size: int,
    latency_ms: float,
    runs: int,
    budget_s: float,
    with_twilio: bool,
    log: Callable[[str], None],
) -> dict[str, Any]:
    """Every figure-1 variant at one size; returns the JSON-ready result."""
    latency_s = latency_ms / 1000
    stats: dict[str, Stat] = {}
    notes: list[str] = []

    split_samples = []
    for i in range(runs):
        split_samples.append(project_load(server, split=True))
        log(f"  project_split run {i + 1}/{runs}: {split_samples[-1].seconds:.2f} s")
    first = split_samples[0]
    if first.records != size:
        raise RuntimeError(f"the split stream returned {first.records} bindings, not {size}")
    stats["project_split"] = Stat.of([s.seconds for s in split_samples])
    types = first.types

    pages_100 = math.ceil(size / PROJECT_PAGE_SIZE)
    seq_plan = plan(pages_100, latency_s, runs, budget_s)
    seq = []
    for i in range(seq_plan.runs):
        seq.append(project_load(server, split=False, page_limit=seq_plan.page_limit))
        log(f"  project_sequential run {i + 1}/{seq_plan.runs}: {seq[-1].seconds:.2f} s")
    if seq_plan.page_limit is None and seq[0].records != size:
        raise RuntimeError(f"the sequential stream returned {seq[0].records}, not {size}")
    stats["project_sequential"] = _stat(seq, seq_plan)
    stats["project_default"] = stats[
        "project_split" if DEFAULT_SPLIT_BY_TYPE else "project_sequential"
    ]

    if with_twilio:
        for name, page_size in (("twilio_default", None), ("twilio_100", 100)):
            pages = math.ceil(size / (page_size or TWILIO_DEFAULT_PAGE_SIZE))
            chosen = plan(pages, latency_s, runs, budget_s)
            samples = []
            for i in range(chosen.runs):
                samples.append(
                    twilio_load(server, page_size=page_size, page_limit=chosen.page_limit)
                )
                log(f"  {name} run {i + 1}/{chosen.runs}: {samples[-1].seconds:.2f} s")
            if chosen.page_limit is None and samples[0].records != size:
                raise RuntimeError(f"{name} returned {samples[0].records} bindings, not {size}")
            stats[name] = _stat(samples, chosen)
    else:
        notes.append("twilio-python is not installed (pip install -e '.[bench]'): skipped")

    slowest_type, slowest_count = max(types.items(), key=lambda kv: kv[1])
    floor = pages_100 * latency_s
    slowest_floor = math.ceil(slowest_count / PROJECT_PAGE_SIZE) * latency_s
    measured = measure_floor(
        server, types=types, latency_s=latency_s, runs=runs, budget_s=budget_s, log=log
    )
    project = stats["project_default"].median
    ratios = {name: stat.median / project for name, stat in stats.items() if project > 0}
    result: dict[str, Any] = {
        "bindings": size,
        "pages_at_100": pages_100,
        "types": dict(sorted(types.items())),
        "floor_s": floor,
        "slowest_stream": slowest_type,
        "slowest_stream_floor_s": slowest_floor,
        **measured,
        "default_split_by_type": DEFAULT_SPLIT_BY_TYPE,
        "stats": {name: stat.to_json() for name, stat in stats.items()},
        "ratio_to_project": ratios,
        "notes": notes,
    }
    if "twilio_default" in stats and stats["twilio_default"].median > 0:
        result["project_over_twilio_default"] = project / stats["twilio_default"].median
    if slowest_floor > 0:
        result["project_over_slowest_floor"] = project / slowest_floor
    if floor > 0:
        result["project_over_floor"] = project / floor
    measured_floor = measured["measured_floor"]["median"]
    if measured_floor > 0:
        result["project_over_measured_floor"] = project / measured_floor
    measured_all = measured["measured_floor_all_types"]["median"]
    if measured_all > 0:
        result["project_over_measured_floor_all_types"] = project / measured_all
    return result
