"""Snapshot tests of the main states (the same scenarios draw screenshots/)."""

from __future__ import annotations

from typing import Any

import pytest

from tui.scenarios import LARGE, SCENARIOS, SIZE, SIZED, SMALL, size_name


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_snapshot(snap_compare: Any, scenario: Any) -> None:
    app, run_before = scenario.make()
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


SIZED_SCENARIOS = [s for s in SCENARIOS if s.name in SIZED]


@pytest.mark.parametrize("size", [SMALL, LARGE], ids=size_name)
@pytest.mark.parametrize("scenario", SIZED_SCENARIOS, ids=[s.name for s in SIZED_SCENARIOS])
def test_snapshot_at_size(snap_compare: Any, scenario: Any, size: tuple[int, int]) -> None:
    """The layout at 80x24 (nothing scrolls, the detail pane steps aside) and 200x50."""
    app, run_before = scenario.make()
    assert snap_compare(app, terminal_size=size, run_before=run_before)
