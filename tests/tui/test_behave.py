"""Issue 17, Behaviour: what the user sees after a filter, a typeahead in the service
picker, a delete from the user view, empty states, the picker's keys, the copy note."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from bindings_tui.models import ApiFlavor
from bindings_tui.tui.key_list import help_rows
from bindings_tui.tui.screens.confirm import ConfirmModal
from bindings_tui.tui.screens.help import help_text
from bindings_tui.tui.screens.service_picker import ServicePickerScreen
from bindings_tui.tui.screens.user import UserScreen
from bindings_tui.tui.widgets.bindings_table import BindingsTable
from bindings_tui.tui.widgets.detail_pane import DetailPane
from tui.scenarios import (
    SIZE,
    browser,
    build,
    identity_with_several,
    is_browser,
    type_text,
    wait_for,
    wait_loaded,
)
from tui.test_behaviour import fake_sids


async def test_a_new_filter_puts_the_cursor_on_its_first_match_in_view() -> None:
    built = build()
    async with built.app.run_test(size=SIZE) as pilot:
        screen = await wait_loaded(pilot)
        table = screen.query_one(BindingsTable)
        for _ in range(30):
            await pilot.press("down")
        await pilot.pause()
        assert table.cursor == 30 and table.scroll_y > 0
        await pilot.press("slash")
        await type_text(pilot, "a")  # most rows match, the one under the cursor too
        await pilot.press("enter")
        await pilot.pause()
        first = screen.browse.active_rows.binding_at(0)
        assert first is not None
        assert table.cursor == 0 and table.scroll_y == 0
        assert table.current is not None and table.current.sid == first.sid
        await pilot.press("down", "down", "3")  # a type toggle is a new filter too
        await pilot.pause()
        assert table.cursor == 0
        assert table.current is not None and table.current.binding_type == "fcm"


class ServicesGate(httpx.AsyncBaseTransport):
    """Holds every services list (GET .../Services) until `release` is set."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.release = asyncio.Event()
        self.waiting = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "GET" and request.url.path.endswith("/Services"):
            self.waiting += 1
            await self.release.wait()
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


async def test_keys_typed_while_the_picker_loads_apply_in_order() -> None:
    gates: list[ServicesGate] = []

    def wrap(inner: httpx.AsyncBaseTransport) -> httpx.AsyncBaseTransport:
        gates.append(ServicesGate(inner))
        return gates[-1]

    built = build(wrap=wrap)
    async with built.app.run_test(size=SIZE) as pilot:
        screen = await wait_loaded(pilot)
        await pilot.press("s", "down", "enter")  # before the services arrive
        await wait_for(pilot, lambda: any(g.waiting for g in gates), "the services request")
        assert isinstance(pilot.app.screen, ServicePickerScreen)
        for gate in gates:
            gate.release.set()
        await wait_for(
            pilot,
            lambda: is_browser(pilot.app.screen) and pilot.app.screen is not screen,
            "the chosen service",
        )
        services = await pilot.app.client_for(ApiFlavor.CONVERSATIONS).list_services()
        opened = browser(pilot).browse.origin
        assert opened.service_sid == services[1].sid  # the second, as typed


async def test_a_delete_chosen_in_the_user_view_returns_to_it_updated() -> None:
    built = build()
    async with built.app.run_test(size=SIZE) as pilot:
        screen = await wait_loaded(pilot)
        identity = identity_with_several(built)
        await pilot.press("slash")
        await type_text(pilot, identity)
        await pilot.press("enter", "u")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, UserScreen), "the user view")
        user = pilot.app.screen
        assert isinstance(user, UserScreen)
        devices = len(user.bindings)
        await pilot.press("end")  # the last device
        request = user.request_at_cursor()
        assert request is not None and len(request.bindings) == 1
        target = request.bindings[0].sid
        # Cancel: the dialog shows over the browser, whose detail pane names the target.
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmModal), "the dialog")
        assert target in str(screen.query_one(DetailPane).border_title)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, UserScreen), "back to the user")
        again = pilot.app.screen
        assert isinstance(again, UserScreen) and len(again.bindings) == devices
        chosen = again.request_at_cursor()
        assert chosen is not None and chosen.bindings[0].sid == target  # same device
        # Confirm: back in the user view, which loses the device once it is deleted.
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmModal), "the dialog")
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, UserScreen), "back to the user")
        await wait_for(pilot, lambda: target not in fake_sids(built), "the delete")
        third = pilot.app.screen
        assert isinstance(third, UserScreen)
        await wait_for(pilot, lambda: len(third.bindings) == devices - 1, "the updated view")
        assert target not in {b.sid for b in third.bindings}


