"""Figure 3b's harness: filter keys typed at a steady pace, not waiting for the app. The
real app, headless, against the fake over a real socket, at a small size with tiny
filter slices (the sliced path a million rows take). No timing is asserted: only that
every key was read, applied and drawn, and that the figure has its shape."""

from __future__ import annotations

import argparse
import math
from collections.abc import Iterator

import pytest
from textual._xterm_parser import XTermParser

from benchmarks import tui_probe
from benchmarks.fake_server import FakeServer
from benchmarks.run import typed_figures
from bindings_tui.tui.widgets.bindings_table import BindingsTable

BINDINGS = 400
QUERIES = ("ol", "a.t")  # a letter pair, then a dot (a key with a name of its own)


@pytest.fixture(scope="module")
def server() -> Iterator[FakeServer]:
    with FakeServer(bindings=BINDINGS, latency_ms=0) as running:
        yield running


def test_keys_are_the_events_a_terminal_sends() -> None:
    typed = "ol_a.t3"
    from_terminal = list(XTermParser().feed(typed + "\x7f"))
    ours = [tui_probe.terminal_key(k) for k in [*typed, "backspace"]]
    assert [(e.key, e.character) for e in ours] == [(e.key, e.character) for e in from_terminal]


def test_texts_follow_the_keys() -> None:
    keys = tui_probe.filter_keys(["ab", "c"])
    assert keys == ["a", "b", "backspace", "backspace", "c", "backspace"]
    assert tui_probe.texts_typed(keys) == ["a", "ab", "a", "", "c", ""]


@pytest.mark.usefixtures("tiny_slices")
# 120 ms, the harness's pace. Not 5 or 40 ms: there a backspace (a binding's action) ran
# after a letter posted 5-40 ms later ("oa" where "" was due: 1 run in 3 at 5 ms on CI,
# 2 in 8 at 40 ms here), and the probe refuses a box whose text is not the keys' text.
@pytest.mark.parametrize("interval_ms", [120.0])
async def test_every_typed_key_gets_a_latency(
    server: FakeServer, monkeypatch: pytest.MonkeyPatch, interval_ms: float
) -> None:
    # The probe wraps the table's render_line for good; put it back after this test.
    monkeypatch.setattr(BindingsTable, "render_line", BindingsTable.render_line)
    args = argparse.Namespace(
        base_url=server.base_url,
        service=server.main_service,
        account_sid=server.account_sid,
        auth_token=server.auth_token,
        size=BINDINGS,
        filter=True,
        queries=list(QUERIES),
        type_interval_ms=interval_ms,
    )
    out = await tui_probe.full_load(args)
    assert out["loaded"] == BINDINGS
    keys = len(tui_probe.filter_keys(QUERIES))
    assert out["filter_keys"] == keys  # figure 3 ran first, on the same queries
    assert out["typed_keys"] == keys
    assert out["typed_interval_s"] == interval_ms / 1000
    parts = [out[f"typed_{name}_s"] for name in ("latencies", "queued", "apply", "to_frame")]
    assert all(len(samples) == keys for samples in parts)
    for latency, queued, applied, to_frame in zip(*parts, strict=True):
        # every key was read, its filter applied, and a frame drawn after that
        assert queued >= 0 and applied >= 0 and to_frame >= 0
        assert math.isclose(latency, queued + applied + to_frame, abs_tol=1e-9)
    assert 0 <= out["typed_overtaken"] < keys
    assert out["typed_stall_worst_s"] >= 0
    assert out["typed_slices"] >= 0 and out["typed_slice_worst_s"] >= 0

    figure = typed_figures(out)
    assert figure["keys"] == keys
    assert figure["p50_s"] <= figure["p95_s"] <= figure["max_s"]
    assert figure["max_s"] == max(out["typed_latencies_s"])
    assert set(figure["slowest_key"]) == {"index", "queued_s", "apply_s", "to_frame_s"}
