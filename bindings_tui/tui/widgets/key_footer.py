"""Textual's Footer, rebuilt only when its keys change."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, ClassVar

from textual import events
from textual.binding import ActiveBinding
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


NARROW_FOOTER_BELOW = 100  # screen width under which the footer keeps only its main keys


class NarrowFooterKeys(Screen[None]):
    """A screen whose footer drops `FOOTER_NARROW_HIDDEN` (actions) and turns compact on
    narrow terminals, so `? Help` and `q Quit` stay on an 80-column line. The keys still
    work and help (`?`) and the palette still list them: only the footer's `show` changes,
    through the public `active_bindings` the footer reads."""

    FOOTER_NARROW_HIDDEN: ClassVar[frozenset[str]] = frozenset()
    _footer_narrow = False

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        bindings = super().active_bindings
        if not self._footer_narrow:
            return bindings
        return {
            key: active._replace(binding=replace(active.binding, show=False))
            if active.binding.action in self.FOOTER_NARROW_HIDDEN
            else active
            for key, active in bindings.items()
        }

    @guarded
    def on_resize(self, event: events.Resize) -> None:
        narrow = event.size.width < NARROW_FOOTER_BELOW
        if narrow != self._footer_narrow:
            self._footer_narrow = narrow
            for footer in self.query(KeyFooter):
                footer.compact = narrow
            self.refresh_bindings()
