"""Response bodies: raw bytes off the wire to bounded, decoded bytes, or one error.

httpx decodes `Content-Encoding` itself, but a decoder there inflates a whole chunk at once
(a 1 MB gzip bomb is gigabytes before any size check runs) and accepts stacked codings
(`gzip, gzip`). Here the body is read raw and inflated with a bound on every step: the
output never exceeds the cap by more than one byte, stacked or unknown codings are refused.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator
from typing import Final

from bindings_tui.errors import NetworkError, ResponseFormatError
from bindings_tui.textsafe import clip, make_visible

# What the client asks for; every other coding is refused.
ACCEPT_ENCODING: Final = "gzip, deflate"
_IDENTITY: Final = frozenset({"", "identity"})
_GZIP: Final = frozenset({"gzip", "x-gzip"})
_DEFLATE: Final = "deflate"


class BoundedInflater:
    """Inflates gzip or deflate, refusing output beyond `limit` bytes as it streams."""

    def __init__(self, coding: str, limit: int, label: str) -> None:
        self.coding = coding
        self.limit = limit
        self.label = label
        self.produced = 0
        self._started = False
        wbits = 16 + zlib.MAX_WBITS if coding in _GZIP else zlib.MAX_WBITS
        self._inflater = zlib.decompressobj(wbits)

    def feed(self, data: bytes) -> bytes:
        out = bytearray()
        while data and not self._inflater.eof:
            room = self.limit - self.produced + 1
            try:
                chunk = self._inflater.decompress(data, room)
            except zlib.error:
                if self.coding == _DEFLATE and not self._started:
                    # Some servers send raw deflate without the zlib wrapper.
                    self._inflater = zlib.decompressobj(-zlib.MAX_WBITS)
                    self._started = True
                    continue
                raise ResponseFormatError(
                    f"{self.label}: the {self.coding} body is corrupt"
                ) from None
            self._started = True
            self._count(len(chunk))
            out += chunk
            data = self._inflater.unconsumed_tail
        return bytes(out)

    def finish(self) -> bytes:
        if not self._inflater.eof:
            # The compressed stream stopped before its end: the connection broke.
            raise NetworkError(f"{self.label}: the {self.coding} body ended early")
        return b""

    def _count(self, size: int) -> None:
        self.produced += size
        if self.produced > self.limit:
            raise ResponseFormatError(
                f"{self.label}: response larger than {self.limit // (1024 * 1024)} MiB "
                f"once decompressed, refused"
            )


def coding_of(content_encoding: str | None, label: str) -> str:
    """The one coding to undo: "" for none. Stacked or unknown codings are refused."""
    codings = [c.strip().lower() for c in (content_encoding or "").split(",")]
    codings = [c for c in codings if c not in _IDENTITY]
    if len(codings) > 1:
        raise ResponseFormatError(
            f"{label}: stacked content encodings ({_shown(content_encoding)}) are refused"
        )
    if not codings:
        return ""
    coding = codings[0]
    if coding not in _GZIP and coding != _DEFLATE:
        raise ResponseFormatError(
            f"{label}: unsupported content encoding {_shown(content_encoding)} (asked for "
            f"{ACCEPT_ENCODING})"
        )
    return coding


async def read_body(
    raw_chunks: AsyncIterator[bytes], content_encoding: str | None, limit: int, label: str
) -> bytes:
    """All of a body, decoded, at most `limit` bytes before and after decoding."""
    coding = coding_of(content_encoding, label)
    inflater = BoundedInflater(coding, limit, label) if coding else None
    parts: list[bytes] = []
    wire = 0
    async for chunk in raw_chunks:
        wire += len(chunk)
        if wire > limit:
            raise ResponseFormatError(
                f"{label}: response larger than {limit // (1024 * 1024)} MiB, refused"
            )
        if inflater is not None:
            chunk = inflater.feed(chunk)
        parts.append(chunk)
    if inflater is not None:
        inflater.finish()
    return b"".join(parts)


def _shown(value: str | None) -> str:
    return repr(make_visible(clip(value or "", 60)))
