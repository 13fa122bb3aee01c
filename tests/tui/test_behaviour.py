"""Pilot tests: what a user does, checked against the app state and the fake's data."""

from __future__ import annotations

from typing import Any

from bindings_tui.client import TwilioClient
from bindings_tui.fake_twilio import FAKE_BASE_URL
from bindings_tui.filtering import TypeFilter, parse_query
from bindings_tui.models import ApiFlavor
from bindings_tui.tui.screens.confirm import ConfirmModal
from bindings_tui.tui.screens.login import LoginScreen
from bindings_tui.tui.widgets.bindings_table import BindingsTable
from tui.scenarios import (
    SIZE,
    browser,
    build,
    is_browser,
    type_text,
    wait_first_page,
    wait_for,
    wait_loaded,
)


def shown_sids(screen: Any) -> list[str]:
    return [b.sid for b in screen.browse.active_rows.in_view()]


def fake_sids(built: Any) -> set[str]:
    service = built.fake.service_sids()[0]
    sids: set[str] = built.fake.binding_sids(ApiFlavor.CONVERSATIONS, service)
    return sids


async def test_filter_narrows_and_escape_clears() -> None:
    built = build()
    async with built.app.run_test(size=SIZE) as pilot:
        screen = await wait_loaded(pilot)
        total = screen.browse.rows.loaded_count
        await pilot.press("slash")
        await type_text(pilot, "chen")
        await pilot.pause()
        shown = list(screen.browse.rows.in_view())
        assert 0 < len(shown) < total
        assert all("chen" in (b.identity or "") + (b.endpoint or "") for b in shown)
        await pilot.press("enter")
        assert isinstance(pilot.app.focused, BindingsTable)
        assert len(screen.browse.rows) == len(shown)  # enter keeps the filter
        await pilot.press("slash", "escape")
        await pilot.pause()
        assert len(screen.browse.rows) == total


async def test_invalid_regex_is_literal_with_hint_and_inversion_works() -> None:
    built = build()
    async with built.app.run_test(size=SIZE) as pilot:
        screen = await wait_loaded(pilot)
        await pilot.press("slash")
        await type_text(pilot, "bob[")
        await pilot.pause()
        assert screen.browse.rows.query.hint and "invalid regex" in screen.browse.rows.query.hint
        await pilot.press("escape", "slash")
        await type_text(pilot, "!apn")
        await pilot.pause()
        assert screen.browse.rows.shown_count > 0
        assert all(b.binding_type != "apn" for b in screen.browse.rows.in_view())


async def test_type_toggle_shows_only_that_type() -> None:
    built = build()
    async with built.app.run_test(size=SIZE) as pilot:
        screen = await wait_loaded(pilot)
        await pilot.press("3")  # fcm
        await pilot.pause()
        assert {b.binding_type for b in screen.browse.rows.in_view()} == {"fcm"}
        await pilot.press("1")  # + apn
        assert {b.binding_type for b in screen.browse.rows.in_view()} == {"fcm", "apn"}
        await pilot.press("escape")
        assert screen.browse.rows.shown_count == screen.browse.rows.loaded_count


async def test_hostile_identity_renders_literally() -> None:
    built = build()
    async with built.app.run_test(size=SIZE) as pilot:
        screen = await wait_loaded(pilot)
        await pilot.press("slash")
        await type_text(pilot, "bob")
        await pilot.press("enter")
        await pilot.pause()
        table = pilot.app.screen.query_one(BindingsTable)
        assert any(b.identity == "bob[/b]" for b in screen.browse.rows.in_view())
        lines = [table.render_line(y).text for y in range(1, 1 + len(screen.browse.rows))]
        assert any("bob[/b]" in line for line in lines)


