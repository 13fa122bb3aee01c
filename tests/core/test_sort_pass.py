"""A sort in slices (`sort_pass`, and `BindingRows` while one runs): the result is exactly
the sort done at once, each step does bounded work, and whatever happens between steps
(pages, deletes, filters, other sorts) ends in the view a fresh set of rows would show."""

from __future__ import annotations

import math
from bisect import insort_right
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from unittest import mock

from hypothesis import event, example, given, settings
from hypothesis import strategies as st

from bindings_tui import filter_pass, rows, sort_pass
from bindings_tui.filtering import TypeFilter, parse_query
from bindings_tui.models import Binding
from bindings_tui.rows import LOAD_ORDER, SORT_KEYS, BindingRows, Column, Sort, SortKey
from bindings_tui.sort_pass import SortPass, merge_in

NOW = datetime(2026, 11, 1, tzinfo=UTC)
# Few distinct values, so ties are common; long ones share their first 12 characters.
LONG = "a" * 12
WORDS = ["", "Bob", "alice", "ALICE", "zed", LONG + "x" * 140, LONG + "w" * 150, LONG]
TYPES = ["apn", "fcm", "gcm"]
KINDS = [["new_message"], ["added_to_conversation", "new_message"], []]
CREDENTIALS = [None, "CR" + "1" * 32, "CR" + "2" * 32]


@contextmanager
def small_steps() -> Iterator[None]:
    """Steps of a few rows, so short lists take the sliced path a million rows take."""
    with (
        mock.patch.object(rows, "SYNC_SORT_ROWS", 3),
        mock.patch.object(rows, "_SYNC_ROWS", 3),
        mock.patch.object(sort_pass, "CHUNK_ROWS", 4),
        mock.patch.object(sort_pass, "MERGE_ROWS", 5),
        mock.patch.object(sort_pass, "INSERT_ROWS", 3),
        mock.patch.object(filter_pass, "FIRST_MATCHES", 2),
        mock.patch.object(filter_pass, "HEAD_ROWS", 3),
        mock.patch.object(filter_pass, "SLICE_ROWS", 4),
        mock.patch.object(filter_pass, "TEST_ROWS", 3),
        mock.patch.object(filter_pass, "WALK_ROWS", 5),
    ):
        yield


def make(n: int, draw: tuple[int, int, int, int, int, int]) -> Binding:
    ident, endpoint, kind, types, credential, day = draw
    return Binding.from_json(
        {
            "sid": f"BS{(n * 7919) % 65536:08x}{n:024x}",  # not in load order
            "identity": WORDS[ident] or None,
            "binding_type": TYPES[kind],
            "endpoint": WORDS[endpoint],
            "message_types": KINDS[types],
            "credential_sid": CREDENTIALS[credential],
            "date_updated": (NOW - timedelta(days=day)).isoformat() if day else None,
        }
    )


draws = st.tuples(
    st.integers(0, len(WORDS) - 1),
    st.integers(0, len(WORDS) - 1),
    st.integers(0, len(TYPES) - 1),
    st.integers(0, len(KINDS) - 1),
    st.integers(0, len(CREDENTIALS) - 1),
    st.integers(0, 3),
)


def loaded(bindings: list[Binding]) -> BindingRows:
    rows_ = BindingRows()
    rows_.append(bindings)
    return rows_


# ---- SortPass on its own -------------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(st.lists(draws, max_size=60), st.sampled_from(list(Column)))
@example([(5, 6, 0, 0, 0, 0)] * 9 + [(7, 5, 1, 1, 1, 1)] * 9, Column.IDENTITY)
def test_a_pass_run_to_its_end_is_the_stable_sort(
    draw: list[tuple[int, int, int, int, int, int]], column: Column
) -> None:
    bindings = [make(n, d) for n, d in enumerate(draw)]
    key = rows._row_keys(loaded(bindings)._store, column)
    with small_steps():
        sorting = SortPass(list(range(len(bindings))), key)
        result = sorting.finish()
    assert result == sorted(range(len(bindings)), key=key)
    # ... which is the order of the bindings' own sort keys, ties in load order
    by_binding = sorted(range(len(bindings)), key=lambda n: SORT_KEYS[column](bindings[n]))
    assert result == by_binding


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.integers(0, 5), max_size=40),
    st.lists(st.integers(0, 60), max_size=30),
    st.lists(st.integers(0, 5), max_size=12),
)
def test_rows_appended_and_deleted_during_a_pass(
    first: list[int], deleted: list[int], later: list[int]
) -> None:
    """Appended rows land in the result as if they were there from the start; deleted
    ones do not, whichever step they come at."""
    keys = first + later
    key: Callable[[int], SortKey] = keys.__getitem__
    with small_steps():
        sorting = SortPass(list(range(len(first))), key)
        steps = 0
        pending = list(later)
        dead: set[int] = set()
        cuts = iter(deleted)
        while not sorting.run():
            steps += 1
            row = next(cuts, None)
            if row is not None and row < len(first) + len(later) - len(pending):
                sorting.discard(row)
                dead.add(row)
            if pending and steps % 2:
                start = len(keys) - len(pending)
                sorting.extend([start])
                pending.pop(0)
        if pending:
            sorting.extend(range(len(keys) - len(pending), len(keys)))
            pending = []
        result = sorting.finish()
    alive = [row for row in range(len(keys)) if row not in dead]
    assert result == sorted(alive, key=key)


