"""A big page is parsed in slices, with the event loop free between them, and the page
is the same as parsed whole."""

from __future__ import annotations

import asyncio

import pytest

from bindings_tui.errors import ResponseFormatError
from bindings_tui.responses import PARSE_SLICE, parse_in_slices, read_page, read_page_shape


def _payload(n: int) -> dict[str, object]:
    return {
        "meta": {"key": "things", "page": 3, "page_size": n, "next_page_url": "/next", "url": "/u"},
        "things": [{"n": i} for i in range(n)],
    }


async def test_a_big_page_lets_the_loop_run_between_slices() -> None:
    parsed: list[int] = []
    seen_by_other_task: list[int] = []

    def parse(record: object) -> int:
        assert isinstance(record, dict)
        parsed.append(record["n"])
        return int(record["n"])

    async def other() -> None:
        for _ in range(10):
            seen_by_other_task.append(len(parsed))
            await asyncio.sleep(0)

    n = 4 * PARSE_SLICE
    task = asyncio.create_task(other())
    page = await parse_in_slices(read_page_shape(_payload(n), "/v1/x"), parse)
    await task
    assert page == read_page(_payload(n), lambda r: int(r["n"]), "/v1/x")  # type: ignore[index]
    # The other task ran while the page was half parsed (whole, it would see 0 or n).
    assert any(0 < count < n for count in seen_by_other_task)


async def test_a_small_page_is_parsed_in_one_go() -> None:
    page = await parse_in_slices(read_page_shape(_payload(3), "/v1/x"), lambda r: r)
    assert [r["n"] for r in page.items] == [0, 1, 2]  # type: ignore[index]
    assert page.next_page_url == "/next" and page.page == 3


async def test_a_bad_shape_is_refused_before_any_record_is_parsed() -> None:
    calls: list[object] = []
    with pytest.raises(ResponseFormatError):
        await parse_in_slices(read_page_shape({"meta": {"key": "nope"}}, "/v1/x"), calls.append)
    assert calls == []
