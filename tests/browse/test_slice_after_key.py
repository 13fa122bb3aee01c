"""A long filter's slice scheduled before the next keystroke waits for the frame that
shows that keystroke's first answer: typed at a steady pace at 1M rows (figure 3b), a
slice ran between a key's edit and its frame for 6-7 keys in 60, adding up to 20 ms."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bindings_tui.browse import BrowseSession
from bindings_tui.filtering import TypeFilter, parse_query
from bindings_tui.rows import BindingRows
from browse.test_screen_first import ORIGIN, make


@pytest.mark.usefixtures("tiny_slices")
def test_a_slice_scheduled_before_a_keystroke_waits_for_the_next_frame(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    session = BrowseSession(ORIGIN)
    ticket = session.start_load()
    session.pages_arrived(ticket, [make(n) for n in range(40)], 1, True)
    turns: list[Callable[[], None]] = []  # the screen: each runs after its next frame
    session.slice_turn = turns.append
    steps: list[str] = []
    step = BindingRows.filter_step

    def counted(rows: BindingRows) -> bool:
        steps.append(rows.query.text)
        return step(rows)

    monkeypatch.setattr(BindingRows, "filter_step", counted)

    session.set_filter(parse_query("user"), TypeFilter())
    assert session.rows.filtering and len(turns) == 1
    session.set_filter(parse_query("user1"), TypeFilter())  # the next key, before the slice
    assert len(turns) == 1  # still the one slice scheduled
    turns.pop(0)()  # its turn comes before the frame showing "user1": it waits
    assert steps == []
    assert len(turns) == 1  # for the screen's next frame
    turns.pop(0)()
    assert steps == ["user1"]
    while turns:  # no key since: slice after slice, one a frame
        turns.pop(0)()
        assert len(turns) <= 1
    assert not session.rows.filtering
    assert [b.sid for b in session.rows.in_view()] == [make(n).sid for n in range(1, 40, 5)]


@pytest.mark.usefixtures("tiny_slices")
def test_without_a_screen_a_long_filter_still_finishes_at_once() -> None:
    session = BrowseSession(ORIGIN)
    ticket = session.start_load()
    session.pages_arrived(ticket, [make(n) for n in range(40)], 1, True)
    session.set_filter(parse_query("user"), TypeFilter())
    session.set_filter(parse_query("user1"), TypeFilter())
    assert not session.rows.filtering  # no loop, no screen: finished here
    assert len(list(session.rows.in_view())) == 8
