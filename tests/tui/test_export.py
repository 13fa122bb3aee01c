"""Pilot tests of `e` (export the view) and `x` / `X` (copy as curl / twilio CLI)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input

from bindings_tui.copy_commands import curl_command, twilio_cli_command
from bindings_tui.export import ExportFormat, render, selection_of
from bindings_tui.fake_twilio import DEMO_AUTH_TOKEN, FAKE_BASE_URL
from bindings_tui.tui.screens.export import ExportModal
from bindings_tui.tui.widgets.bindings_table import BindingsTable
from tui.scenarios import SIZE, build, wait_for, wait_loaded
from tui.trust_kit import notifications, screen_text


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The current directory of the app: where a bare file name goes."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


async def _open_export(pilot: Any) -> ExportModal:
    await pilot.press("e")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ExportModal), "the export modal")
    modal = pilot.app.screen
    assert isinstance(modal, ExportModal)
    return modal


async def _submit(pilot: Any, modal: ExportModal, name: str | None = None) -> None:
    box = modal.query_one("#export-path", Input)
    if name is not None:
        box.value = name
    assert pilot.app.focused is box
    await pilot.press("enter")
    await wait_for(pilot, lambda: not modal.writing, "the write to end")


def _status(modal: ExportModal) -> str:
    return str(modal.query_one("#export-status").render())


async def test_e_writes_the_filtered_sorted_view_and_says_where(folder: Path) -> None:
    built = build()
    async with built.app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await wait_loaded(pilot)
        await pilot.press("3", "o")  # only fcm, sorted by identity
        expected = list(screen.browse.active_rows.in_view())
        assert 0 < len(expected) < screen.browse.rows.loaded_count
        modal = await _open_export(pilot)
        assert f"{len(expected)} bindings in view" in screen_text(pilot.app)
        default = modal.query_one("#export-path", Input).value
        assert default.startswith("bindings-IS") and default.endswith(".csv")
        await _submit(pilot, modal)
        await wait_for(pilot, lambda: pilot.app.screen is screen, "the modal to close")
        written = folder / default
        assert written.read_bytes().decode() == render(expected, ExportFormat.CSV)
        assert f"Export: Wrote {len(expected)} bindings to {written}" in notifications(pilot.app)


async def test_marked_rows_are_exported_in_view_order(folder: Path) -> None:
    built = build()
    async with built.app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await wait_loaded(pilot)
        table = screen.query_one(BindingsTable)
        await pilot.press("space", "down", "space", "space")  # rows 1, 3 and 4
        marked = set(screen.browse.active_rows.marks)
        assert len(marked) == 3
        await pilot.press("O")  # the view reversed: the file follows it
        in_view = [b.sid for b in screen.browse.active_rows.in_view() if b.sid in marked]
        assert table.current is not None
        modal = await _open_export(pilot)
        assert "3 marked bindings" in screen_text(pilot.app)
        await _submit(pilot, modal, "marked.json")
        await wait_for(pilot, lambda: (folder / "marked.json").exists(), "the file")
        assert [b["sid"] for b in json.loads((folder / "marked.json").read_text())] == in_view


async def test_an_existing_file_needs_a_second_enter(folder: Path) -> None:
    (folder / "x.csv").write_text("keep me")
    built = build()
    async with built.app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await wait_loaded(pilot)
        modal = await _open_export(pilot)
        await _submit(pilot, modal, "x.csv")
        assert pilot.app.screen is modal
        assert "exists already: enter again to replace it" in _status(modal)
        assert (folder / "x.csv").read_text() == "keep me"
        # Another name cancels the confirmation; coming back asks again.
        await _submit(pilot, modal, "y.csv.txt")
        await _submit(pilot, modal, "x.csv")
        assert (folder / "x.csv").read_text() == "keep me"
        await _submit(pilot, modal)
        await wait_for(pilot, lambda: pilot.app.screen is screen, "the modal to close")
        expected = selection_of(screen.browse.active_rows).bindings
        assert (folder / "x.csv").read_bytes().decode() == render(expected, ExportFormat.CSV)
        assert sorted(p.name for p in folder.iterdir()) == ["x.csv"]


async def test_bad_names_are_one_line_in_the_modal_and_escape_cancels(folder: Path) -> None:
    built = build()
    async with built.app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await wait_loaded(pilot)
        modal = await _open_export(pilot)
        for name, problem in (
            ("x.txt", "end the name with .csv, .json or .jsonl"),
            ("", "give a file name"),
            ("nope/x.csv", "does not exist"),
            ("a\x1b]52;c;eA==\x07.csv", "is not a usable file name"),
        ):
            await _submit(pilot, modal, name)
            assert pilot.app.screen is modal
            status = _status(modal)
            assert problem in status and "\x1b" not in status
        assert modal.query_one("#export-status").has_class("-error")
        await pilot.press("escape")
        await wait_for(pilot, lambda: pilot.app.screen is screen, "the modal to close")
        assert list(folder.iterdir()) == []
        assert pilot.app.errors_reported == 0  # handled inline, never an app error


async def test_x_and_shift_x_copy_commands_without_the_secret(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    built = build()
    copied: list[str] = []
    async with built.app.run_test(size=SIZE, notifications=True) as pilot:
        monkeypatch.setattr(pilot.app, "copy_to_clipboard", copied.append)
        screen = await wait_loaded(pilot)
        await pilot.press("down", "down")
        binding = screen.query_one(BindingsTable).current
        assert binding is not None
        origin, creds = screen.browse.origin, pilot.app.session.credentials
        assert creds is not None
        await pilot.press("x", "X")
        await pilot.pause()
        curl = curl_command(
            creds,
            origin.api,
            origin.service_sid,
            binding.sid,
            base_url=FAKE_BASE_URL,
            local_names=True,
        )
        twilio = twilio_cli_command(creds, origin.api, origin.service_sid, binding.sid)
        assert copied == [curl, twilio]
        assert binding.sid in curl and "$TWILIO_AUTH_TOKEN" in curl
        toasts = "\n".join(notifications(pilot.app))
        assert f"Copied: {curl}" in toasts and f"Copied: {twilio}" in toasts
        assert DEMO_AUTH_TOKEN not in toasts + "".join(copied)


async def test_the_keys_are_in_help_the_palette_and_the_keymap(folder: Path) -> None:
    from bindings_tui.tui.app import KEYED_CLASSES
    from bindings_tui.tui.commands import key_actions
    from bindings_tui.tui.keymap import binding_ids

    ids = binding_ids(KEYED_CLASSES)
    for binding_id in ("browser.export", "browser.copy_curl", "browser.copy_twilio"):
        assert binding_id in ids
    assert "export.cancel" in ids
    built = build()
    async with built.app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await wait_loaded(pilot)
        titles = {a.title: a.help for a in key_actions(screen)}
        assert titles["Bindings: Export"] == "key e"
        assert titles["Bindings: Copy as curl"] == "key x"
        assert titles["Bindings: Copy as twilio CLI"] == "key X"
        await pilot.press("slash")
        for ch in "no-such-binding-anywhere":
            await pilot.press(ch)
        await pilot.press("enter", "e")
        await pilot.pause()
        assert pilot.app.screen is screen  # nothing in view: no dialog, a warning
        assert any("Nothing to export" in n for n in notifications(pilot.app))


async def test_escape_waits_for_a_write_in_progress(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The write runs in a thread that cannot be stopped: escape meanwhile keeps the
    dialog, which then reports the file as usual."""
    import threading

    from bindings_tui.tui.screens import export as export_screen

    release = threading.Event()
    real_write = export_screen.write_export

    def slow_write(*args: Any, **kwargs: Any) -> Path:
        assert release.wait(30)
        return real_write(*args, **kwargs)

    monkeypatch.setattr(export_screen, "write_export", slow_write)
    built = build()
    async with built.app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await wait_loaded(pilot)
        modal = await _open_export(pilot)
        modal.query_one("#export-path", Input).value = "slow.jsonl"
        await pilot.press("enter")
        await wait_for(pilot, lambda: modal.writing, "the write to start")
        await pilot.press("escape")
        assert pilot.app.screen is modal and "Writing" in _status(modal)
        release.set()
        await wait_for(pilot, lambda: pilot.app.screen is screen, "the modal to close")
        assert (folder / "slow.jsonl").exists()
        assert any("Wrote" in n and "slow.jsonl" in n for n in notifications(pilot.app))
