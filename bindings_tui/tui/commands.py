"""The command palette: every key action in force on the screen, as `Category: what it does`,
with its keys as bound (a keymap from config.toml included), plus the sort orders."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.dom import DOMNode
from textual.screen import Screen

from bindings_tui.rows import Column
from bindings_tui.tui.key_list import active_keys


@dataclass(frozen=True, slots=True)
class PaletteAction:
    title: str
    help: str
    action: str
    node: DOMNode


def key_actions(screen: DOMNode) -> list[PaletteAction]:
    """The screen's keys in force, in the words help uses."""
    if not isinstance(screen, Screen):
        return []
    out = []
    for item in active_keys(screen):
        what = item.tooltip or item.description
        out.append(
            PaletteAction(f"{item.category}: {what}", f"key {item.keys}", item.action, item.node)
        )
    return out


def sort_actions(screen: DOMNode) -> list[PaletteAction]:
    if not hasattr(screen, "action_sort"):
        return []
    actions = [PaletteAction("Sort: load order", "the server's order", "sort('')", screen)]
    actions += [
        PaletteAction(f"Sort: by {c.value}", "o cycles, O reverses", f"sort('{c.value}')", screen)
        for c in Column
    ]
    return actions


class ActionsProvider(Provider):
    """Every key action of the screen the palette was opened over."""

    def _actions(self) -> list[PaletteAction]:
        return key_actions(self.screen) + sort_actions(self.screen)

    def _runner(self, item: PaletteAction) -> Callable[[], Awaitable[bool]]:
        return partial(self.app.run_action, item.action, item.node)

    async def discover(self) -> Hits:
        for item in self._actions():
            yield DiscoveryHit(item.title, self._runner(item), help=item.help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for item in self._actions():
            score = matcher.match(item.title)
            if score > 0:
                yield Hit(score, matcher.highlight(item.title), self._runner(item), help=item.help)
