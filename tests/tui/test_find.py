"""The find screen through pilot: `F` from anywhere, identities searched in every service
of both APIs, results grouped by service, enter opens that service with the identity query."""

from __future__ import annotations

from typing import Any

import httpx
from textual.widgets import DataTable

from bindings_tui.models import ApiFlavor
from bindings_tui.tui.app import KEYED_CLASSES
from bindings_tui.tui.commands import key_actions
from bindings_tui.tui.keymap import binding_ids
from bindings_tui.tui.screens.browser import BrowserScreen
from bindings_tui.tui.screens.confirm import ConfirmModal
from bindings_tui.tui.screens.find import FindScreen
from bindings_tui.tui.screens.service_picker import ServicePickerScreen
from tui.scenarios import SIZE, build, type_text, wait_for, wait_loaded

LIAM = "liam.johnson@example.com"
OLIVIA = "olivia.chen@example.com"


def expected(fake: Any, identities: set[str], api: ApiFlavor, service: str) -> set[str]:
    return {
        b.sid
        for b in fake.bindings(service)
        if b.identity in identities and b.binding_type in api.binding_types
    }


async def open_find(pilot: Any, text: str) -> FindScreen:
    await pilot.press("F")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, FindScreen), "the find screen")
    screen = pilot.app.screen
    assert isinstance(screen, FindScreen)
    await type_text(pilot, text)
    await pilot.press("enter")
    await wait_for(pilot, lambda: screen.report is not None, "the search")
    return screen


def row_keys(screen: FindScreen) -> list[str]:
    table = screen.query_one("#find-results", DataTable)
    return [str(row.key.value) for row in table.ordered_rows]


async def test_find_groups_by_service_and_enter_opens_it_with_the_query() -> None:
    built = build()
    fake = built.fake
    _main, staging, empty = fake.service_sids()
    async with built.app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        screen = await open_find(pilot, f"{LIAM}, {OLIVIA}")
        report = screen.report
        assert report is not None and report.ok
        groups = [(r.service.api, r.service.sid) for r in report.with_bindings]
        listed = fake.store.sorted_service_sids()
        assert groups == [
            (api, sid)
            for api in (ApiFlavor.CONVERSATIONS, ApiFlavor.CHAT)
            for sid in listed
            if sid != empty
        ]
        for api, sid in groups:
            got = {
                f.binding.sid for f in report.found if (f.service.api, f.service.sid) == (api, sid)
            }
            assert got == expected(fake, {LIAM, OLIVIA}, api, sid)
        # One header row per service, then its bindings.
        keys = row_keys(screen)
        assert len(keys) == len(groups) + len(report.found)
        assert [k for k in keys if "b" not in k] == ["s0", "s1", "s2", "s3"]
        table = screen.query_one("#find-results", DataTable)
        header = table.get_row("s2")
        assert "Chat v2" in str(header[0]) and "Acme Chat" in str(header[0])
        assert pilot.app.focused is table

        # enter on the Chat v2 staging group: that service, that API, the identity query.
        target = next(
            key
            for key, choice in screen._choices.items()
            if "b" not in key and (choice.api, choice.service_sid) == (ApiFlavor.CHAT, staging)
        )
        table.move_cursor(row=table.get_row_index(target))
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: (
                isinstance(pilot.app.screen, BrowserScreen)
                and pilot.app.screen.browse.origin.service_sid == staging
            ),
            "the staging browser",
        )
        browser = pilot.app.screen
        assert isinstance(browser, BrowserScreen)
        assert browser.browse.origin.api is ApiFlavor.CHAT
        assert pilot.app.session.api is ApiFlavor.CHAT
        assert pilot.app.session.service_sid == staging
        assert set(browser.browse.identities) == {LIAM, OLIVIA}
        await wait_for(pilot, lambda: browser.browse.identity_state.done, "the identity query")
        shown = {b.sid for b in browser.browse.active_rows.in_view()}
        assert shown == expected(fake, {LIAM, OLIVIA}, ApiFlavor.CHAT, staging)
        assert browser.query_one("#identity").value == f"{LIAM},{OLIVIA}"


