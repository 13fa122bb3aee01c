"""The list's first rows are painted before the rest of their page is stored, and what
arrives meanwhile is stored after it, in arrival order (so each type keeps the server's
order: the view's load order)."""

from __future__ import annotations

from bindings_tui.tui.screens.browser import PAGE_PART_ROWS, BrowserScreen
from tui.scenarios import SIZE, build, wait_for, wait_loaded

BINDINGS = 6000
PAGE = 300  # every type's first page is more than one part (the smallest type has 284)


async def test_the_first_part_is_shown_before_the_rest_of_its_page_in_load_order() -> None:
    built = build(bindings=BINDINGS, page_size=PAGE)
    stored_before_rest: list[int] = []
    original = BrowserScreen._store_held

    async def spied(self: BrowserScreen) -> None:
        stored_before_rest.append(self.browse.active_rows.loaded_count)
        await original(self)

    BrowserScreen._store_held = spied  # type: ignore[method-assign]
    try:
        async with built.app.run_test(size=SIZE) as pilot:
            screen = await wait_loaded(pilot)
            await wait_for(pilot, lambda: screen._held is None, "the held pages")
            rows = screen.browse.rows
            loaded = list(rows.loaded())
    finally:
        BrowserScreen._store_held = original  # type: ignore[method-assign]
    # The rest of the first page waited for a frame: only the first part was stored.
    assert stored_before_rest == [PAGE_PART_ROWS]
    # Every binding once, and within each type in the server's order (the fake's: SID).
    service = built.fake.service_sids()[0]
    expected = built.fake.bindings(service)
    assert sorted(b.sid for b in loaded) == sorted(b.sid for b in expected)
    for kind in {b.binding_type for b in loaded}:
        of_kind = [b.sid for b in loaded if b.binding_type == kind]
        assert of_kind == sorted(of_kind), kind