async def test_delete_removes_the_binding_from_the_fake() -> None:
    built = build()
    async with built.app.run_test(size=SIZE) as pilot:
        screen = await wait_loaded(pilot)
        target = pilot.app.screen.query_one(BindingsTable).current
        assert target is not None and target.sid in fake_sids(built)
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmModal), "the modal")
        assert pilot.app.focused is not None and pilot.app.focused.id == "cancel"
        await pilot.press("y")
        await wait_for(pilot, lambda: target.sid not in screen.browse.rows, "the row to go")
        assert target.sid not in fake_sids(built)
        assert target.sid not in shown_sids(screen)


async def test_cancel_keeps_the_binding() -> None:
    built = build()
    async with built.app.run_test(size=SIZE) as pilot:
        screen = await wait_loaded(pilot)
        target = pilot.app.screen.query_one(BindingsTable).current
        assert target is not None
        for cancel_key in ("n", "escape", "enter"):  # enter presses the focused Cancel
            await pilot.press("d")
            await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmModal), "modal")
            await pilot.press(cancel_key)
            await wait_for(pilot, lambda: pilot.app.screen is screen, "the modal to close")
        assert target.sid in fake_sids(built)
        assert target.sid in shown_sids(screen)


async def test_failed_delete_keeps_the_row_and_says_why() -> None:
    built = build()
    async with built.app.run_test(size=SIZE) as pilot:
        screen = await wait_loaded(pilot)
        target = pilot.app.screen.query_one(BindingsTable).current
        assert target is not None
        built.fake.faults.script("500", path_contains=target.sid, method="DELETE")
        await pilot.press("d", "y")
        await wait_for(pilot, lambda: bool(pilot.app._notifications), "a notification")
        await wait_for(pilot, lambda: target.sid not in screen.browse.rows.pending, "the undim")
        assert target.sid in shown_sids(screen)
        assert target.sid in fake_sids(built)
        messages = [n.message for n in pilot.app._notifications]
        assert any("500" in m and "twilio.com/docs/errors" in m for m in messages), messages


async def test_delete_of_an_already_gone_binding_removes_the_row() -> None:
    built = build()
    async with built.app.run_test(size=SIZE) as pilot:
        screen = await wait_loaded(pilot)
        target = pilot.app.screen.query_one(BindingsTable).current
        assert target is not None
        service = built.fake.service_sids()[0]
        async with TwilioClient(
            built.fake.credentials(), base_url=FAKE_BASE_URL, transport=built.fake.transport()
        ) as other:
            await other.delete_binding(service, target.sid)
        await pilot.press("d", "y")
        await wait_for(pilot, lambda: target.sid not in screen.browse.rows, "the row to go")
        messages = [n.message for n in pilot.app._notifications]
        assert any("was not found (deleted before?)" in m for m in messages), messages


async def test_bulk_delete_of_marked_rows() -> None:
    built = build()
    async with built.app.run_test(size=SIZE) as pilot:
        screen = await wait_loaded(pilot)
        await pilot.press("space", "space", "space")
        marked = set(screen.browse.rows.marks)
        assert len(marked) == 3
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmModal), "the modal")
        await pilot.press("y")
        await wait_for(pilot, lambda: not (marked & set(shown_sids(screen))), "rows to go")
        assert not marked & fake_sids(built)
        assert not screen.browse.rows.marks


async def test_identity_box_queries_the_server_while_the_list_loads() -> None:
    built = build(gate=1)  # the full list stalls after its first page
    async with built.app.run_test(size=SIZE) as pilot:
        screen = await wait_first_page(pilot)
        service = built.fake.service_sids()[0]
        everyone = built.fake.bindings(service)
        loaded = {b.identity for b in screen.browse.rows.in_view()}
        # an identity on a page that has not loaded (the list runs one stream per type)
        identity = next(b.identity for b in reversed(everyone) if b.identity not in loaded)
        assert identity and identity not in loaded
        for gate in built.gates:
            gate.allow = 10_000  # let the identity query (a new list request) through
        await pilot.press("i")
        await type_text(pilot, identity)
        await wait_for(pilot, lambda: screen.browse.identity_state.done, "the identity query")
        expected = {b.sid for b in everyone if b.identity == identity}
        assert set(shown_sids(screen)) == expected
        await pilot.press("escape")
        await wait_for(pilot, lambda: screen.browse.identity_rows is None, "back to the list")


