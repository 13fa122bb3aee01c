"""Textual's Footer, rebuilt only when its keys change."""

from __future__ import annotations

from typing import Any

from textual.screen import Screen
from textual.widgets import Footer

from bindings_tui.tui.guard import guarded, guarded_callback


class KeyFooter(Footer):
    """The stock Footer remounts every key widget on each bindings refresh: three times as
    a screen mounts (screen stack, focus, idle), about 30 ms each on the main screen, the
    last of them while the first page of bindings waits. This one coalesces the refreshes
    of one frame and skips a rebuild that would show the same keys; the rebuild itself is
    the stock one (public `Footer.bindings_changed`)."""

    _shown: tuple[Any, ...] | None = None
    _rebuild_pending = False

    @guarded
    def bindings_changed(self, screen: Screen[Any]) -> None:
        if self.is_attached and screen is self.screen and not self._rebuild_pending:
            self._rebuild_pending = True
            self.call_after_refresh(guarded_callback(self, self._rebuild_if_changed), screen)

    def _rebuild_if_changed(self, screen: Screen[Any]) -> None:
        self._rebuild_pending = False
        if not self.is_attached:
            return  # the screen went away before the next frame
        shown = self._keys_to_show()
        if shown == self._shown:
            return
        if screen.app.app_focus:  # else the stock footer waits for focus to rebuild
            self._shown = shown
        super().bindings_changed(screen)

    def _keys_to_show(self) -> tuple[Any, ...]:
        """Everything Footer.compose reads from the bindings, as a comparable value."""
        return tuple(
            (key, binding.action, binding.description, binding.group, enabled, tooltip)
            for key, (_node, binding, enabled, tooltip) in self.screen.active_bindings.items()
            if binding.show or key == self.app.COMMAND_PALETTE_BINDING
        )
