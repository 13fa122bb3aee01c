"""The command palette lists every action of the current screen as `category: action`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from functools import partial

from textual.binding import Binding as KeyBinding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.dom import DOMNode

from bindings_tui.store import Column


@dataclass(frozen=True, slots=True)
class PaletteAction:
    title: str
    help: str
    action: str
    node: DOMNode


def _bindings_of(node: DOMNode) -> Iterator[KeyBinding]:
    for item in node._bindings.key_to_bindings.values():
        yield from item


def screen_actions(node_chain: list[DOMNode]) -> list[PaletteAction]:
    """Every binding of the focused widget, its ancestors, the screen and the app."""
    seen: set[str] = set()
    out: list[PaletteAction] = []
    for node in node_chain:
        category = type(node).__name__.replace("Screen", "").lower() or "app"
        for binding in _bindings_of(node):
            if binding.id is None or binding.action in seen or not binding.description:
                continue
            seen.add(binding.action)
            key = binding.key_display or binding.key
            out.append(
                PaletteAction(
                    f"{category}: {binding.description}",
                    f"key {key}  ({binding.action})",
                    binding.action,
                    node,
                )
            )
    return out


def sort_actions(screen: DOMNode) -> list[PaletteAction]:
    if not hasattr(screen, "action_sort"):
        return []
    actions = [PaletteAction("sort: load order", "the server's order", "sort('')", screen)]
    actions += [
        PaletteAction(f"sort: by {c.value}", "o cycles, O reverses", f"sort('{c.value}')", screen)
        for c in Column
    ]
    return actions


class ActionsProvider(Provider):
    """Every key action of the screen the palette was opened over."""

    def _actions(self) -> list[PaletteAction]:
        screen = self.screen
        focused = self.focused
        chain: list[DOMNode] = []
        node: DOMNode | None = focused
        while node is not None and node is not screen:
            chain.append(node)
            node = node.parent
        chain += [screen, self.app]
        return screen_actions(chain) + sort_actions(screen)

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