def empty_line(screen: Any) -> str:
    return screen.query_one(BindingsTable).empty_text


async def test_empty_states_say_why_nothing_is_shown() -> None:
    built = build()
    async with built.app.run_test(size=SIZE) as pilot:
        screen = await wait_loaded(pilot)
        assert empty_line(screen) == ""  # rows are shown
        await pilot.press("slash")
        await type_text(pilot, "zzzqqq")
        await pilot.press("enter")
        await pilot.pause()
        assert "matches the filter: escape clears it" in empty_line(screen)
        await pilot.press("escape", "i")
        await type_text(pilot, "nobody.here,ghost")
        await wait_for(pilot, lambda: screen.browse.identity_state.done, "the identity query")
        await pilot.pause()
        assert empty_line(screen) == (
            "no bindings for nobody.here, ghost: the app never registered, or they were removed"
        )


async def test_an_empty_service_says_so() -> None:
    probe = build()
    empty = next(s for s in probe.fake.service_sids() if not probe.fake.bindings(s))
    built = build(service_sid=empty)
    async with built.app.run_test(size=SIZE) as pilot:
        screen = await wait_loaded(pilot)
        assert screen.browse.rows.loaded_count == 0
        assert "This service has no bindings" in empty_line(screen)


async def test_picker_offers_escape_only_when_it_leads_somewhere() -> None:
    built = build(open_picker=True)
    async with built.app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ServicePickerScreen), "picker")
        picker = pilot.app.screen
        assert "escape" not in picker.active_bindings  # nothing behind it
        await pilot.press("slash")
        await pilot.pause()
        assert "escape" in picker.active_bindings  # from the SID box back to the list
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(pilot.app.screen, ServicePickerScreen)
        assert "escape" not in picker.active_bindings
    built = build()
    async with built.app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ServicePickerScreen), "picker")
        assert "escape" in pilot.app.screen.active_bindings  # back to the open service


async def test_help_says_space_moves_down_and_copy_needs_osc52() -> None:
    built = build()
    async with built.app.run_test(size=SIZE) as pilot:
        screen = await wait_loaded(pilot)
        rows = dict(help_rows(screen))
        assert "move down" in rows["space"]
        assert "set -g set-clipboard on" in str(help_text(rows.items()))


async def test_a_copy_shows_the_value_and_that_it_is_unconfirmed() -> None:
    built = build()
    async with built.app.run_test(size=SIZE) as pilot:
        screen = await wait_loaded(pilot)
        toasts: list[tuple[str, str]] = []

        def notify(message: str, *, title: str = "", **_: Any) -> None:
            toasts.append((message, title))

        screen.notify = notify  # type: ignore[method-assign]
        current = screen.query_one(BindingsTable).current
        assert current is not None and current.endpoint
        await pilot.press("C")
        await pilot.pause()
        message, title = toasts[-1]
        assert current.endpoint in message
        assert "OSC 52" in title and "set-clipboard on" in title


def test_a_user_view_without_devices_says_why() -> None:
    from bindings_tui.fake_twilio import FAKE_NOW

    user = UserScreen("alice", [], {}, None, FAKE_NOW, service_label="IS")
    assert "no bindings for alice: the app never registered, or they were removed" in str(
        user._note_text
    )
