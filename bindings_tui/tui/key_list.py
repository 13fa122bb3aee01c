"""The keys in force on a screen, as help and the command palette show them.

Built from Textual's public `Screen.active_bindings` (so a keymap from config.toml is
already applied), keeping only our own bindings (each has an id) and merging the keys of
one binding (`d, delete`). Keys are shown as bound, in the user's own words.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.app import App
from textual.binding import Binding
from textual.dom import DOMNode
from textual.screen import Screen

# The id's first part (`browser.delete`) names the category shown in the palette.
CATEGORIES: dict[str, str] = {
    "app": "App",
    "browser": "Bindings",
    "table": "Move",
    "filter": "Filter box",
    "detail": "Detail pane",
    "picker": "Services",
    "user": "User",
    "find": "Find",
    "help": "Help",
    "confirm": "Confirm",
    "login": "Login",
}

_KEY_NAMES = {"question_mark": "?", "slash": "/", "space": "space", "pageup": "pgup"}


@dataclass(frozen=True, slots=True)
class KeyAction:
    """One of our bindings in force: its keys, what it does, and where it runs."""

    binding_id: str
    keys: str  # `d, delete`
    description: str
    tooltip: str
    action: str
    node: DOMNode

    @property
    def category(self) -> str:
        prefix = self.binding_id.split(".", 1)[0]
        return CATEGORIES.get(prefix, prefix.capitalize())


def key_name(key: str) -> str:
    """A bound key for people: `question_mark` is `?`; the rest as written."""
    return _KEY_NAMES.get(key.strip(), key.strip())


def active_keys(screen: Screen[Any]) -> list[KeyAction]:
    """Our bindings in force on `screen`: the screen's first, then its widgets', then the
    app's. One entry per action of a node, with every key that runs it there (Textual's
    own `ctrl+q` beside our `q`)."""
    groups: dict[tuple[int, str], tuple[Any, list[Binding], list[str]]] = {}
    for key, active in screen.active_bindings.items():
        binding = active.binding
        entry = groups.setdefault((id(active.node), binding.action), (active.node, [], []))
        entry[1].append(binding)
        shown = binding.key_display or key_name(key)
        if shown not in entry[2]:
            entry[2].append(shown)
    actions: list[tuple[int, KeyAction]] = []
    seen: set[str] = set()
    for node, bindings, keys in groups.values():
        # Only our own keys (each has an `area.name` id), not Textual's generic ones.
        ours = next((b for b in bindings if b.id and "." in b.id and b.description), None)
        if ours is None or ours.id is None or ours.action in seen:
            continue
        seen.add(ours.action)
        rank = 0 if node is screen else 2 if isinstance(node, App) else 1
        item = KeyAction(
            ours.id, ", ".join(keys), ours.description, ours.tooltip, ours.action, node
        )
        actions.append((rank, item))
    actions.sort(key=lambda pair: pair[0])  # stable: each node's own order stays
    return [item for _rank, item in actions]


def help_rows(screen: Screen[Any]) -> list[tuple[str, str]]:
    """(keys, description) for the help screen."""
    return [(item.keys, item.tooltip or item.description) for item in active_keys(screen)]