def test_each_step_does_bounded_work() -> None:
    """Key calls per step: a chunk's rows, a merge step's rows (and one per run to start
    the merge), a few rows placed by bisection; never the whole list."""
    n = 10_000
    values = [(row * 7919) % 1009 for row in range(n)]
    calls = 0

    def key(row: int) -> SortKey:
        nonlocal calls
        calls += 1
        return values[row]

    with (
        mock.patch.object(sort_pass, "CHUNK_ROWS", 500),
        mock.patch.object(sort_pass, "MERGE_ROWS", 700),
    ):
        sorting = SortPass(list(range(n)), key)
        per_step: list[int] = []
        done = False
        while not done:
            calls = 0
            done = sorting.run()
            per_step.append(calls)
            if len(per_step) == 25:  # rows appended mid-merge: placed by bisection
                sorting.extend(range(n, n + 30))
                values.extend(range(30))
        result = sorting.result
    runs = math.ceil(n / 500)
    bound = max(500, 700 + runs, 30 * (math.ceil(math.log2(n)) + 2))
    assert len(per_step) >= runs + 2  # the sliced path: chunks, then merge steps
    assert max(per_step) <= bound, per_step
    assert result == sorted(range(n + 30), key=values.__getitem__)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 6), max_size=40), st.lists(st.integers(0, 6), max_size=15))
def test_merge_in_places_rows_as_insort_would(target_keys: list[int], later: list[int]) -> None:
    keys = target_keys + later
    target = sorted(range(len(target_keys)), key=keys.__getitem__)
    one_by_one = list(target)
    new_rows = list(range(len(target_keys), len(keys)))
    for row in new_rows:
        insort_right(one_by_one, row, key=keys.__getitem__)
    assert merge_in(target, new_rows, keys.__getitem__) == one_by_one


# ---- BindingRows while a pass runs ---------------------------------------------------------

ops = st.lists(
    st.one_of(
        st.tuples(st.just("append"), st.lists(draws, min_size=1, max_size=6)),
        st.tuples(st.just("replace"), st.integers(0, 200), draws),
        st.tuples(st.just("remove"), st.integers(0, 200)),
        st.tuples(st.just("filter"), st.sampled_from(["", "alice", "a", "aaaa", "!bob", "fcm"])),
        st.tuples(st.just("types"), st.sampled_from([(), ("apn",), ("fcm", "gcm")])),
        st.tuples(st.just("sort"), st.sampled_from([None, *Column]), st.booleans()),
        st.tuples(st.just("step"), st.integers(1, 4)),
    ),
    max_size=30,
)


def fresh(bindings: list[Binding], sort: Sort, query: str, types: TypeFilter) -> list[str]:
    """What a new set of rows shows for the same bindings, sort and filter."""
    new = BindingRows()
    new.append(bindings)
    new.set_sort(sort)
    new.set_filter(parse_query(query), types)
    while not new.work_step():
        pass
    return [b.sid for b in new.in_view()]


def shown(rows_: BindingRows) -> list[str]:
    return [b.sid for b in rows_.in_view()]


