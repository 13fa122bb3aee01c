"""Load a service's bindings fast: one concurrent stream per binding type, merged.

Twilio's Bindings list can only be paged forwards (`meta.next_page_url` carries an
opaque `PageToken`), so one listing is a chain of round trips: pages x latency. The
`BindingType` filter takes a closed enum and its values are disjoint, so when no type
filter is set the whole list is the union of one listing per type. Running those
listings at once turns the wait into that of the longest one (the most common type),
over one connection pool.

`stream_bindings` yields pages as they arrive from any stream. If one stream fails,
the others are cancelled and the error is raised; if the consumer stops early
(`aclose()`, `break` + close, or cancellation), every stream is cancelled and awaited.

Whether the split pays off is measured by the benchmark harness (benchmarks/README.md);
`DEFAULT_SPLIT_BY_TYPE` records the choice.

No textual import here: this module is core.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Protocol, TypeVar

from bindings_tui.client import TwilioClient
from bindings_tui.models import Binding, Page
from bindings_tui.raw_records import RawBinding
from bindings_tui.request_checks import check_binding_types

log = logging.getLogger("bindings_tui.streams")

T = TypeVar("T")

# Split an unfiltered listing into one stream per binding type unless told otherwise.
DEFAULT_SPLIT_BY_TYPE = True
# Pages each stream may run ahead of a slow consumer before it waits (backpressure).
PAGES_AHEAD_PER_STREAM = 4
# Shards of `FirstStreams`' map: a thousand-fold smaller table to copy when one grows.
_SHARDS = 256


class FirstStreams:
    """Which type stream each SID came on first, for the union's exactness check.

    It holds every SID of the listing. One dict of a million SIDs stalled the TUI's loop
    for 50-140 ms each time it doubled (at 350k and 700k entries, measured at 1M: the
    load's longest stall); in 256 shards each doubling copies 1/256 of it, and the shards
    reach their thresholds a few pages apart.
    """

    __slots__ = ("_shards",)

    def __init__(self) -> None:
        self._shards: list[dict[str, int]] = [{} for _ in range(_SHARDS)]

    def claim(self, sid: str, stream: int) -> int:
        """The stream `sid` came on first (`stream`, when it is new)."""
        return self._shards[hash(sid) % _SHARDS].setdefault(sid, stream)

    def __len__(self) -> int:
        return sum(len(shard) for shard in self._shards)


def split_types(
    client: TwilioClient, binding_types: Sequence[str], split_by_type: bool | None
) -> tuple[str, ...]:
    """The per-type streams a listing runs as; empty means one plain stream.

    No type filter means every type of the API's closed enum. A filter of several types
    is split the same way (the union of disjoint filters). A single type is one stream.
    """
    split = DEFAULT_SPLIT_BY_TYPE if split_by_type is None else split_by_type
    types = check_binding_types(client.api, binding_types)
    if not split:
        return ()
    streams = types or client.api.binding_types
    return streams if len(streams) > 1 else ()


async def stream_bindings(
    client: TwilioClient,
    service_sid: str,
    *,
    identities: Sequence[str] = (),
    binding_types: Sequence[str] = (),
    page_size: int | None = None,
    split_by_type: bool | None = None,
) -> AsyncGenerator[Page[Binding], None]:
    """Every binding of a service (optionally filtered), page by page, as fast as allowed.

    Pages of different types interleave in arrival order; within one type the server's
    order is kept. `split_by_type=None` uses `DEFAULT_SPLIT_BY_TYPE`.

    A consumer that may stop early should close the generator (`contextlib.aclosing`,
    or `await pages.aclose()`): a `break` or a cancellation in the consumer's own code
    otherwise leaves the streams running until the generator is garbage-collected.
    """
    types = split_types(client, binding_types, split_by_type)
    if not types:
        plain = client.iter_binding_pages(
            service_sid, identities=identities, binding_types=binding_types, page_size=page_size
        )
        async with _closing(plain):
            async for page in plain:
                yield page
        return
    # Validate once, up front, so a bad argument raises before any task starts.
    client.bindings_params(identities=identities, binding_types=types, page_size=page_size)
    sources = [
        client.iter_binding_pages(
            service_sid, identities=identities, binding_types=[t], page_size=page_size
        )
        for t in types
    ]
    # Defensive: the types are disjoint, so a binding arriving on two streams is a server
    # bug (for example a server that ignores BindingType). Keep the first copy only, so the
    # union stays exact; repeats within one stream (a list shifting while it is paged) are
    # passed on, as the unsplit listing would.
    owner = FirstStreams()
    merged = merge_streams(sources)
    async with _closing(merged):
        async for index, page in merged:
            fresh: list[Binding] | None = None
            claim = owner.claim
            for position, binding in enumerate(page.items):
                first = claim(binding.sid, index)
                if first != index:
                    if fresh is None:
                        fresh = list(page.items[:position])
                        log.warning(
                            "binding %s arrived in the %r and %r streams; kept the first",
                            binding.sid,
                            types[first],
                            types[index],
                        )
                elif fresh is not None:
                    fresh.append(binding)
            yield page if fresh is None else replace(page, items=fresh)


def stream_bindings_in_type_order(
    client: TwilioClient,
    service_sid: str,
    *,
    identities: Sequence[str] = (),
    binding_types: Sequence[str] = (),
    page_size: int | None = None,
    prepare: Callable[[Page[Binding]], Page[Binding]] | None = None,
) -> AsyncGenerator[Page[Binding], None]:
    """Every binding, as fast as the split allows, in an order that is the same every
    run: grouped by binding type (the `--type` order given, else the API's enum order:
    apn, gcm, fcm, twilsock), the server's order within each type (`in_type_order`,
    which explains `prepare`)."""

    def open_stream(types: Sequence[str]) -> AsyncIterator[Page[Binding]]:
        return client.iter_binding_pages(
            service_sid, identities=identities, binding_types=types, page_size=page_size
        )

    return _split_in_type_order(client, identities, binding_types, page_size, open_stream, prepare)


def stream_raw_bindings_in_type_order(
    client: TwilioClient,
    service_sid: str,
    *,
    identities: Sequence[str] = (),
    binding_types: Sequence[str] = (),
    page_size: int | None = None,
    prepare: Callable[[Page[RawBinding]], Page[RawBinding]] | None = None,
) -> AsyncGenerator[Page[RawBinding], None]:
    """`stream_bindings_in_type_order` with each record as sent (`raw_records`);
    `prepare`: see `in_type_order`."""

    def open_stream(types: Sequence[str]) -> AsyncIterator[Page[RawBinding]]:
        return client.iter_raw_binding_pages(
            service_sid, identities=identities, binding_types=types, page_size=page_size
        )

    return _split_in_type_order(client, identities, binding_types, page_size, open_stream, prepare)


async def _split_in_type_order(
    client: TwilioClient,
    identities: Sequence[str],
    binding_types: Sequence[str],
    page_size: int | None,
    open_stream: Callable[[Sequence[str]], AsyncIterator[Page[R]]],
    prepare: Callable[[Page[R]], Page[R]] | None = None,
) -> AsyncGenerator[Page[R], None]:
    # The request is checked before the first stream opens (one error, not one per type).
    client.bindings_params(identities=identities, binding_types=binding_types, page_size=page_size)
    ordered = in_type_order(
        split_types(client, binding_types, True), binding_types, open_stream, prepare
    )
    async with _closing(ordered):
        async for page in ordered:
            yield page


class _HasSid(Protocol):
    @property
    def sid(self) -> str: ...


R = TypeVar("R", bound=_HasSid)


async def in_type_order(
    types: Sequence[str],
    unsplit: Sequence[str],
    open_stream: Callable[[Sequence[str]], AsyncIterator[Page[R]]],
    prepare: Callable[[Page[R]], Page[R]] | None = None,
) -> AsyncGenerator[Page[R], None]:
    """One stream per type in `types` at once, handed out grouped by type in that order,
    each in the server's order. The current type's pages pass through as they arrive;
    the other types' pages wait in memory until their turn. Empty `types` (one type, or
    no split): the one stream `open_stream(unsplit)`. A record on two streams (a server
    ignoring BindingType) is kept where it comes first in this order.

    `prepare` is applied to a page that must wait for its turn (a later type's) when it
    arrives, while the streams wait on the network: the work on it (the CLI encodes its
    output there) does not pile up at the end, when the current type's stream ends and
    every waiting page is handed out, and what it names can be acted on before its turn
    (the diagnosis reads each credential as soon as a page names it). The current type's
    pages are handed out as they arrive, unchanged.
    """
    if not types:
        plain = open_stream(unsplit)
        async with _closing(plain):
            async for page in plain:
                yield page
        return
    sources = [_with_end(open_stream([t])) for t in types]
    waiting: list[list[Page[R]]] = [[] for _ in types]
    ended = [False] * len(types)
    current = 0
    # SID -> the type stream it was first handed out from (repeats within one stream
    # pass, as the unsplit listing would pass them).
    owner = FirstStreams()

    def fresh(index: int, page: Page[R]) -> Page[R]:
        claim = owner.claim
        kept = [r for r in page.items if claim(r.sid, index) == index]
        if len(kept) == len(page.items):
            return page
        log.warning(
            "%d binding(s) of the %r stream came on an earlier type's stream; kept those",
            len(page.items) - len(kept),
            types[index],
        )
        return replace(page, items=kept)

    merged = merge_streams(sources)
    async with _closing(merged):
        async for index, item in merged:
            if item is None:
                ended[index] = True
            elif prepare is not None and index != current:
                waiting[index].append(prepare(item))
            else:
                waiting[index].append(item)
            # Hand out everything the order allows: the current type's pages, then, once
            # it ended, the next type's waiting pages, and so on.
            while current < len(types):
                for page in waiting[current]:
                    yield fresh(current, page)
                waiting[current].clear()
                if not ended[current]:
                    break
                current += 1


async def _with_end(source: AsyncIterator[T]) -> AsyncGenerator[T | None, None]:
    """The source's items, then None: its end, seen through `merge_streams`."""
    async with _closing(source):
        async for item in source:
            yield item
    yield None


@asynccontextmanager
async def _closing(iterator: AsyncIterator[object]) -> AsyncIterator[None]:
    """Close an async generator on exit: `async for` alone leaves it suspended when the
    consumer stops early, and its clean-up would then run later, from the garbage collector."""
    try:
        yield
    finally:
        aclose = getattr(iterator, "aclose", None)
        if aclose is not None:
            await aclose()


class _Done:
    """End-of-stream marker put on the queue by a finished pump."""

    __slots__ = ()


_DONE = _Done()


async def merge_streams(
    sources: Sequence[AsyncIterator[T]], *, ahead: int = PAGES_AHEAD_PER_STREAM
) -> AsyncGenerator[tuple[int, T], None]:
    """Run async iterators concurrently; yield `(source index, item)` in arrival order.

    The first error from any source cancels the others and is raised here. Closing or
    cancelling this generator cancels every source and waits for them to finish.
    """
    queue: asyncio.Queue[tuple[int, T | _Done | BaseException]] = asyncio.Queue(
        maxsize=max(1, ahead * len(sources))
    )

    async def pump(index: int, source: AsyncIterator[T]) -> None:
        try:
            async for item in source:
                await queue.put((index, item))
        except Exception as exc:  # handed to the consumer, which raises it
            await queue.put((index, exc))
            return
        finally:
            aclose = getattr(source, "aclose", None)
            if aclose is not None:
                await aclose()
        await queue.put((index, _DONE))

    tasks = [
        asyncio.create_task(pump(i, source), name=f"bindings-stream-{i}")
        for i, source in enumerate(sources)
    ]
    running = len(tasks)
    try:
        while running:
            index, item = await queue.get()
            if isinstance(item, _Done):
                running -= 1
            elif isinstance(item, BaseException):
                raise item
            else:
                yield index, item
    finally:
        for task in tasks:
            task.cancel()
        # Wait for every pump to unwind (its source closed) before returning; a cancel of
        # this generator's own task while waiting still cancels the pumps first.
        await asyncio.gather(*tasks, return_exceptions=True)