async def test_enter_on_a_binding_opens_its_service_with_its_identity() -> None:
    built = build()
    fake = built.fake
    main = fake.service_sids()[0]
    async with built.app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        screen = await open_find(pilot, f"{OLIVIA} {LIAM}")
        table = screen.query_one("#find-results", DataTable)
        key = next(
            k
            for k, c in screen._choices.items()
            if "b" in k and c.service_sid == main and c.identities == (LIAM,)
        )
        table.move_cursor(row=table.get_row_index(key))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, BrowserScreen), "browser")
        browser = pilot.app.screen
        assert isinstance(browser, BrowserScreen)
        assert browser.browse.identities == (LIAM,)
        await wait_for(pilot, lambda: browser.browse.identity_state.done, "the identity query")
        shown = {b.sid for b in browser.browse.active_rows.in_view()}
        api = browser.browse.origin.api
        assert shown == expected(fake, {LIAM}, api, main)


async def test_escape_goes_back_and_changes_nothing() -> None:
    built = build()
    async with built.app.run_test(size=SIZE) as pilot:
        before = await wait_loaded(pilot)
        session = pilot.app.session
        await open_find(pilot, LIAM)
        await pilot.press("escape")
        await pilot.pause()
        assert pilot.app.screen is before
        assert pilot.app.session == session


async def test_find_from_the_picker_and_from_the_palette() -> None:
    built = build(open_picker=True)
    async with built.app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ServicePickerScreen), "picker")
        actions = [a for a in key_actions(pilot.app.screen) if a.action == "find"]
        assert [a.title for a in actions] == ["App: Find user"]
        await pilot.app.run_action(actions[0].action, actions[0].node)
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, FindScreen), "find screen")
        await type_text(pilot, LIAM)
        await pilot.press("enter")
        screen = pilot.app.screen
        assert isinstance(screen, FindScreen)
        await wait_for(pilot, lambda: screen.report is not None, "the search")
        assert len(screen.report.with_bindings) == 4  # type: ignore[union-attr]
        await pilot.press("enter")  # the first group
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, BrowserScreen), "browser")


async def test_not_over_a_dialog_and_an_empty_box_asks_for_identities() -> None:
    built = build()
    async with built.app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmModal), "the modal")
        await pilot.press("F")
        await pilot.pause()
        assert isinstance(pilot.app.screen, ConfirmModal)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("F")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, FindScreen), "find screen")
        await pilot.press("enter")
        await pilot.pause()
        screen = pilot.app.screen
        assert isinstance(screen, FindScreen) and screen.report is None
        assert "identities first" in str(screen.query_one("#find-status").render())


async def test_a_failing_service_is_shown_and_the_rest_kept() -> None:
    staging_path: list[str] = []

    class Refusing(httpx.AsyncBaseTransport):
        def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
            self.inner = inner

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            if staging_path and request.url.path == staging_path[0]:
                body = {"code": 20403, "message": "Forbidden [b]x[/b]", "status": 403}
                return httpx.Response(403, json=body)
            return await self.inner.handle_async_request(request)

    built = build(wrap=Refusing)
    staging = built.fake.service_sids()[1]
    staging_path.append(f"/v2/Services/{staging}/Bindings")
    async with built.app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        screen = await open_find(pilot, LIAM)
        report = screen.report
        assert report is not None
        [failed] = report.failed
        assert (failed.service.api, failed.service.sid) == (ApiFlavor.CHAT, staging)
        assert len(report.with_bindings) == 3
        table = screen.query_one("#find-results", DataTable)
        cells = [str(c) for key in row_keys(screen) for c in table.get_row(key)]
        assert any("not searched" in c and "20403" in c and "[b]x[/b]" in c for c in cells)
        status = str(screen.query_one("#find-status").render())
        assert "1 could not be searched" in status


def test_find_keys_have_ids_for_the_keymap() -> None:
    ids = binding_ids(KEYED_CLASSES)
    assert {"app.find", "find.back", "find.edit", "find.help"} <= ids
