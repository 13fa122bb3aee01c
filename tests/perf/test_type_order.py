"""`streams.in_type_order`: grouped by type in the order given, whatever order the
streams' pages arrive in; a record on two streams kept once, where it comes first."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

from bindings_tui.models import Page
from bindings_tui.streams import in_type_order


@dataclass(frozen=True)
class Rec:
    sid: str


def _page(*sids: str) -> Page[Rec]:
    return Page(
        items=[Rec(s) for s in sids], page=0, page_size=len(sids), key="bindings",
        next_page_url=None, url=None,
    )  # fmt: skip


# Per type: its pages, and a delay before each (the later types answer first).
PAGES = {
    "apn": [(0.03, _page("a1", "a2")), (0.03, _page("a3"))],
    "gcm": [(0.0, _page("g1")), (0.0, _page("g2", "a1"))],  # a1 again: a server bug
    "fcm": [(0.01, _page("f1"))],
}


def _open(types: Sequence[str]) -> AsyncIterator[Page[Rec]]:
    async def pages() -> AsyncIterator[Page[Rec]]:
        for delay, page in PAGES[types[0]]:
            await asyncio.sleep(delay)
            yield page

    return pages()


async def _sids(types: Sequence[str]) -> list[str]:
    return [r.sid async for page in in_type_order(types, (), _open) for r in page.items]


async def test_grouped_in_the_given_order_whatever_arrives_first() -> None:
    assert await _sids(("apn", "gcm", "fcm")) == ["a1", "a2", "a3", "g1", "g2", "f1"]
    assert await _sids(("fcm", "gcm", "apn")) == ["f1", "g1", "g2", "a1", "a2", "a3"]


async def test_no_split_is_the_one_stream() -> None:
    async def only(types: Sequence[str]) -> list[str]:
        return [r.sid async for page in in_type_order((), types, _open) for r in page.items]

    assert await only(["gcm"]) == ["g1", "g2", "a1"]


async def test_prepare_sees_each_page_that_waits_when_it_arrives() -> None:
    """`prepare` runs on a later type's page as it arrives (the CLI encodes it there, not
    all at once when the current type ends); the current type's pages pass unchanged, and
    what is handed out, in what order, is the same as without it."""
    prepared: list[tuple[str, ...]] = []

    def prepare(page: Page[Rec]) -> Page[Rec]:
        prepared.append(tuple(r.sid for r in page.items))
        return Page(
            items=[Ready(r.sid) for r in page.items], page=0, page_size=0,
            key="bindings", next_page_url=None, url=None,
        )  # fmt: skip

    types = ("apn", "gcm", "fcm")
    out = [r async for page in in_type_order(types, (), _open, prepare) for r in page.items]
    # gcm's and fcm's pages arrive while apn (the current type) is still loading.
    assert sorted(prepared) == [("f1",), ("g1",), ("g2", "a1")]
    # The same records in the same order; the duplicate a1 still dropped where second.
    assert [r.sid for r in out] == ["a1", "a2", "a3", "g1", "g2", "f1"]
    assert [type(r) for r in out] == [Rec] * 3 + [Ready] * 3


@dataclass(frozen=True)
class Ready(Rec):
    """A record `prepare` made."""
