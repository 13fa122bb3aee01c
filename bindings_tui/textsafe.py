"""Make untrusted strings inert before they reach a terminal.

Identities and endpoints are chosen by app users, so they may contain escape
sequences (OSC 52 clipboard writes, title changes), bidi overrides or
zero-width characters. We render every such character as a visible escape.
"""

from __future__ import annotations

import unicodedata

_ALWAYS_ESCAPE = {
    "\u200b",
    "\u200c",
    "\u200d",
    "\u200e",
    "\u200f",  # zero-width, LRM/RLM
    "\u202a",
    "\u202b",
    "\u202c",
    "\u202d",
    "\u202e",  # bidi embeddings/overrides
    "\u2066",
    "\u2067",
    "\u2068",
    "\u2069",  # bidi isolates
    "\u2028",
    "\u2029",
    "\ufeff",
}


def _needs_escape(ch: str) -> bool:
    if ch in _ALWAYS_ESCAPE:
        return True
    # Cc: C0/C1 controls incl. ESC and CSI; Cf: format chars; Cs/Co: surrogates and
    # private use; Cn: unassigned (may render as nothing); Zl/Zp: line breaks.
    return unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")


def make_visible(value: str) -> str:
    """Replace control and invisible format characters with `\\xNN`/`\\uNNNN` escapes."""
    if value.isascii() and value.isprintable():
        return value
    out: list[str] = []
    for ch in value:
        if _needs_escape(ch):
            code = ord(ch)
            if code <= 0xFF:
                out.append(f"\\x{code:02x}")
            elif code <= 0xFFFF:
                out.append(f"\\u{code:04x}")
            else:
                out.append(f"\\U{code:08x}")
        else:
            out.append(ch)
    return "".join(out)


def clip(value: str, width: int) -> str:
    """Shorten to `width` characters with an ellipsis in the middle."""
    if width <= 0:
        return ""
    if len(value) <= width:
        return value
    if width <= 3:
        return value[:width]
    head = (width - 1) // 2
    tail = width - 1 - head
    return value[:head] + "…" + value[len(value) - tail :]
