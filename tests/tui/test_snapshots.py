"""Snapshot tests of the main states (the same scenarios draw screenshots/)."""

from __future__ import annotations

from typing import Any

import pytest

from tui.scenarios import SCENARIOS, SIZE


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_snapshot(snap_compare: Any, scenario: Any) -> None:
    app, run_before = scenario.make()
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
