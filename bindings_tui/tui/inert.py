"""The one path untrusted text takes to the screen: control characters made visible,
never parsed as markup.

Every string that came from a server (identities, endpoints, SIDs, service and credential
names, error messages), a file (profile names) or the user (filter text) reaches a widget,
title or toast through `inert` (a `rich.text.Text`) or `inert_str` (a plain string for
APIs that take one and are told not to parse markup). `textsafe.make_visible` does the
escaping, so the CLI and the TUI make the same characters visible.
"""

from __future__ import annotations

from rich.text import Text

from bindings_tui.textsafe import clip, make_visible


def inert_str(value: object, width: int | None = None) -> str:
    """`value` as printable text (controls, bidi, zero-width shown as escapes), optionally
    clipped to `width` characters. Still a str: only for places that never parse markup."""
    text = make_visible(value if isinstance(value, str) else str(value))
    return text if width is None else clip(text, width)


def inert(value: object, style: str = "", width: int | None = None) -> Text:
    """`value` as a `Text`: never markup, so `[/b]` or `[@click=...]` stay literal."""
    return Text(inert_str(value, width), style=style)


def title(*parts: object) -> Text:
    """A border title from parts (each made inert): a str title would be parsed as markup."""
    return Text(" · ".join(inert_str(p) for p in parts), no_wrap=True, end="")
