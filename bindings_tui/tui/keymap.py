"""Keys from config.toml: a `[keymap]` table of `"binding id" = "keys"`.

    [keymap]
    "browser.delete" = "x"
    "browser.reload" = "ctrl+r,f5"

Read through `config.read_toml` (bounded; a broken file is one line) from the config
directory, checked here (a known binding id, keys Textual can name) and applied with
Textual's public `App.set_keymap`. What is wrong is left out and said in one line; the
rest applies, and the app never stops for it.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from textual.binding import Binding
from textual.keys import Keys, key_to_character

from bindings_tui.config import config_path, read_toml, shown_path
from bindings_tui.errors import ConfigError
from bindings_tui.textsafe import clip, make_visible

TABLE = "keymap"
MODIFIERS = frozenset({"ctrl", "shift", "alt", "meta", "super", "hyper"})
_KEY_NAMES = frozenset(key.value for key in Keys)
_SHOWN_PROBLEMS = 3


def keymap_path(directory: Path | None = None) -> Path:
    return config_path(directory)


def binding_ids(classes: Iterable[type]) -> set[str]:
    """The ids of the bindings these classes (screens, widgets, the app) declare."""
    ids: set[str] = set()
    for cls in classes:
        for binding in getattr(cls, "BINDINGS", ()):
            if isinstance(binding, Binding) and binding.id:
                ids.add(binding.id)
    return ids


def valid_key(key: str) -> bool:
    """A key Textual can bind: `x`, `X`, `?`, `f5`, `question_mark`, `ctrl+shift+up`."""
    *modifiers, name = key.split("+")
    if not name or any(m not in MODIFIERS for m in modifiers):
        return False
    if len(name) == 1:
        return name.isprintable() and not name.isspace()
    return name in _KEY_NAMES or key_to_character(name) is not None


def _shown(value: object) -> str:
    return clip(make_visible(str(value)), 40)


def parse_keymap(table: object, known_ids: set[str]) -> tuple[dict[str, str], list[str]]:
    """The `[keymap]` table as a keymap, and what was wrong in it (left out)."""
    if table is None:
        return {}, []
    if not isinstance(table, dict):
        return {}, [f"[{TABLE}] must be a table"]
    keymap: dict[str, str] = {}
    problems: list[str] = []
    for binding_id, value in table.items():
        if binding_id not in known_ids:
            problems.append(f"unknown binding id {_shown(binding_id)!r}")
            continue
        if not isinstance(value, str) or not value.strip():
            problems.append(f'{binding_id}: keys must be a string like "x" or "ctrl+x,f5"')
            continue
        keys = [k.strip() for k in value.split(",")]
        bad = [k for k in keys if not valid_key(k)]
        if bad:
            problems.append(f"{binding_id}: {_shown(bad[0])!r} is not a key")
            continue
        keymap[binding_id] = ",".join(keys)
    return keymap, problems


def load_keymap(
    known_ids: set[str], directory: Path | None = None
) -> tuple[dict[str, str], str | None]:
    """The keymap of config.toml, and one line saying what was left out (None: all well)."""
    path = keymap_path(directory)
    try:
        data: dict[str, Any] = read_toml(path) or {}
    except ConfigError as exc:
        return {}, f"keys not remapped: {exc.user_message()}"
    keymap, problems = parse_keymap(data.get(TABLE), known_ids)
    if not problems:
        return keymap, None
    listed = "; ".join(problems[:_SHOWN_PROBLEMS])
    more = f" (and {len(problems) - _SHOWN_PROBLEMS} more)" if len(problems) > 3 else ""
    return keymap, f"{shown_path(path)} [{TABLE}]: {listed}{more}; left out"
