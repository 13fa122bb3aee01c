"""A list request run to its end: pages handed on as they arrive, any failure as one error.

The screen runs this in a worker and turns the callbacks into messages; the tests call it
directly. Nothing here knows about widgets.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from contextlib import aclosing

from bindings_tui.client import TwilioClient
from bindings_tui.errors import BindingsError
from bindings_tui.models import Binding
from bindings_tui.streams import stream_bindings

OnPages = Callable[[list[Binding], int, bool], object]  # bindings, pages so far, done
OnFailed = Callable[[BindingsError, int], object]  # the error, pages before it
AsError = Callable[[BaseException, str], BindingsError]


async def list_pages(
    client: TwilioClient,
    service_sid: str,
    identities: Sequence[str],
    *,
    page_size: int | None,
    split_by_type: bool | None,
    on_pages: OnPages,
    on_failed: OnFailed,
    as_error: AsError,
) -> None:
    """Hand each page on as it arrives: rows show at once, never after the last.

    Unfiltered, the list runs as one concurrent stream per binding type (`streams`), so
    pages of different types interleave; the end is handed on once every stream ends.
    Any failure, expected or not, ends as one `on_failed` (`as_error` makes it ours).
    """
    pages = 0
    try:
        stream = stream_bindings(
            client,
            service_sid,
            identities=identities,
            page_size=page_size,
            split_by_type=split_by_type,
        )
        async with aclosing(stream):
            async for page in stream:
                pages += 0 if page.rest else 1  # a rest: more of a page already counted
                on_pages(page.items, pages, False)
        on_pages([], pages, True)
    except asyncio.CancelledError:
        raise
    except Exception as exc:  # every failure is one line on screen
        on_failed(as_error(exc, "listing the bindings"), pages)