@settings(max_examples=400, deadline=None)
@given(st.lists(draws, min_size=6, max_size=40), st.sampled_from(list(Column)), ops)
@example(
    [(n % 8, 7 - n % 8, n % 3, n % 3, n % 3, n % 4) for n in range(12)],
    Column.ENDPOINT,
    [("step", 1), ("append", [(1, 1, 1, 1, 1, 1)]), ("remove", 3), ("filter", "a"), ("step", 4)],
)
def test_anything_between_steps_ends_in_the_view_of_fresh_rows(
    first: list[tuple[int, int, int, int, int, int]],
    column: Column,
    operations: list[tuple[object, ...]],
) -> None:
    count = len(first)
    query, types = "", TypeFilter()
    with small_steps():
        rows_ = loaded([make(n, d) for n, d in enumerate(first)])
        rows_.set_sort(Sort(Column.UPDATED))  # from another order: ties in load order
        while not rows_.work_step():
            pass
        rows_.set_sort(Sort(column))
        assert rows_.sorting == (count > 3 and column is not Column.UPDATED)
        for op in operations:
            if rows_.sorting:
                event(f"{op[0]} while sorting")
            match op:
                case ("append", list(page)):
                    rows_.append([make(count + i, d) for i, d in enumerate(page)])
                    count += len(page)
                case ("replace", int(at), tuple(draw)) if count:
                    old = make(at % count, (0, 0, 0, 0, 0, 0))
                    rows_.append([make(at % count, draw)] if old.sid in rows_ else [])
                case ("remove", int(at)) if count:
                    rows_.remove(make(at % count, (0, 0, 0, 0, 0, 0)).sid)
                case ("filter", str(text)):
                    query = text
                    rows_.set_filter(parse_query(query), types)
                case ("types", tuple(kinds)):
                    types = TypeFilter(frozenset(kinds))
                    rows_.set_filter(parse_query(query), types)
                case ("sort", target, bool(descending)):
                    rows_.set_sort(Sort(target, descending) if target is not None else Sort())
                case ("step", int(times)):
                    for _ in range(times):
                        rows_.work_step()
            # Meanwhile the view is the one of the order it shows, consistently.
            alive = list(rows_.loaded())
            if not rows_.filtering:
                assert shown(rows_) == fresh(alive, rows_.shown_sort, query, types)
            for position in range(len(rows_)):
                sid = rows_.sid_of(rows_.row_at(position))
                assert rows_.position_of(sid) == position
        target = rows_.sort
        while not rows_.work_step():
            pass
        assert rows_.sort == rows_.shown_sort == target
        assert not rows_.busy and rows_.pending_sort is None
        assert shown(rows_) == fresh(list(rows_.loaded()), target, query, types)


def test_the_old_order_shows_until_the_sort_lands() -> None:
    bindings = [make(n, (n % 8, n % 7, n % 3, n % 3, n % 3, n % 4)) for n in range(40)]
    with small_steps():
        rows_ = loaded(bindings)
        before = shown(rows_)
        rows_.set_sort(Sort(Column.IDENTITY, descending=True))
        assert rows_.sorting and rows_.busy
        assert rows_.pending_sort == rows_.sort == Sort(Column.IDENTITY, descending=True)
        assert rows_.shown_sort == LOAD_ORDER
        steps = 0
        while rows_.sorting:
            assert shown(rows_) == before
            rows_.work_step()
            steps += 1
    assert steps > 3
    assert shown(rows_) == fresh(bindings, Sort(Column.IDENTITY, descending=True), "", TypeFilter())


def test_another_sort_during_a_pass() -> None:
    bindings = [make(n, (n % 8, n % 7, n % 3, n % 3, n % 3, n % 4)) for n in range(40)]
    with small_steps():
        rows_ = loaded(bindings)
        rows_.set_sort(Sort(Column.ENDPOINT))
        rows_.work_step()
        rows_.set_sort(Sort(Column.ENDPOINT, descending=True))  # the same pass, reversed
        assert rows_.pending_sort == Sort(Column.ENDPOINT, descending=True)
        rows_.set_sort(Sort(Column.SID))  # another column: another pass
        assert rows_.pending_sort == Sort(Column.SID)
        rows_.set_sort(LOAD_ORDER)  # the order shown: no pass at all
        assert not rows_.sorting and rows_.sort == LOAD_ORDER
        rows_.set_sort(Sort(Column.TYPE))
        successor = rows_.successor()  # a reload keeps the sort under way
        assert successor.sort == Sort(Column.TYPE)


def test_a_page_of_a_new_type_joins_a_type_filter_under_way() -> None:
    """The pass's type test knew the store's kinds by number as they were when it began:
    a page's row of a type the store had not seen yet was never shown (found by the
    property test above)."""
    page = [make(n, (1, 1, 0, 0, 0, 0)) for n in range(7)]
    with small_steps():
        rows_ = loaded(page)
        rows_.set_filter(parse_query(""), TypeFilter(frozenset({"fcm"})))
        assert rows_.filtering
        late = make(7, (1, 1, 1, 0, 0, 0))  # fcm
        rows_.append([late])
        while not rows_.work_step():
            pass
    assert shown(rows_) == [late.sid]


def test_a_run_partly_placed_by_bisection_then_merged() -> None:
    """Rows appended while a few were being placed by bisection: so many that the rest
    is merged instead; the rows already placed are not merged twice."""
    keys = [(row * 37) % 11 for row in range(80)]
    key: Callable[[int], SortKey] = keys.__getitem__
    with (
        mock.patch.object(sort_pass, "CHUNK_ROWS", 10),
        mock.patch.object(sort_pass, "MERGE_ROWS", 100),
        mock.patch.object(sort_pass, "INSERT_ROWS", 2),
    ):
        sorting = SortPass(list(range(40)), key)
        sorting.finish()
        sorting.extend(range(40, 44))
        sorting.run()  # the four rows sorted into a run
        sorting.run()  # two of them placed
        assert sorting._placed == 2 and not sorting.done
        sorting.extend(range(44, 80))
        result = sorting.finish()
    assert result == sorted(range(80), key=key)
