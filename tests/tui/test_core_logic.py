"""The headless pieces the TUI stands on: filter grammar, binding store, relative ages."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from bindings_tui.ages import long_age, relative_age
from bindings_tui.filtering import TypeFilter, haystack, parse_query
from bindings_tui.models import Binding
from bindings_tui.rows import SORT_KEYS, BindingRows, Column, Sort

NOW = datetime(2026, 11, 1, tzinfo=UTC)


def make(n: int, identity: str | None = None, kind: str = "apn", days: int = 1) -> Binding:
    return Binding.from_json(
        {
            "sid": f"BS{n:032x}",
            "identity": identity if identity is not None else f"user{n % 7}",
            "binding_type": kind,
            "endpoint": f"endpoint-{n}",
            "message_types": ["new_message"],
            "date_updated": (NOW - timedelta(days=days)).isoformat(),
        }
    )


# ---- ages -------------------------------------------------------------------------------


def test_relative_age_units() -> None:
    cases = {
        timedelta(seconds=2): "now",
        timedelta(seconds=45): "45s",
        timedelta(minutes=12): "12m",
        timedelta(hours=3): "3h",
        timedelta(days=4): "4d",
        timedelta(days=150): "5mo",
        timedelta(days=800): "2y",
        timedelta(minutes=-5): "future",
    }
    for delta, expected in cases.items():
        assert relative_age(NOW - delta, NOW) == expected
    assert relative_age(None, NOW) == "-"
    assert long_age(NOW - timedelta(days=3), NOW).endswith("(3d ago)")
    assert relative_age(datetime(2026, 10, 31), NOW) == "1d"  # naive means UTC


# ---- filtering --------------------------------------------------------------------------


def test_query_kinds() -> None:
    assert parse_query("").is_empty
    assert parse_query("  !  ").is_empty
    plain = parse_query("Alice")
    assert not plain.is_regex and plain.matches("bob\nalice@x")
    regex = parse_query("^ali.e$")
    assert regex.is_regex and regex.matches("bob\nalice") and not regex.matches("xalice")
    bad = parse_query("bob[")
    assert bad.hint and not bad.is_regex and bad.matches("bob[/b]")
    inverted = parse_query("!fcm")
    assert inverted.inverted and inverted.matches("apn") and not inverted.matches("fcm")


def test_haystack_uses_visible_text() -> None:
    hay = haystack(make(1, identity="\x1b]0;eve"))
    assert "\\x1b]0;eve" in hay and "\x1b" not in hay


@given(st.text(max_size=30), st.text(max_size=60))
@settings(max_examples=300, deadline=None)
def test_any_query_never_raises_and_not_inverts(text: str, hay: str) -> None:
    query = parse_query(text)
    result = query.matches(hay.lower())
    if not query.is_empty:
        inverted = parse_query("!" + text.strip())
        if not text.strip().startswith("!"):
            assert inverted.matches(hay.lower()) is (not result)


# Regex-ish text over ASCII: letters of both cases, escapes, classes, anchors, groups.
_REGEX_ALPHABET = "aAbBzZ09._-@\\[]^$*+?{}|()!:=<>,dDsSwWxXnN1 "


@given(st.text(alphabet=_REGEX_ALPHABET, min_size=1, max_size=12), st.text(max_size=40))
@settings(max_examples=500, deadline=None)
def test_regex_matches_like_ignorecase_on_the_lowercase_haystack(text: str, hay: str) -> None:
    """Lowercased-literal compilation (the fast path) agrees with re.IGNORECASE."""
    hay = "".join(ch for ch in hay if ch.isascii()).lower()
    query = parse_query(text)
    if not query.is_regex or query.inverted:
        return
    body = text.strip()
    expected = re.search(body, hay, re.IGNORECASE | re.MULTILINE) is not None
    assert query.matches(hay) is expected, (body, query.pattern)
    # select() tests the required literals first; it must agree with matches()
    assert query.select([0], [hay]) == ([0] if expected else []), (body, query.required)
    inverted = parse_query("!" + body)
    assert inverted.select([0], [hay]) == ([] if expected else [0])


def test_regex_with_uppercase_literals_skips_the_slow_matcher() -> None:
    query = parse_query("Acme\\.Test$")
    assert query.pattern is not None and not query.pattern.flags & re.IGNORECASE
    assert query.matches("bob\nx@acme.test")
    # inline flags and code-point escapes keep re.IGNORECASE (lowercasing could change them)
    for text in ("(?-i:A)b.", "\\x41.", "a.\\1"):
        pattern = parse_query(text).pattern
        assert pattern is None or pattern.flags & re.IGNORECASE, text
    assert parse_query("[a-Z]x").hint  # invalid as typed, even though `[a-z]x` is valid


def test_type_filter_toggles() -> None:
    types = TypeFilter().toggle("apn")
    assert types.matches("apn") and not types.matches("fcm")
    assert types.toggle("apn").is_empty


# ---- store ------------------------------------------------------------------------------


def restriction_of(step: int) -> frozenset[str] | None:
    """0: no restriction; else the SIDs of every `step`-th possible row (some not loaded)."""
    return None if step == 0 else frozenset(f"BS{n:032x}" for n in range(0, 400, step))


def expected_view(
    rows: list[Binding],
    removed: set[str],
    text: str,
    sort: Sort,
    only: frozenset[str] | None = None,
) -> list[str]:
    query = parse_query(text)
    alive = [(i, b) for i, b in enumerate(rows) if b.sid not in removed]
    if only is not None:
        alive = [(i, b) for i, b in alive if b.sid in only]
    kept = [(i, b) for i, b in alive if query.matches(haystack(b))]
    if sort.column is not None:
        key = SORT_KEYS[sort.column]
        kept.sort(key=lambda pair: (key(pair[1]), pair[0]))
    sids = [b.sid for _, b in kept]
    return sids[::-1] if sort.descending else sids


FILTERS = ["", "user1", "user", "!user3", "^user[12]$", "!^user[12]$", "s.r1", "3", "bad["]
operations = st.lists(
    st.one_of(
        st.tuples(st.just("page"), st.integers(0, 12)),
        st.tuples(st.just("filter"), st.sampled_from(FILTERS)),
        st.tuples(st.just("sort"), st.sampled_from([None, *Column]), st.booleans()),
        st.tuples(st.just("remove"), st.integers(0, 200)),
        st.tuples(st.just("restrict"), st.integers(0, 3)),
    ),
    max_size=25,
)  # fmt: skip


@given(operations)
@settings(max_examples=200, deadline=None)
def test_store_view_matches_a_brute_force_recompute(ops: list[tuple[object, ...]]) -> None:
    store = BindingRows()
    rows: list[Binding] = []
    removed: set[str] = set()
    text = ""
    sort = Sort()
    only: frozenset[str] | None = None
    for op in ops:
        if op[0] == "page":
            size = int(op[1])  # type: ignore[call-overload]
            page = [make(len(rows) + k, days=(len(rows) + k) % 5) for k in range(size)]
            rows += page
            store.append(page)
        elif op[0] == "filter":
            text = str(op[1])
            store.set_filter(parse_query(text))
        elif op[0] == "sort":
            sort = Sort(op[1], bool(op[2])) if op[1] is not None else Sort(None, bool(op[2]))  # type: ignore[arg-type]
            store.set_sort(sort)
        elif op[0] == "restrict":
            only = restriction_of(int(op[1]))  # type: ignore[call-overload]
            store.set_restriction(only)
        elif rows:
            sid = rows[int(op[1]) % len(rows)].sid  # type: ignore[call-overload]
            removed.add(sid)
            store.remove(sid)
        view = [b.sid for b in store.in_view()]
        assert view == expected_view(rows, removed, text, sort, only)
        assert store.loaded_count == len(rows) - len(removed)
        assert [b.sid for b in store.loaded()] == [b.sid for b in rows if b.sid not in removed]
        assert store.hidden_count(b.sid for b in rows) == len(rows) - len(view)


def test_store_indexes_marks_and_positions() -> None:
    store = BindingRows()
    rows = [make(i, identity="alice" if i % 2 else "bob") for i in range(10)]
    store.append(rows)
    assert len(store.by_identity("alice")) == 5
    assert store.position_of(rows[3].sid) == 3
    store.toggle_mark(rows[1].sid)
    store.toggle_mark(rows[2].sid)
    store.set_filter(parse_query("^alice$"))
    assert store.hidden_count(store.marks) == 1  # bob's row 2 is hidden
    assert store.position_of(rows[2].sid) is None
    store.remove(rows[1].sid)
    assert rows[1].sid not in store.marks and len(store.by_identity("alice")) == 4
    store.append([rows[3]])  # a repeated SID replaces, never duplicates
    assert store.loaded_count == 9
    assert re.fullmatch(r"BS[0-9a-f]{32}", rows[0].sid)
