"""Keys remapped through `[keymap]` in config.toml; help and the palette show them as set."""

from __future__ import annotations

from pathlib import Path

from bindings_tui.credentials.profiles import config_dir
from bindings_tui.tui.app import KEYED_CLASSES
from bindings_tui.tui.commands import key_actions
from bindings_tui.tui.key_list import help_rows
from bindings_tui.tui.keymap import binding_ids, parse_keymap, valid_key
from bindings_tui.tui.screens.confirm import ConfirmModal
from bindings_tui.tui.screens.help import HelpScreen
from tui.scenarios import SIZE, build, wait_for, wait_loaded
from tui.trust_kit import notifications, raw_controls, screen_text, still_alive

KNOWN = binding_ids(KEYED_CLASSES)


def write_config(text: str) -> Path:
    directory = config_dir()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "config.toml"
    path.write_text(text)
    return path


def test_every_binding_id_is_known_and_namespaced() -> None:
    assert {"browser.delete", "table.down", "app.quit", "login.submit", "picker.back"} <= KNOWN
    assert all("." in binding_id for binding_id in KNOWN)


def test_keys_are_checked() -> None:
    for good in ("x", "X", "?", "f5", "question_mark", "ctrl+x", "ctrl+shift+up", "escape"):
        assert valid_key(good), good
    for bad in ("", "ctrl+", "hyperspace", "foo+x", " ", "\x1b", "ctrl+nothing"):
        assert not valid_key(bad), repr(bad)


def test_parse_keeps_what_is_right_and_names_what_is_wrong() -> None:
    table = {
        "browser.delete": "x",
        "browser.reload": " ctrl+r , f5 ",
        "browser.dlete": "z",
        "browser.sort": "ctrl+",
        "browser.user": 3,
    }
    keymap, problems = parse_keymap(table, KNOWN)
    assert keymap == {"browser.delete": "x", "browser.reload": "ctrl+r,f5"}
    assert len(problems) == 3
    assert "unknown binding id 'browser.dlete'" in problems[0]
    assert "'ctrl+' is not a key" in problems[1]
    assert problems[2].startswith("browser.user: keys must be a string")
    assert parse_keymap(None, KNOWN) == ({}, [])
    assert parse_keymap("x", KNOWN)[1] == ["[keymap] must be a table"]


async def test_a_remapped_key_runs_its_action_and_help_and_palette_show_it() -> None:
    write_config('[keymap]\n"browser.delete" = "x"\n"table.down" = "n,down"\n')
    built = build()
    async with built.app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await wait_loaded(pilot)
        first = screen.table.current
        assert first is not None
        await pilot.press("d")  # no longer bound
        await pilot.pause()
        assert not isinstance(pilot.app.screen, ConfirmModal)
        await pilot.press("n")  # the remapped cursor key
        await wait_for(pilot, lambda: screen.table.cursor == 1, "the cursor to move")
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmModal), "the modal")
        await pilot.press("escape")
        await wait_for(pilot, lambda: pilot.app.screen is screen, "back to the list")

        rows = dict((description, keys) for keys, description in help_rows(screen))
        assert rows["Delete"] == "x"
        assert rows["Down"] == "n, down"
        titles = {item.title: item.help for item in key_actions(screen)}
        assert titles["Bindings: Delete"] == "key x"
        assert titles["Move: Down"] == "key n, down"
        for title, help_text in titles.items():
            assert "bindingstable" not in title.lower() and "(" not in help_text
        assert "toggle_type" not in " ".join(titles) + " ".join(titles.values())

        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, HelpScreen), "help")
        assert "x             Delete" in screen_text(pilot.app)
        await pilot.press("escape")
        await pilot.press("ctrl+p")
        await pilot.pause(0.2)
        for ch in "Delete":
            await pilot.press(ch)
        await pilot.pause(0.3)
        shown = screen_text(pilot.app)
        assert "Bindings: Delete" in shown and "key x" in shown
        assert "bindingstable" not in shown


async def test_a_broken_keymap_is_one_line_and_the_rest_applies() -> None:
    write_config(
        '[keymap]\n"browser.delete" = "x"\n"browser.nope\\u001b]52;c;eA==\\u0007" = "z"\n'
        '"browser.reload" = "ctrl+"\n'
    )
    built = build()
    async with built.app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await wait_loaded(pilot)
        lines = [n for n in notifications(pilot.app) if n.startswith("Keymap")]
        assert len(lines) == 1 and "\n" not in lines[0]
        assert "unknown binding id" in lines[0] and "'ctrl+' is not a key" in lines[0]
        assert raw_controls(lines[0]) == []
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmModal), "the modal")
        await pilot.press("escape")
        await wait_for(pilot, lambda: pilot.app.screen is screen, "back to the list")
        await still_alive(pilot)


async def test_a_config_toml_that_is_not_toml_is_one_line() -> None:
    write_config("[keymap\n")
    built = build()
    async with built.app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_loaded(pilot)
        lines = [n for n in notifications(pilot.app) if n.startswith("Keymap")]
        assert len(lines) == 1 and "not valid TOML" in lines[0]
        await still_alive(pilot)
