"""A long filter's slices on screen: each runs in a turn of the event loop of its own,
after a frame. Run from the screen's message queue, every slice queued behind that frame
ran in one go (43 slices, 600-840 ms at a million rows) while typed keys waited unread."""

from __future__ import annotations

import asyncio
import itertools

import pytest

from tui.scenarios import SIZE, build, type_text, wait_for, wait_loaded


@pytest.mark.usefixtures("tiny_slices")
async def test_each_slice_of_a_long_filter_runs_in_its_own_turn_of_the_loop() -> None:
    built = build()
    async with built.app.run_test(size=SIZE) as pilot:
        screen = await wait_loaded(pilot)
        session = screen.browse
        loop = asyncio.get_running_loop()
        turns = 0
        ticking = True

        def tick() -> None:  # once per turn of the loop
            nonlocal turns
            turns += 1
            if ticking:
                loop.call_soon(tick)

        seen_at: list[int] = []
        one_slice = session._work_slice

        def counted_slice() -> None:
            seen_at.append(turns)
            one_slice()

        session._work_slice = counted_slice  # type: ignore[method-assign]
        loop.call_soon(tick)
        await pilot.press("slash")
        await type_text(pilot, "chen")
        await wait_for(pilot, lambda: not session.rows.filtering, "the filter to finish")
        ticking = False
        assert len(seen_at) >= 5, seen_at  # the long path was taken, slice by slice
        # No two slices in one turn: the loop (reading keys, painting) ran between each.
        assert all(a < b for a, b in itertools.pairwise(seen_at)), seen_at
        assert session.rows.shown_count > 0  # and the filter found its rows
