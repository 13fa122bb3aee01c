"""The TUI's guard through pilot: read-only hides every way to delete and says why when a
delete key is pressed (no DELETE reaches the fake); the header and the confirmation name
the profile's label; a TUI delete is one audit record with the row's JSON."""

from __future__ import annotations

from typing import Any

from tui.scenarios import PRODUCTION, SIZE, build, wait_for, wait_loaded

from bindings_tui.audit import AuditLog
from bindings_tui.models import ApiFlavor
from bindings_tui.tui.context import Guard
from bindings_tui.tui.key_list import active_keys
from bindings_tui.tui.screens.confirm import ConfirmModal
from bindings_tui.tui.screens.user import UserScreen
from bindings_tui.tui.widgets.bindings_table import BindingsTable
from bindings_tui.write_policy import WritePolicy


def _deletes(built: Any) -> int:
    return [r.method for r in built.fake.requests].count("DELETE")


def _sids(built: Any) -> set[str]:
    sids: set[str] = built.fake.binding_sids(ApiFlavor.CONVERSATIONS, built.fake.service_sids()[0])
    return sids


async def test_read_only_hides_delete_and_d_only_says_why() -> None:
    built = build(guard=PRODUCTION)
    async with built.app.run_test(size=SIZE) as pilot:
        screen = await wait_loaded(pilot)
        target = screen.query_one(BindingsTable).current
        assert target is not None
        assert "delete" not in {k.action for k in active_keys(screen)}  # footer, help, palette
        header = str(screen.query_one("#context").render())
        assert "READ-ONLY" in header and "PRODUCTION" in header
        for key in ("d", "delete"):
            await pilot.press(key)
            await pilot.pause()
            assert not isinstance(pilot.app.screen, ConfirmModal)
        messages = [n.message for n in pilot.app._notifications]
        assert any("read-only (profile prod (read_only = true))" in m for m in messages), messages
        # marked rows and the user view's clean-ups lead nowhere either
        await pilot.press("space", "space")
        await pilot.press("d")
        await pilot.pause()
        assert not isinstance(pilot.app.screen, ConfirmModal)
        await pilot.press("up", "u")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, UserScreen), "the user view")
        user = pilot.app.screen
        assert isinstance(user, UserScreen)
        assert not any(key.startswith("cleanup:") for key in user._targets)
        assert "delete" not in {k.action for k in active_keys(user)}
        await pilot.press("enter", "d")
        await pilot.pause()
        assert isinstance(pilot.app.screen, UserScreen)
        await pilot.press("escape")
        await pilot.pause()
    assert _deletes(built) == 0
    assert target.sid in _sids(built)
    assert not AuditLog().path.exists()


async def test_writable_guard_names_the_label_and_a_delete_is_recorded() -> None:
    built = build(guard=Guard(WritePolicy(), label="STAGING", color="yellow"))
    async with built.app.run_test(size=SIZE) as pilot:
        screen = await wait_loaded(pilot)
        target = screen.query_one(BindingsTable).current
        assert target is not None
        header = str(screen.query_one("#context").render())
        assert "STAGING" in header and "READ-ONLY" not in header
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmModal), "the modal")
        body = pilot.app.screen.query_one("#confirm-body").render()
        account = built.fake.credentials().account_sid
        assert account in str(body) and "profile demo" in str(body) and "STAGING" in str(body)
        styles = [str(span.style) for span in body.spans]  # type: ignore[attr-defined]
        assert any("yellow" in style for style in styles), styles
        await pilot.press("y")
        await wait_for(pilot, lambda: target.sid not in screen.browse.rows, "the row to go")
    assert target.sid not in _sids(built)
    records = list(AuditLog().read(lambda line: None))
    assert [r["binding_sid"] for r in records] == [target.sid]
    assert records[0]["binding"] == target.raw and records[0]["source"] == "tui"
    assert records[0]["account_sid"] == account and records[0]["outcome"] == "deleted"
