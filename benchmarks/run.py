"""The benchmark harness: `python -m benchmarks.run --out FILE` (`make bench`).

For each size (1k, 10k, 100k bindings by default) it starts `bindings-tui fake-twilio`
on a loopback port with a fixed seed and a simulated per-request latency, then measures:

1. full list load: the project's client (split by type, and one stream) against
   twilio-python (default page size, and 100) on the same server; the floors, nominal
   (pages x latency) and measured (a minimal client reading the slowest type's stream);
2. time to first row in the TUI; 3. filter latency in the TUI (3b: the same keys typed at
   a steady pace, not waiting for the app between keys); 4. the longest event-loop
   stall while the list streams in; 5. peak RSS (figures 2-5: `benchmarks.tui_probe`, a
   fresh process per size); and once, 6. start-up to the first frame of `--demo`;
7. the CLI end to end, whole processes (`list -o jsonl`, `diagnose`) against a
   twilio-python script, for each `--cli-cases` size:latency, on a fake honouring
   PageSize 1000 and on one refusing above the spec's maximum (`benchmarks.cli_e2e`).

It prints a table and writes every figure, with every sample, as JSON to `--out`.
`--smoke` is the CI check that the harness works: 1k bindings, no latency, one run, no
time budget, and no assertion about any timing.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from benchmarks.cli_e2e import measure_cli_e2e
from benchmarks.fake_server import FakeServer
from benchmarks.listing import measure_listing, twilio_available
from benchmarks.startup import measure_startup
from benchmarks.stats import Stat, fmt, percentile
from bindings_tui import __version__

SEED = 7
REPO = Path(__file__).resolve().parents[1]

GOALS = {
    "load_vs_twilio_default": 0.3,
    "cli_vs_twilio": 0.3,
    "load_vs_slowest_floor": 1.15,
    "first_row_extra_s": 0.100,
    "filter_p95_s": 0.050,
    "stall_s": 0.100,
    "rss_mb": 250.0,
    "session_rss_mb": 200.0,  # the whole session (memory_probe), at 100k
    "startup_s": 0.8,
}
# At a million bindings (`make bench-1m`) the goals are looser where the issue says so.
GOALS_1M = {**GOALS, "filter_p95_s": 0.100, "rss_mb": 1000.0, "session_rss_mb": 1000.0}
MILLION = 1_000_000
# Time to first row is short and noisy (one round trip plus two frames; 70-200 ms at 1M
# on this VM from run to run): its median is taken over at least this many samples.
FIRST_ROW_RUNS = 7


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__)
    parser.add_argument("--out", required=True, type=Path, help="write the figures here (JSON)")
    parser.add_argument("--latency-ms", type=float, default=50.0, help="per request (50)")
    parser.add_argument("--sizes", default="1000,10000,100000", help="bindings per run")
    parser.add_argument("--runs", type=int, default=3, help="runs per timing (3)")
    parser.add_argument(
        "--budget-s",
        type=float,
        default=15.0,
        help="seconds each baseline may take per size; longer ones are timed on their "
        "first pages and scaled (0: always time the whole list)",
    )
    parser.add_argument("--no-tui", action="store_true", help="skip figures 2-5")
    parser.add_argument(
        "--type-interval-ms",
        type=float,
        default=120.0,
        help="figure 3b: key to key when typing the filter at a steady pace (120)",
    )
    parser.add_argument(
        "--cli-cases",
        default="16000:20,100000:50",
        help="figure 7: bindings:latency-ms pairs for the CLI end to end",
    )
    parser.add_argument("--no-cli", action="store_true", help="skip figure 7")
    parser.add_argument(
        "--memory",
        action="store_true",
        help="also figure 8: the whole session's peak RSS (benchmarks.memory_probe)",
    )
    parser.add_argument(
        "--million",
        action="store_true",
        help="1M bindings only, no latency, one run, no twilio-python, with --memory "
        "(what `make bench-1m` runs; about 10 minutes)",
    )
    parser.add_argument("--no-twilio", action="store_true", help="skip twilio-python")
    parser.add_argument(
        "--smoke", action="store_true", help="1k bindings, no latency, one run (CI)"
    )
    args = parser.parse_args(argv)
    if args.smoke:
        args.sizes = "1000"
        args.latency_ms = 0.0
        args.runs = 1
        args.budget_s = 0.0
        args.cli_cases = "1000:0"
    if args.million:
        args.sizes = str(MILLION)
        args.latency_ms = 0.0
        args.runs = 1
        args.no_twilio = True
        args.memory = True
        args.no_cli = True  # figure 7 has its own sizes; not part of the 1M run
    args.cli_case_list = [
        (int(size), float(latency))
        for size, latency in (c.split(":") for c in args.cli_cases.split(",") if c.strip())
    ]
    args.size_list = [int(s) for s in args.sizes.split(",") if s.strip()]
    return args


def machine() -> dict[str, Any]:
    info: dict[str, Any] = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "bindings_tui": __version__,
    }
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        info["load_average_at_start"] = list(os.getloadavg())
        mem = Path("/proc/meminfo").read_text().splitlines()[0].split()[1]
        info["memory_gb"] = round(int(mem) / 1024 / 1024, 1)
    except OSError:
        pass
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
        ).stdout.strip()
        info["commit"] = commit or None
    except OSError:
        pass
    return info


def request_overhead(server: FakeServer, latency_ms: float, count: int = 20) -> Stat:
    """Per-request time of a tiny GET (one service) over loopback; the environment's share
    of every page beyond the simulated latency (server + client + wake-ups)."""
    samples = []
    auth = (server.account_sid, server.auth_token)
    with httpx.Client(base_url=server.base_url, auth=auth) as http:
        http.get(f"/v1/Services/{server.main_service}")
        for _ in range(count):
            began = time.perf_counter()
            http.get(f"/v1/Services/{server.main_service}").raise_for_status()
            samples.append(time.perf_counter() - began - latency_ms / 1000)
    return Stat.of(samples)


def _probe_command(module: str, server: FakeServer, size: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        module,
        "--base-url",
        server.base_url,
        "--service",
        server.main_service,
        "--account-sid",
        server.account_sid,
        "--auth-token",
        server.auth_token,
        "--size",
        str(size),
    ]


def memory_figures(server: FakeServer, size: int) -> dict[str, Any]:
    """Figure 7: RSS through a whole session (benchmarks.memory_probe, a fresh process)."""
    command = _probe_command("benchmarks.memory_probe", server, size)
    done = subprocess.run(command, capture_output=True, text=True, cwd=REPO, timeout=1800)
    if done.returncode != 0:
        raise RuntimeError(f"memory_probe failed ({done.returncode}): {done.stderr[-2000:]}")
    raw: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return raw


def typed_figures(raw: dict[str, Any]) -> dict[str, Any]:
    """Figure 3b from the probe's samples: each key timed from when it was due to the
    first frame that showed it, and where that time went (the slowest key's parts)."""
    latencies = raw["typed_latencies_s"]
    slowest = max(range(len(latencies)), key=latencies.__getitem__)
    return {
        "keys": len(latencies),
        "interval_s": raw["typed_interval_s"],
        "p50_s": percentile(latencies, 50),
        "p95_s": percentile(latencies, 95),
        "max_s": latencies[slowest],
        "overtaken": raw["typed_overtaken"],
        "queued_p95_s": percentile(raw["typed_queued_s"], 95),
        "apply_p95_s": percentile(raw["typed_apply_s"], 95),
        "to_frame_p95_s": percentile(raw["typed_to_frame_s"], 95),
        "slowest_key": {
            "index": slowest,
            "queued_s": raw["typed_queued_s"][slowest],
            "apply_s": raw["typed_apply_s"][slowest],
            "to_frame_s": raw["typed_to_frame_s"][slowest],
        },
        "slices": raw["typed_slices"],
        "slice_worst_s": raw["typed_slice_worst_s"],
        "stall_worst_s": raw["typed_stall_worst_s"],
        "stalls_over_50ms": raw["typed_stalls_over_50ms"],
        "diagnosing_at_start": raw["typed_diagnosing_at_start"],
    }


def tui_figures(
    server: FakeServer, size: int, runs: int, type_interval_ms: float = 120.0
) -> dict[str, Any]:
    def probe(*extra: str) -> dict[str, Any]:
        command = [*_probe_command("benchmarks.tui_probe", server, size), *extra]
        done = subprocess.run(command, capture_output=True, text=True, cwd=REPO, timeout=900)
        if done.returncode != 0:
            raise RuntimeError(f"tui_probe failed ({done.returncode}): {done.stderr[-2000:]}")
        out: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
        return out

    # The extra first-row samples in a process of their own, before the full load's: the
    # apps they open would raise the peak RSS the full load's process reports (figure 5).
    extra = probe("--first-row-only", "--first-row-runs", str(max(runs, FIRST_ROW_RUNS) - 1))
    raw = probe(
        "--first-row-runs",
        "1",
        "--filter",
        "--type-interval-ms",
        str(type_interval_ms),
    )
    raw["first_row_samples_s"] = [*raw["first_row_samples_s"], *extra["first_row_samples_s"]]
    latencies = raw["filter_latencies_s"]
    compute = raw["filter_compute_s"]
    return {
        "first_row": Stat.of(raw["first_row_samples_s"]).to_json(),
        "tui_load_s": raw["load_s"],
        "filter": {
            "keys": len(latencies),
            "p50_s": percentile(latencies, 50),
            "p95_s": percentile(latencies, 95),
            "max_s": max(latencies),
            "compute_p50_s": percentile(compute, 50),
            "compute_p95_s": percentile(compute, 95),
        },
        "filter_typed": typed_figures(raw) if "typed_latencies_s" in raw else None,
        "stall_worst_s": raw["stall_worst_s"],
        "stalls_over_50ms": raw["stalls_over_50ms"],
        "peak_rss_mb": raw["peak_rss_mb"],
        "raw": raw,
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    with_twilio = not args.no_twilio and twilio_available()
    if not args.no_twilio and not with_twilio:
        log(
            "note: twilio-python is not installed (pip install -e '.[bench]'); its columns "
            "are skipped"
        )
    results: dict[str, Any] = {
        "machine": machine(),
        "settings": {
            "latency_ms": args.latency_ms,
            "sizes": args.size_list,
            "runs": args.runs,
            "budget_s": args.budget_s,
            "seed": SEED,
            "smoke": args.smoke,
            "twilio_python": with_twilio,
            "memory": args.memory,
            "type_interval_ms": args.type_interval_ms,
        },
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "sizes": {},
    }
    began = time.perf_counter()
    for size in args.size_list:
        log(f"== {size:,} bindings, {args.latency_ms:g} ms per request")
        with FakeServer(bindings=size, latency_ms=args.latency_ms, seed=SEED) as server:
            log(f"  fake-twilio up in {server.start_seconds:.1f} s on {server.base_url}")
            entry: dict[str, Any] = {"server_start_s": server.start_seconds}
            if "request_overhead" not in results:
                results["request_overhead"] = request_overhead(server, args.latency_ms).to_json()
            entry["listing"] = measure_listing(
                server,
                size=size,
                latency_ms=args.latency_ms,
                runs=args.runs,
                budget_s=args.budget_s,
                with_twilio=with_twilio,
                log=log,
            )
            if not args.no_tui:
                log("  TUI (headless, real socket)")
                entry["tui"] = tui_figures(server, size, args.runs, args.type_interval_ms)
            if args.memory:
                log("  whole session's memory (headless, real socket)")
                entry["memory"] = memory_figures(server, size)
        results["sizes"][str(size)] = entry
    results["cli_e2e"] = []
    if not args.no_cli:
        for size, latency in args.cli_case_list:
            log(f"== CLI end to end: {size:,} bindings, {latency:g} ms per request")
            results["cli_e2e"].append(
                measure_cli_e2e(
                    size=size,
                    latency_ms=latency,
                    runs=args.runs,
                    budget_s=args.budget_s * 4,
                    with_twilio=with_twilio,
                    diagnose=True,
                    log=log,
                )
            )
    log("== start-up of `bindings-tui --demo`")
    results["startup"] = measure_startup(max(3, args.runs)).to_json()
    results["elapsed_s"] = time.perf_counter() - began
    # A smoke run (no latency, one run) proves the harness works; it judges no goal.
    results["goals"] = [] if args.smoke else goals(results, args.latency_ms)
    return results


def goals(results: dict[str, Any], latency_ms: float) -> list[dict[str, Any]]:
    """Each goal with the measured number, at the largest size measured."""
    sizes = results["sizes"]
    if not sizes:
        return []
    top_size = max(sizes, key=int)
    top = sizes[top_size]
    listing = top["listing"]
    limits = GOALS_1M if int(top_size) >= MILLION else GOALS
    checks: list[dict[str, Any]] = []

    def check(name: str, measured: float | None, limit: float, unit: str) -> None:
        if measured is None:
            return
        checks.append(
            {
                "goal": name,
                "measured": measured,
                "limit": limit,
                "unit": unit,
                "met": measured <= limit,
            }
        )

    check(
        "load / twilio-python default",
        listing.get("project_over_twilio_default"),
        limits["load_vs_twilio_default"],
        "x",
    )
    # One goal, judged against both floors: the nominal one (pages x latency: a server that
    # spends no time of its own) and the measured one (a minimal client on this server).
    check(
        "load / slowest stream's floor, nominal (pages x latency)",
        listing.get("project_over_slowest_floor"),
        limits["load_vs_slowest_floor"],
        "x",
    )
    if latency_ms > 0:  # with no latency the load is all CPU and neither floor means much
        check(
            "load / slowest stream's floor, measured (minimal client)",
            listing.get("project_over_measured_floor"),
            limits["load_vs_slowest_floor"],
            "x",
        )
    tui = top.get("tui")
    if tui:
        check(
            "time to first row",
            tui["first_row"]["median"],
            latency_ms / 1000 + limits["first_row_extra_s"],
            "s",
        )
        check("filter p95", tui["filter"]["p95_s"], limits["filter_p95_s"], "s")
        typed = tui.get("filter_typed")
        if typed:
            check("filter as typed p95", typed["p95_s"], limits["filter_p95_s"], "s")
        check("longest stall while loading", tui["stall_worst_s"], limits["stall_s"], "s")
        check("peak RSS", tui["peak_rss_mb"], limits["rss_mb"], "MB")
    memory = top.get("memory")
    if memory:
        check("whole-session peak RSS", memory["peak_rss_mb"], limits["session_rss_mb"], "MB")
    check("start-up to first frame", results["startup"]["median"], limits["startup_s"], "s")
    for case in results.get("cli_e2e", []):
        for fake, entry in case["fakes"].items():
            for key in ("cli_list", "cli_diagnose"):
                check(
                    f"{key} / twilio-python list(), {case['bindings']:,} at "
                    f"{case['latency_ms']:g} ms, {fake}",
                    entry["over_twilio"].get(key),
                    limits["cli_vs_twilio"],
                    "x",
                )
    return checks


# ---- the table ------------------------------------------------------------------------


def _stat(data: dict[str, Any] | None) -> str:
    if not data:
        return "-"
    return Stat(**data).brief()


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}x"


def _goal_ratio(measured: float, limit: float) -> str:
    """Two decimals, or three where two would show a miss as equal to its limit (1.152)."""
    shown = f"{measured:.2f}"
    return f"{measured:.3f}" if shown == f"{limit:.2f}" and measured != limit else shown


def _measured_floor_cell(entry: dict[str, Any]) -> str:
    """`~26.1 s (25.9-26.4, n=3), 57.8 ms/page`: the per-page cost is the server's round trip."""
    listing = entry["listing"]
    stat = listing.get("measured_floor")
    if not stat:
        return "-"
    return f"{_stat(stat)}, {listing['measured_floor_per_page_s'] * 1000:.1f} ms/page"


def table(results: dict[str, Any]) -> str:
    sizes = results["sizes"]
    names = list(sizes)
    heads = [f"{int(n):,}" for n in names]
    rows: list[tuple[str, list[str]]] = []

    def add(label: str, cell: Callable[[dict[str, Any]], str]) -> None:
        rows.append((label, [cell(sizes[n]) for n in names]))

    def listing_cell(variant: str) -> Callable[[dict[str, Any]], str]:
        def cell(entry: dict[str, Any]) -> str:
            listing = entry["listing"]
            stat = listing["stats"].get(variant)
            if stat is None:
                return "skipped"
            ratio = listing["ratio_to_project"].get(variant)
            text = _stat(stat)
            if ratio is not None and variant not in ("project_default",):
                text += f" = {ratio:.2f}x"
            return text

        return cell

    add("1. load: project (default)", listing_cell("project_default"))
    add("   project, split by type", listing_cell("project_split"))
    add("   project, one stream", listing_cell("project_sequential"))
    add("   twilio-python, default (50)", listing_cell("twilio_default"))
    add("   twilio-python, page 100", listing_cell("twilio_100"))
    add("   floor: pages x latency", lambda e: fmt(e["listing"]["floor_s"], "s"))
    add(
        "   floor: slowest stream, nominal (pages x latency)",
        lambda e: (
            f"{fmt(e['listing']['slowest_stream_floor_s'], 's')} ({e['listing']['slowest_stream']})"
        ),
    )
    add("   floor: slowest stream, measured (minimal client)", _measured_floor_cell)
    add(
        "   floor: all types at once, measured (minimal client)",
        lambda e: _stat(e["listing"].get("measured_floor_all_types")),
    )
    for label, key in (
        ("twilio default", "project_over_twilio_default"),
        ("nominal floor (slowest stream)", "project_over_slowest_floor"),
        ("measured floor (slowest stream)", "project_over_measured_floor"),
        ("measured floor (all types at once)", "project_over_measured_floor_all_types"),
    ):
        add(f"   project / {label}", lambda e, key=key: _ratio(e["listing"].get(key)))
    if all("tui" in sizes[n] for n in names):
        add("2. TUI: first row", lambda e: _stat(e["tui"]["first_row"]))
        add("   TUI: whole list loaded", lambda e: fmt(e["tui"]["tui_load_s"], "s"))
        add(
            "3. filter p50 / p95 (keys)",
            lambda e: (
                f"{fmt(e['tui']['filter']['p50_s'], 's')} / "
                f"{fmt(e['tui']['filter']['p95_s'], 's')} ({e['tui']['filter']['keys']})"
            ),
        )
        add(
            "   filter compute p50 / p95",
            lambda e: (
                f"{fmt(e['tui']['filter']['compute_p50_s'], 's')} / "
                f"{fmt(e['tui']['filter']['compute_p95_s'], 's')}"
            ),
        )
        if all(sizes[n]["tui"].get("filter_typed") for n in names):
            add(
                "3b. filter as typed p50 / p95 (keys)",
                lambda e: (
                    f"{fmt(e['tui']['filter_typed']['p50_s'], 's')} / "
                    f"{fmt(e['tui']['filter_typed']['p95_s'], 's')} "
                    f"({e['tui']['filter_typed']['keys']})"
                ),
            )
            add(
                "    as typed: max, longest stall",
                lambda e: (
                    f"{fmt(e['tui']['filter_typed']['max_s'], 's')}, "
                    f"{fmt(e['tui']['filter_typed']['stall_worst_s'], 's')}"
                ),
            )
        add("4. longest stall, loading", lambda e: fmt(e["tui"]["stall_worst_s"], "s"))
        add("5. peak RSS", lambda e: fmt(e["tui"]["peak_rss_mb"], "MB"))
    if all("memory" in sizes[n] for n in names):
        add("8. whole-session peak RSS", lambda e: fmt(e["memory"]["peak_rss_mb"], "MB"))
    width = max(len(r[0]) for r in rows)
    cols = [max(len(h), *(len(r[1][i]) for r in rows)) for i, h in enumerate(heads)]
    lines = [
        " | ".join([" " * width, *(h.rjust(c) for h, c in zip(heads, cols, strict=True))]),
        "-+-".join(["-" * width, *("-" * c for c in cols)]),
    ]
    for label, cells in rows:
        lines.append(
            " | ".join(
                [label.ljust(width), *(v.rjust(c) for v, c in zip(cells, cols, strict=True))]
            )
        )
    lines.append("")
    lines.append(f"6. start-up to first frame of --demo: {_stat(results['startup'])}")
    for case in results.get("cli_e2e", []):
        lines.append(
            f"7. CLI end to end, {case['bindings']:,} bindings at {case['latency_ms']:g} ms "
            "(whole processes; ratio to twilio-python's list()):"
        )
        for fake, entry in case["fakes"].items():
            for key, stat in entry["stats"].items():
                ratio = entry["over_twilio"].get(key)
                shown = f" = {ratio:.2f}x" if ratio is not None else ""
                lines.append(f"   {fake:<13} {key:<22} {_stat(stat)}{shown}")
    overhead = results.get("request_overhead")
    if overhead:
        lines.append(
            "   per-request overhead beyond the simulated latency (tiny GET, loopback): "
            f"{_stat(overhead)}"
        )
    settings = results["settings"]
    lines.append(
        f"latency {settings['latency_ms']:g} ms, seed {settings['seed']}, runs {settings['runs']}"
        f", budget {settings['budget_s']:g} s; '~' = timed on the first pages and scaled"
    )
    if settings.get("type_interval_ms"):
        lines.append(
            f"3b: the filter keys sent one every {settings['type_interval_ms']:g} ms without "
            "waiting for the app; each timed from when it was due to the frame showing it"
        )
    for check in results.get("goals", []):
        unit = check["unit"]
        shown = (
            f"{_goal_ratio(check['measured'], check['limit'])}x <= {check['limit']:.2f}x"
            if unit == "x"
            else f"{fmt(check['measured'], unit)} <= {fmt(check['limit'], unit)}"
        )
        lines.append(f"  [{'met' if check['met'] else 'MISSED'}] {check['goal']}: {shown}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    results = run(args)
    text = table(results)
    results["table"] = text
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(text)
    print(f"\nfigures written to {args.out} ({results['elapsed_s']:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