async def test_cursor_stays_while_pages_arrive() -> None:
    built = build(gate=2)
    async with built.app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: is_browser(pilot.app.screen), "browser")
        screen = browser(pilot)
        await wait_for(pilot, lambda: screen.browse.load_state.pages == 2, "two pages")
        await pilot.press("o")  # sort by identity: new rows land above and below
        for _ in range(5):
            await pilot.press("down")
        table = pilot.app.screen.query_one(BindingsTable)
        chosen = table.current
        assert chosen is not None
        for gate in built.gates:
            gate.release.set()
        await wait_for(pilot, lambda: screen.browse.load_state.done, "the rest")
        assert table.current is not None and table.current.sid == chosen.sid


async def test_auth_error_during_use_goes_to_login_and_keeps_rows() -> None:
    built = build()
    async with built.app.run_test(size=SIZE) as pilot:
        screen = await wait_loaded(pilot)
        loaded = screen.browse.rows.loaded_count
        built.fake.faults.script("401", path_contains="Bindings")
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, LoginScreen), "login")
        assert screen.browse.load_state.error is not None
        assert loaded > 0


async def test_sort_by_column_and_reverse() -> None:
    built = build()
    async with built.app.run_test(size=SIZE) as pilot:
        screen = await wait_loaded(pilot)
        await pilot.press("o")
        names = [(b.identity or "").lower() for b in screen.browse.rows.in_view()]
        assert names == sorted(names)
        await pilot.press("O")
        names = [(b.identity or "").lower() for b in screen.browse.rows.in_view()]
        assert names == sorted(names, reverse=True)


async def test_service_picker_validates_a_typed_sid() -> None:
    built = build(open_picker=True)
    async with built.app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("e")
        await type_text(pilot, "IS123")
        await pilot.press("enter")
        await pilot.pause()
        hint = str(pilot.app.screen.query_one("#sid-hint").render())
        assert "34 characters" in hint
        assert not is_browser(pilot.app.screen)


async def test_the_scrollbar_follows_the_row_count_as_a_filter_narrows_and_widens() -> None:
    built = build(bindings=400)
    async with built.app.run_test(size=SIZE) as pilot:
        screen = await wait_loaded(pilot)
        table = screen.query_one(BindingsTable)
        session = screen.browse
        shown_lines = table.scrollable_content_region.height

        def in_step() -> None:
            rows = len(session.active_rows)
            assert table.virtual_size.height == rows + 1
            if table.show_vertical_scrollbar:
                assert table.vertical_scrollbar.window_virtual_size == rows + 1
            assert table.scroll_y <= table.max_scroll_y

        in_step()
        await pilot.press("end")  # the bottom of the whole list
        await pilot.pause()
        assert table.scroll_y == table.max_scroll_y > 0
        moved_at_once = 0
        for text in ("a", "ac", "acm", "ac", "a", "", "zzz-none", "", "e"):
            before = len(session.active_rows)
            session.set_filter(parse_query(text), TypeFilter())
            while session.active_rows.filtering:
                await pilot.pause()
            after = len(session.active_rows)
            if min(before, after) + 1 > shown_lines and before != after:
                # The scrollbar stays: its thumb moved in the same turn, no layout waited for.
                assert table.vertical_scrollbar.window_virtual_size == after + 1
                assert table.scroll_y <= table.max_scroll_y
                moved_at_once += 1
            await pilot.pause()
            in_step()
        assert moved_at_once >= 2
        await pilot.press("end")
        await pilot.pause()
        in_step()
        assert table.cursor == len(session.active_rows) - 1
        assert table.scroll_y == table.max_scroll_y
