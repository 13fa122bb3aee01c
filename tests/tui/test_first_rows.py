"""The list's first rows reach the screen before the rest of their page is parsed: the
client hands a big first page on as a head and then its rest (`Page.head`), two messages
(the screen paints between messages), each type keeping the server's order (the view's
load order)."""

from __future__ import annotations

from typing import Any

from bindings_tui.responses import PARSE_SLICE
from bindings_tui.tui.messages import PagesLoaded
from bindings_tui.tui.screens.browser import BrowserScreen
from tui.scenarios import SIZE, build, wait_loaded

BINDINGS = 6000
PAGE = 300  # every type's first page is more than one head (the smallest type has 284)


async def test_the_first_rows_come_before_the_rest_of_their_page_in_load_order() -> None:
    built = build(bindings=BINDINGS, page_size=PAGE)
    arrived: list[tuple[int, int]] = []  # (rows in the message, rows stored when posted)
    original = BrowserScreen.post_message

    def spied(self: BrowserScreen, message: Any) -> bool:
        if isinstance(message, PagesLoaded) and message.bindings:
            arrived.append((len(message.bindings), self.browse.active_rows.loaded_count))
        return original(self, message)

    BrowserScreen.post_message = spied  # type: ignore[method-assign]
    try:
        async with built.app.run_test(size=SIZE) as pilot:
            screen = await wait_loaded(pilot)
            loaded = list(screen.browse.rows.loaded())
            pages = screen.browse.load_state.pages
    finally:
        BrowserScreen.post_message = original  # type: ignore[method-assign]
    # The first message is the head of a first page: its first rows, nothing before it.
    assert arrived[0] == (PARSE_SLICE, 0)
    # Each type's first page came as a head and a rest; the status counts pages, not parts.
    heads = sum(1 for rows, _ in arrived if rows == PARSE_SLICE)
    service = built.fake.service_sids()[0]
    expected = built.fake.bindings(service)
    types = {b.binding_type for b in expected}
    assert heads >= len(types)
    per_type = {t: sum(1 for b in expected if b.binding_type == t) for t in types}
    assert pages == sum(-(-n // PAGE) for n in per_type.values())
    # Every binding once, and within each type in the server's order (the fake's: SID).
    assert sorted(b.sid for b in loaded) == sorted(b.sid for b in expected)
    for kind in types:
        of_kind = [b.sid for b in loaded if b.binding_type == kind]
        assert of_kind == sorted(of_kind), kind
