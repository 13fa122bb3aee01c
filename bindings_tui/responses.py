"""Response bodies to models: a page, a JSON object or the project's own error, one line.

Everything here reads server data; every message it builds shows that data inert.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any, Final, TypeVar

import httpx

from bindings_tui.errors import ApiError, ResponseFormatError, api_error_class
from bindings_tui.models import JsonDict, Page
from bindings_tui.request_checks import MAX_PAGE_SIZE
from bindings_tui.textsafe import clip, make_visible

# A page never holds more records than the largest page size any server may be asked for.
MAX_RECORDS_PER_PAGE = MAX_PAGE_SIZE

# Records parsed per turn of the event loop (`read_page_in_slices`).
PARSE_SLICE: Final = 250

T = TypeVar("T")


def parse_error_body(status: int, body: bytes, method: str, path: str) -> ApiError:
    """Build the right ApiError from Twilio's legacy body, RFC 9457, or anything else."""
    code: int | None = None
    message = ""
    more_info: str | None = None
    try:
        data: Any = json.loads(body) if body else None
    except (ValueError, UnicodeDecodeError, RecursionError):
        data = None
    if isinstance(data, dict):
        raw_code = data.get("code")
        if isinstance(raw_code, int) and not isinstance(raw_code, bool):
            code = raw_code
        elif isinstance(raw_code, str) and raw_code.isdigit():
            code = int(raw_code)
        for key in ("message", "detail", "title"):
            value = data.get(key)
            if isinstance(value, str) and value:
                message = value
                break
        for key in ("more_info", "type"):
            value = data.get(key)
            if isinstance(value, str) and value.startswith("http"):
                more_info = value
                break
    if not message:
        snippet = body[:200].decode("utf-8", "replace").strip() if body else ""
        phrase = httpx.codes.get_reason_phrase(status) or "error"
        message = f"{phrase} (non-JSON body: {snippet!r})" if snippet else phrase
    if code is not None and not more_info:
        more_info = f"https://www.twilio.com/docs/errors/{code}"
    message = clip(make_visible(message), 300)
    # The link is server data too: it reaches the terminal, so it is made inert like the message.
    more_info = clip(make_visible(more_info), 300) if more_info else None
    cls = api_error_class(status, code)
    return cls(status, message, code=code, more_info=more_info, method=method, path=path)


def shown_value(value: object) -> str:
    """A value from a body, for a message: short and inert (containers by type only)."""
    if isinstance(value, (list, dict)):
        return type(value).__name__
    return make_visible(clip(repr(value), 60))


def path_only(target: str) -> str:
    return make_visible(target.split("?", 1)[0])


def parse_json_object(body: bytes, target: str) -> JsonDict:
    try:
        data = json.loads(body)
    except RecursionError:
        raise ResponseFormatError(
            f"GET {path_only(target)}: the body nests JSON too deeply ({len(body)} bytes)"
        ) from None
    except (ValueError, UnicodeDecodeError):
        snippet = body[:60].decode("utf-8", "replace")
        raise ResponseFormatError(
            f"GET {path_only(target)}: the body is not valid JSON ({len(body)} bytes, "
            f"starts {make_visible(snippet)!r})"
        ) from None
    if not isinstance(data, dict):
        raise ResponseFormatError(f"GET {path_only(target)}: expected a JSON object")
    return data


def _as_sent(record: object) -> object:
    return record


def read_page_shape(payload: JsonDict, target: str) -> Page[object]:
    """The page's meta, checked, with its records as sent (not parsed yet)."""
    return read_page(payload, _as_sent, target)


def parse_head(shape: Page[object], parse: Callable[[object], T]) -> tuple[Page[T], Page[object]]:
    """`shape`'s first `PARSE_SLICE` records parsed, as a head (`Page.head`: the rest of
    the page follows), and the rest of `shape` (`Page.rest`), still as sent."""
    records = shape.items
    head = Page(
        items=[parse(record) for record in records[:PARSE_SLICE]],
        page=shape.page,
        page_size=shape.page_size,
        key=shape.key,
        next_page_url=shape.next_page_url,
        url=shape.url,
        head=True,
    )
    return head, replace(shape, items=records[PARSE_SLICE:], rest=True)


async def parse_in_slices(shape: Page[object], parse: Callable[[object], T]) -> Page[T]:
    """`shape`'s records parsed `PARSE_SLICE` at a time, one turn of the event loop each.
    A 1000-record page of bindings takes about 11 ms to parse, and the type streams'
    pages often arrive in the same turn: parsed whole, they held the TUI's loop for 40 ms
    and more at a time while a million bindings loaded."""
    records = shape.items
    items: list[T] = []
    for start in range(0, len(records), PARSE_SLICE):
        if start:
            await asyncio.sleep(0)
        items.extend([parse(record) for record in records[start : start + PARSE_SLICE]])
    return Page(
        items=items,
        page=shape.page,
        page_size=shape.page_size,
        key=shape.key,
        next_page_url=shape.next_page_url,
        url=shape.url,
        rest=shape.rest,
    )


def read_page(payload: JsonDict, parse: Callable[[object], T], target: str) -> Page[T]:
    meta = payload.get("meta")
    if not isinstance(meta, dict):
        raise ResponseFormatError(f"GET {path_only(target)}: list response has no meta object")
    key = meta.get("key")
    if not isinstance(key, str) or key not in payload:
        raise ResponseFormatError(
            f"GET {path_only(target)}: meta.key {shown_value(key)} does not name a list "
            "in the response"
        )
    records = payload[key]
    if not isinstance(records, list):
        raise ResponseFormatError(
            f"GET {path_only(target)}: {make_visible(clip(key, 40))!r} is not a list"
        )
    if len(records) > MAX_RECORDS_PER_PAGE:
        raise ResponseFormatError(
            f"GET {path_only(target)}: a page of {len(records)} records (no page holds more "
            f"than {MAX_RECORDS_PER_PAGE}); refused"
        )
    next_url = meta.get("next_page_url")
    if next_url is not None and not isinstance(next_url, str):
        raise ResponseFormatError(f"GET {path_only(target)}: next_page_url is not a string")
    page_no = meta.get("page")
    page_size = meta.get("page_size")
    url = meta.get("url")
    return Page(
        items=[parse(record) for record in records],
        page=page_no if isinstance(page_no, int) else 0,
        page_size=page_size if isinstance(page_size, int) else len(records),
        key=key,
        next_page_url=next_url or None,
        url=url if isinstance(url, str) else None,
    )
