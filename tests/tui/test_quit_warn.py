"""Quitting right after the credentials changed leaves no un-awaited `aclose` behind
(the retired clients used to be closed by a coroutine made before its worker ran)."""

from __future__ import annotations

import gc
import warnings
from dataclasses import replace

from tui.scenarios import SIZE, build, wait_loaded


async def test_new_credentials_then_quit_leaves_no_unawaited_coroutine() -> None:
    built = build()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        async with built.app.run_test(size=SIZE) as pilot:
            await wait_loaded(pilot)
            await pilot.press("a")  # a second client, for the other API
            old = pilot.app.session.credentials
            assert old is not None
            pilot.app.set_session(credentials=replace(old, source="another login"))
            pilot.app.exit()
        gc.collect()
    assert not [str(w.message) for w in caught if "never awaited" in str(w.message)]
