"""The rows of a set of SIDs found in slices (what `f` shows) equal the SID index's."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bindings_tui import restriction_rows
from bindings_tui.binding_store import BindingStore
from bindings_tui.filtering import TypeFilter, parse_query
from bindings_tui.models import Binding
from bindings_tui.restriction_rows import RestrictionRows
from bindings_tui.rows import BindingRows
from core.test_binding_store import make, raw_bindings

ZERO_SID = "BS" + "0" * 32  # packs to the 16 zero bytes an odd SID's row holds


@pytest.fixture
def tiny_steps(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(restriction_rows, "PACK_SIDS", 2)
    monkeypatch.setattr(restriction_rows, "SCAN_ROWS", 3)


@pytest.mark.usefixtures("tiny_steps")
@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(1, 2**20), min_size=1, max_size=30, unique=True), st.data())
def test_the_rows_found_are_the_sid_index_rows(numbers: list[int], data: st.DataObject) -> None:
    # Odd SIDs too (uppercase hex: kept as text, 16 zero bytes in the packed column).
    bindings = [Binding.from_json(data.draw(raw_bindings(n))) for n in numbers]
    bindings = list({b.sid: b for b in bindings}.values())
    store = BindingStore()
    store.append(bindings)
    chosen = data.draw(st.sets(st.sampled_from([b.sid for b in bindings])))
    asked = frozenset(chosen | {ZERO_SID, "BSnot-a-sid", "", "bs" + "1" * 32})
    finder = RestrictionRows(store, asked)
    steps = 0
    while not finder.step():
        steps += 1
    wanted = {store.row_of(sid) for sid in asked} - {None}
    assert finder.rows == wanted
    assert steps >= 1  # a slice at a time


def test_a_long_restriction_is_found_in_the_filter_slices(
    tiny_slices: None, tiny_steps: None
) -> None:
    rows = BindingRows()
    bindings = [make(n) for n in range(60)]
    rows.append(bindings)
    named = frozenset(b.sid for b in bindings[::3])
    rows.set_restriction(named)
    assert rows.filtering  # the first screenful, tested by SID
    shown_first = [b.sid for b in rows.in_view()]
    assert shown_first and set(shown_first) <= named
    more = [make(n) for n in range(60, 66)]
    rows.append(more)  # a page while the rows are being found
    steps = 0
    while rows.filtering:
        rows.filter_step()
        steps += 1
    assert steps > 3
    assert [b.sid for b in rows.in_view()] == [b.sid for b in bindings if b.sid in named]
    # The rows found are kept: a page after, and a text filter, use them.
    rows.append([make(66)])
    rows.set_filter(parse_query("user1"), TypeFilter())
    while rows.filtering:
        rows.filter_step()
    got = [b.sid for b in rows.in_view()]
    assert got == [b.sid for b in bindings if b.sid in named and b.identity == "user1"]
