"""A doubtful regex typed in the filter box prints no warning under the screen."""

from __future__ import annotations

import warnings

from bindings_tui.filtering import parse_query


def test_a_possible_nested_set_compiles_without_a_warning() -> None:
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        query = parse_query("[[q7x]")  # FutureWarning: possible nested set, from re
    assert [str(w.message) for w in seen] == []
    assert query.pattern is not None and query.hint is None
