"""`w` in the TUI through Textual's pilot: another client (the fake's admin routes and the
normal API) adds, changes and deletes bindings while the browser watches."""

from __future__ import annotations

from typing import Any

import httpx
from textual.pilot import Pilot

from bindings_tui.fake_twilio import FAKE_BASE_URL
from bindings_tui.tui.screens.browser import BrowserScreen
from bindings_tui.tui.screens.confirm import ConfirmModal
from bindings_tui.tui.widgets.bindings_table import BindingsTable
from bindings_tui.tui.widgets.line import Line
from tui.scenarios import SIZE, Built, build, type_text, wait_for, wait_loaded
from tui.watch_stepper import Stepper


def other_client(built: Built) -> httpx.AsyncClient:
    fake = built.fake
    return httpx.AsyncClient(
        transport=fake.transport(),
        base_url=FAKE_BASE_URL,
        auth=(fake.config.account_sid, fake.config.auth_token),
    )


def row_text(screen: BrowserScreen, sid: str) -> str:
    table = screen.query_one(BindingsTable)
    position = screen.browse.active_rows.position_of(sid)
    assert position is not None, f"{sid} is not shown"
    table.move_cursor(position)
    return table.render_line(1 + position - round(table.scroll_y)).text


def status_text(screen: BrowserScreen) -> str:
    return str(screen.query_one("#status-left", Line).render())


async def start_watching(pilot: Pilot[Any], built: Built) -> tuple[BrowserScreen, Stepper]:
    stepper = Stepper()
    built.app.ctx.watch_sleep = stepper.sleep
    screen = await wait_loaded(pilot)
    await pilot.press("w")
    state = screen.browse.watching
    assert state is not None
    await wait_for(pilot, lambda: state.last_refresh is not None, "the baseline listing")
    return screen, stepper


async def refresh(pilot: Pilot[Any], screen: BrowserScreen, stepper: Stepper) -> None:
    state = screen.browse.watching
    assert state is not None
    before = stepper.sleeping
    stepper.step()
    await wait_for(pilot, lambda: stepper.sleeping > before, "the next listing")


async def test_watch_shows_an_add_a_removal_and_a_change_by_another_client() -> None:
    built = build()
    service = built.fake.service_sids()[0]
    async with built.app.run_test(size=SIZE) as pilot:
        screen, stepper = await start_watching(pilot, built)
        state = screen.browse.watching
        assert state is not None
        loaded = screen.browse.rows.loaded()
        doomed, touched = loaded[0], loaded[1]
        async with other_client(built) as other:
            added = await other.post("/_fake/bindings", data={"Identity": "watch-newcomer"})
            new_sid = added.json()["sid"]
            assert (await other.post(f"/_fake/bindings/{touched.sid}")).status_code == 200
            gone = await other.delete(f"/v1/Services/{service}/Bindings/{doomed.sid}")
            assert gone.status_code == 204
        await refresh(pilot, screen, stepper)
        await wait_for(pilot, lambda: new_sid in state.new, "the new row")
        assert state.gone == {doomed.sid} and state.changed == {touched.sid}
        # the gone row stays, marked; the new row is there, highlighted
        assert doomed.sid in screen.browse.rows
        assert row_text(screen, new_sid).startswith("+")
        assert "watch-newcomer" in row_text(screen, new_sid)
        assert row_text(screen, doomed.sid).startswith("−")
        assert row_text(screen, touched.sid).startswith("~")
        line = status_text(screen)
        assert "watching the service" in line and "last refresh" in line
        assert line.rstrip().endswith("+1 −1 ~1")
        # `w` again: the watch stops and the gone row leaves
        await pilot.press("w")
        await pilot.pause()
        assert screen.browse.watching is None
        assert doomed.sid not in screen.browse.rows and new_sid in screen.browse.rows
        assert row_text(screen, new_sid)[0] == " "


async def test_refresh_pauses_while_a_dialog_is_open() -> None:
    built = build()
    async with built.app.run_test(size=SIZE) as pilot:
        screen, stepper = await start_watching(pilot, built)
        state = screen.browse.watching
        assert state is not None
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmModal), "the modal")
        async with other_client(built) as other:
            added = await other.post("/_fake/bindings", data={"Identity": "while-paused"})
        sid = added.json()["sid"]
        requests = len(built.fake.requests)
        await refresh(pilot, screen, stepper)
        await refresh(pilot, screen, stepper)
        await wait_for(pilot, lambda: state.paused, "the pause")
        assert len(built.fake.requests) == requests  # nothing was listed
        assert sid not in screen.browse.rows
        assert "paused while a dialog is open" in status_text(screen)
        await pilot.press("escape")
        await wait_for(pilot, lambda: pilot.app.screen is screen, "the modal to close")
        await refresh(pilot, screen, stepper)
        await wait_for(pilot, lambda: sid in state.new, "the row added meanwhile")
        assert not state.paused


async def test_big_service_needs_an_identity_query_then_watches_it() -> None:
    built = build(bindings=1200)
    async with built.app.run_test(size=SIZE) as pilot:
        stepper = Stepper()
        built.app.ctx.watch_sleep = stepper.sleep
        screen = await wait_loaded(pilot)
        await pilot.press("w")
        await pilot.pause()
        assert screen.browse.watching is None
        assert any("query an identity first" in n.message for n in pilot.app._notifications)
        identity = screen.browse.rows.loaded()[0].identity
        assert identity
        await pilot.press("i")
        await type_text(pilot, identity)
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: (
                screen.browse.identity_listing is not None and screen.browse.identity_state.done
            ),
            "the identity query",
        )
        await pilot.press("w")
        state = screen.browse.watching
        assert state is not None and state.identities == (identity,)
        await wait_for(pilot, lambda: state.last_refresh is not None, "the baseline")
        async with other_client(built) as other:
            await other.post("/_fake/bindings", data={"Identity": identity})
            await other.post("/_fake/bindings", data={"Identity": "someone-else"})
        await refresh(pilot, screen, stepper)
        await wait_for(pilot, lambda: len(state.new) == 1, "the identity's new binding")
        (sid,) = state.new
        assert screen.browse.active_rows.get(sid) is not None
        assert f"watching {identity}" in status_text(screen)
        # a new identity query is another list: the watch stops
        await pilot.press("i", "backspace")
        await wait_for(pilot, lambda: screen.browse.watching is None, "the watch to stop")
