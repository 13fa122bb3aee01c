"""A one-line text widget that redraws without laying the whole screen out again."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static


class Line(Static):
    """A Static for status and summary lines that change on every page or keystroke.

    `Static.update` asks for a layout pass, which reflows the whole screen (10-30 ms on
    the main screen); that pass is only needed when the line's own width depends on its
    text (`width: auto`) and that width changed. An unchanged text is not redrawn at all.
    """

    _shown: Text | None = None

    def show_text(self, text: Text) -> None:
        previous = self._shown
        if previous is not None and previous == text:
            return
        self._shown = text
        width = self.styles.width
        auto = width is not None and width.is_auto
        resized = previous is None or previous.cell_len != text.cell_len
        self.update(text, layout=auto and resized)
