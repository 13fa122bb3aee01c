"""The compact binding store and the sliced filter: a row read back is the binding that
was appended (fields and JSON), and a filter run in slices, interleaved with pages,
deletes, sorts and newer filters, ends where a one-shot brute force does."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bindings_tui.binding_store import BindingStore
from bindings_tui.browse import BrowseSession, Change
from bindings_tui.filtering import TypeFilter, haystack, parse_query
from bindings_tui.models import ApiFlavor, Binding
from bindings_tui.rows import SORT_KEYS, BindingRows, Column, Origin, Sort

NOW = datetime(2026, 11, 1, tzinfo=UTC)

texts = st.text(max_size=12) | st.sampled_from(["alice", "Bob", "usr_3f", "x\x1by", "田中", ""])
dates = st.none() | st.sampled_from(
    [
        "2026-02-27T01:29:07Z",
        "2026-02-27T01:29:07.123456Z",
        "2026-02-27T01:29:07+05:00",
        "2026-02-27T01:29:07+00:00",
        "2026-02-27",
        "yesterday",
    ]
)
others = st.none() | st.booleans() | st.integers(-3, 3) | st.text(max_size=4)


@st.composite
def raw_bindings(draw: st.DrawFn, n: int) -> dict[str, Any]:
    digits = f"{n:032x}"
    raw: dict[str, Any] = {"sid": "BS" + (digits.upper() if draw(st.booleans()) else digits)}
    for key, values in (
        ("identity", st.none() | texts | st.integers(0, 3)),
        ("endpoint", st.none() | texts),
        ("binding_type", st.sampled_from([None, "apn", "fcm", "GCM", "twilsock", 5])),
        ("message_types", st.none() | st.lists(st.sampled_from(["new_message", "x"]), max_size=2)),
        ("credential_sid", st.none() | st.sampled_from(["CR" + "1" * 32, "CR" + "2" * 32])),
        ("date_created", dates),
        ("date_updated", dates),
        ("url", st.none() | st.just("https://h/v1/Bindings/" + raw["sid"])),
        ("extra", others | st.dictionaries(st.text(max_size=2), others, max_size=2)),
    ):
        if draw(st.booleans()):
            raw[key] = draw(values)
    return raw


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(0, 2**20), min_size=1, max_size=30, unique=True), st.data())
def test_a_row_reads_back_as_the_binding_appended(numbers: list[int], data: st.DataObject) -> None:
    bindings = [Binding.from_json(data.draw(raw_bindings(n))) for n in numbers]
    store = BindingStore()
    store.append(bindings[: len(bindings) // 2])
    store.append(bindings[len(bindings) // 2 :])
    for row, binding in enumerate(bindings):
        rebuilt = store.binding(row)
        assert rebuilt == binding
        assert rebuilt.raw == binding.raw
        assert repr(rebuilt.raw) == repr(binding.raw)  # 1 stays 1, True stays True
        assert store.hay(row) == haystack(binding)
        assert store.row_of(binding.sid) == row
    for binding in bindings:
        if binding.identity is not None:
            found = store.rows_of_identity(binding.identity)
            assert found == [i for i, b in enumerate(bindings) if b.identity == binding.identity]


def test_dates_with_an_offset_keep_it() -> None:
    offset = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=5)))
    binding = Binding.from_json({"sid": "BS" + "a" * 32, "date_updated": offset.isoformat()})
    store = BindingStore()
    store.append([binding])
    assert store.binding(0).date_updated == offset
    assert store.binding(0).date_updated.utcoffset() == timedelta(hours=5)  # type: ignore[union-attr]


def make(n: int, identity: str | None = None, kind: str = "apn") -> Binding:
    return Binding.from_json(
        {
            "sid": f"BS{n:032x}",
            "identity": identity if identity is not None else f"user{n % 7}",
            "binding_type": kind if n % 3 else "fcm",
            "endpoint": f"Endpoint-{n}",
            "message_types": ["new_message"],
            "date_updated": f"2026-10-{1 + n % 28:02d}T00:00:00Z",
        }
    )


def expected(
    bindings: list[Binding],
    removed: set[str],
    text: str,
    types: TypeFilter,
    sort: Sort,
    only: frozenset[str] | None = None,
) -> list[str]:
    query = parse_query(text)
    kept = [
        (i, b)
        for i, b in enumerate(bindings)
        if b.sid not in removed
        and query.matches(haystack(b))
        and types.matches(b.binding_type)
        and (only is None or b.sid in only)
    ]
    if sort.column is not None:
        key = SORT_KEYS[sort.column]
        kept.sort(key=lambda pair: (key(pair[1]), pair[0]))
    sids = [b.sid for _, b in kept]
    return sids[::-1] if sort.descending else sids


FILTERS = [
    "",
    "user1",
    "user",
    "u",
    "!user3",
    "^user[12]$",
    "!^user[12]$",
    "s.r1",
    "3",
    "endpoint-1",
    "bad[",
]
operations = st.lists(
    st.one_of(
        st.tuples(st.just("page"), st.integers(0, 30)),
        st.tuples(st.just("filter"), st.sampled_from(FILTERS)),
        st.tuples(st.just("types"), st.sampled_from([(), ("apn",), ("fcm",)])),
        st.tuples(st.just("sort"), st.sampled_from([None, *Column]), st.booleans()),
        st.tuples(st.just("remove"), st.integers(0, 500)),
        st.tuples(st.just("step"), st.integers(1, 4)),
        st.tuples(st.just("restrict"), st.sampled_from([None, 0, 1, 2])),
    ),
    max_size=30,
)  # fmt: skip


@pytest.mark.usefixtures("tiny_slices")
@given(operations)
@settings(max_examples=300, deadline=None)
def test_a_sliced_filter_ends_as_a_one_shot_filter(ops: list[tuple[Any, ...]]) -> None:
    store = BindingRows()
    bindings: list[Binding] = []
    removed: set[str] = set()
    text, types, sort = "", TypeFilter(), Sort()
    only: frozenset[str] | None = None
    for op in ops:
        if op[0] == "page":
            page = [make(len(bindings) + k) for k in range(op[1])]
            bindings += page
            store.append(page)
        elif op[0] == "filter":
            text = op[1]
            store.set_filter(parse_query(text), types)
        elif op[0] == "types":
            types = TypeFilter(frozenset(op[1]))
            store.set_filter(parse_query(text), types)
        elif op[0] == "sort":
            sort = Sort(op[1], op[2])
            store.set_sort(sort)
        elif op[0] == "remove" and bindings:
            sid = bindings[op[1] % len(bindings)].sid
            removed.add(sid)
            store.remove(sid)
        elif op[0] == "step":
            for _ in range(op[1]):
                store.filter_step()
        elif op[0] == "restrict":  # a findings choice: SIDs of rows here and to come
            only = None if op[1] is None else frozenset(make(n).sid for n in range(op[1], 600, 3))
            store.set_restriction(only)
        want = expected(bindings, removed, text, types, sort, only)
        shown = [b.sid for b in store.in_view()]
        if store.filtering:  # so far: some of the matches, in display order
            assert set(shown) <= set(want)
            assert shown == [s for s in want if s in set(shown)]
        else:
            assert shown == want
        # position_of bisects the view: it agrees with a scan of what is shown
        at = {sid: position for position, sid in enumerate(shown)}
        for binding in bindings:
            assert store.position_of(binding.sid) == at.get(binding.sid)
    while store.filtering:
        store.filter_step()
    assert [b.sid for b in store.in_view()] == expected(bindings, removed, text, types, sort, only)


@pytest.mark.usefixtures("tiny_slices")
async def test_the_session_finishes_a_long_filter_between_turns_of_the_loop() -> None:
    session = BrowseSession(Origin(ApiFlavor.CONVERSATIONS, "IS" + "0" * 32))
    ticket = session.start_load()
    page = [make(n) for n in range(40)]
    session.pages_arrived(ticket, page, 1, True)
    changes: list[Change] = []
    session.subscribe(changes.append)
    session.set_filter(parse_query("user1"), TypeFilter())
    assert session.rows.filtering  # only the first screenful so far
    assert session.rows.shown_count < 6
    for _ in range(50):
        if not session.rows.filtering:
            break
        await asyncio.sleep(0)
    assert not session.rows.filtering
    assert [b.sid for b in session.rows.in_view()] == [b.sid for b in page if b.identity == "user1"]
    assert sum(1 for c in changes if Change.ROWS in c) > 1  # the screen heard of each slice
    # A newer filter replaces the pass under way.
    session.set_filter(parse_query("user"), TypeFilter())
    session.set_filter(parse_query("user2"), TypeFilter())
    for _ in range(50):
        await asyncio.sleep(0)
    assert [b.sid for b in session.rows.in_view()] == [b.sid for b in page if b.identity == "user2"]


def test_without_an_event_loop_the_session_filters_at_once(tiny_slices: None) -> None:
    session = BrowseSession(Origin(ApiFlavor.CONVERSATIONS, "IS" + "0" * 32))
    ticket = session.start_load()
    session.pages_arrived(ticket, [make(n) for n in range(40)], 1, True)
    session.set_filter(parse_query("user1"), TypeFilter())
    assert not session.rows.filtering
    assert session.rows.shown_count == 6


def test_a_page_arriving_mid_filter_joins_the_pass_instead_of_finishing_it(
    tiny_slices: None,
) -> None:
    """At a million rows, finishing the pass at the next page was one long stall."""
    store = BindingRows()
    first = [make(n) for n in range(40)]
    store.append(first)
    store.set_filter(parse_query("user1"), TypeFilter())
    store.filter_step()  # the pass is scanning the store's chunks (a mask exists)
    assert store.filtering
    more = [make(n) for n in range(40, 80)]
    store.append(more)
    assert store.filtering  # still a slice at a time
    steps = 0
    while store.filtering:
        store.filter_step()
        steps += 1
    assert steps > 1
    wanted = [b.sid for b in [*first, *more] if b.identity == "user1"]
    assert [b.sid for b in store.in_view()] == wanted


def test_a_sorted_view_keeps_its_order_for_pages_after_the_sort() -> None:
    store = BindingRows()
    store.append([make(n, identity=f"id{n % 5}") for n in range(20)])
    store.set_sort(Sort(Column.IDENTITY, descending=True))
    store.append([make(n, identity=f"id{n % 5}") for n in range(20, 30)])
    keys = [b.identity for b in store.in_view()]
    assert keys == sorted(keys, reverse=True)
    assert len(keys) == 30


LONG_KEYS = ["abcdefghijklm", "abcdefghijklM", "abcdefghijkl", "b", "", "abcdefghijkl0", "a"]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from(LONG_KEYS) | st.text(max_size=20), max_size=40),
    st.sampled_from([Column.IDENTITY, Column.ENDPOINT, Column.SID, Column.TYPE]),
)
@example(LONG_KEYS, Column.IDENTITY)
@example(LONG_KEYS[::-1], Column.ENDPOINT)
def test_sorting_on_long_keys_is_a_stable_sort_on_the_whole_key(
    values: list[str], column: Column
) -> None:
    """The prefix-then-runs sort (`sort_pass.sort_by_long_keys`) is `sorted(key=...)`."""
    store = BindingRows()
    page = [
        Binding.from_json(
            {
                "sid": f"BS{n:032x}",
                "identity": v,
                "endpoint": v,
                "date_updated": f"2026-10-{28 - n % 28:02d}T00:00:00Z",
            }
        )
        for n, v in enumerate(values)
    ]
    store.append(page)
    store.set_sort(Sort(Column.UPDATED))  # from another order: ties still in load order
    store.set_sort(Sort(column))
    want = sorted(page, key=SORT_KEYS[column])
    assert [b.sid for b in store.in_view()] == [b.sid for b in want]


# Hashes of one bucket (the low 12 bits equal) made of two byte values, so one hash's
# bytes often appear straddling two others in the bucket's raw words.
bucket_hashes = st.lists(st.sampled_from([0x10, 0x20]), min_size=6, max_size=6).map(
    lambda tail: int.from_bytes(bytes([0x10, 0x10, *tail]), "little", signed=True)
)


@given(
    st.lists(
        st.tuples(st.sampled_from(["add", "discard"]), bucket_hashes, st.integers(0, 9)),
        max_size=60,
    ),
    st.lists(st.integers(-(2**63), 2**63 - 1), max_size=20),
)
@settings(max_examples=300, deadline=None)
def test_hash_buckets_find_exactly_the_rows_added_under_a_hash(
    ops: list[tuple[str, int, int]], others: list[int]
) -> None:
    from bindings_tui.binding_store import HashBuckets

    buckets = HashBuckets()
    model: dict[int, list[int]] = {}
    for number, key_hash in enumerate(others):  # other buckets, any hash
        buckets.add(key_hash, 1000 + number)
        model.setdefault(key_hash, []).append(1000 + number)
    for op, key_hash, row in ops:
        if op == "add":
            buckets.add(key_hash, row)
            model.setdefault(key_hash, []).append(row)
        else:
            buckets.discard(key_hash, row)
            if row in model.get(key_hash, []):
                model[key_hash].remove(row)
    for key_hash in {h for _, h, _ in ops} | set(others):
        assert list(buckets.rows(key_hash)) == model.get(key_hash, [])


def test_a_pass_under_way_hands_on_its_matches_then_every_untested_row(
    tiny_slices: None,
) -> None:
    """What a narrower filter typed mid-pass starts from (one copy at a million rows)."""
    from bindings_tui.filter_pass import FilterPass

    store = BindingStore()
    store.append([make(n) for n in range(60)])
    order = list(range(60))[::-1]  # a display order that is not row order
    wanted = [r for r in order if store.identity(r) == "user1"]
    running = FilterPass(store, order, parse_query("user1"), TypeFilter(), None)
    running.run(first=True)
    seen: list[list[int]] = []
    while not running.done:
        left = running.untested()
        matched = list(running.matched)
        assert left[: len(matched)] == matched == wanted[: len(matched)]
        rest = left[len(matched) :]
        assert rest == order[len(order) - len(rest) :]  # the untested tail, in order
        assert set(wanted) <= set(left)
        seen.append(left)
        running.run()
    assert len(seen) > 2 and running.matched == wanted
    # A list made for the pass is kept as it is; any other is copied.
    mine = list(order)
    owned = FilterPass(store, mine, parse_query("user"), TypeFilter(), None, owned=True)
    copied = FilterPass(store, order, parse_query("user"), TypeFilter(), None)
    assert owned._order is mine and copied._order is not order
