"""One smoke test of the TUI: every listing scenario loaded into the real app (pilot).

The TUI's own hostile tests belong to the TUI; this only proves that no listing class
ends the app, hangs its load, or puts the secret on screen.
"""

from __future__ import annotations

import asyncio

import pytest

from bindings_tui.browse import BrowseSession
from bindings_tui.credentials import ApiCredentials
from bindings_tui.models import ApiFlavor
from bindings_tui.retry import RetryPolicy
from bindings_tui.tui.app import BindingsApp
from bindings_tui.tui.context import AppContext, Backend
from tests.hostile.scenarios import LISTING
from tests.hostile.servers import HostileServer
from tests.hostile.twilio import ACCOUNT_SID, SERVICE, TOKEN

SETTLE_S = 30.0  # hang guard for one load (a fixed client gives up after ~4x the timeout)


def load_finished(app: BindingsApp) -> bool:
    """The browser's load is done or stopped (or the browser is gone: another screen)."""
    browse = getattr(app.screen, "browse", None)
    if not isinstance(browse, BrowseSession):
        return False
    state = browse.load_state
    return bool(state.done or state.error is not None)


@pytest.mark.parametrize("name", list(LISTING))
async def test_tui_survives_each_listing_scenario(hostile: HostileServer, name: str) -> None:
    hostile.serve(LISTING[name](hostile))
    ctx = AppContext(
        api=ApiFlavor.CONVERSATIONS,
        credentials=ApiCredentials(ACCOUNT_SID, TOKEN),
        profile_name="hostile",
        service_sid=SERVICE,
        backend=Backend(base_url=hostile.base_url, timeout=2.0, retry=RetryPolicy(max_attempts=1)),
        remember=False,
    )
    app = BindingsApp(ctx)
    async with app.run_test(size=(120, 40)) as pilot:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + SETTLE_S
        for _ in range(10_000):
            await pilot.pause(0.02)
            if load_finished(app) or not app.is_running or loop.time() > deadline:
                break
        assert app.is_running, f"{name}: the app ended"
        assert load_finished(app), f"{name}: the load neither finished nor failed"
        await pilot.pause()
        assert TOKEN not in app.export_screenshot()
        assert app.is_running
    assert hostile.foreign.received == b""
