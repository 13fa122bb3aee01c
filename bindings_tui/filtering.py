"""The filter-box grammar, over a precomputed lowercase haystack per row.

- plain text matches as a case-insensitive substring;
- text with regex metacharacters is a case-insensitive regex (`re.search`, multiline,
  so `^bob$` matches an identity exactly: the haystack has one field per line). The
  haystack is lowercase already, so a regex whose letters can simply be lowercased is
  compiled that way, without `re.IGNORECASE`: Python's case-folding matcher is about
  five times slower, which at 100k rows is the difference between 25 and 140 ms;
- an invalid regex is matched literally, with a hint saying why;
- a leading `!` inverts the match.

No textual import here: this module is core and unit/property tested on its own.
"""

from __future__ import annotations

import importlib
import re
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from bindings_tui.binding_store import haystack_of
from bindings_tui.models import Binding

_REGEX_CHARS = frozenset(".^$*+?{}[]\\|()")


def haystack(binding: Binding) -> str:
    """Lowercase text a filter searches: identity, endpoint, SID and type, one per line.

    Control characters are made visible first, so what the table shows is what matches.
    """
    return haystack_of(binding.identity, binding.endpoint, binding.sid, binding.binding_type)


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed filter. `hint` explains a fallback (e.g. an invalid regex)."""

    text: str
    needle: str
    inverted: bool
    pattern: re.Pattern[str] | None
    hint: str | None = None
    # Substrings every match of `pattern` contains, longest first (see _required_literals).
    required: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not self.needle

    @property
    def is_regex(self) -> bool:
        return self.pattern is not None

    def matches(self, hay: str) -> bool:
        if not self.needle:
            return True
        if self.pattern is not None:
            found = self.pattern.search(hay) is not None
        else:
            found = self.needle in hay
        return found != self.inverted

    def select(self, candidates: Iterable[int], haystacks: Sequence[str]) -> list[int]:
        """The candidates (row indices) whose haystack matches, in the given order."""
        if not self.needle:
            return list(candidates)
        if self.pattern is not None:
            search = self.pattern.search
            if self.required:
                # A cheap substring test first: the regex only runs on rows that hold
                # the literal every match needs.
                part = self.required[0]
                if self.inverted:
                    return [
                        i
                        for i in candidates
                        if part not in (hay := haystacks[i]) or search(hay) is None
                    ]
                return [
                    i
                    for i in candidates
                    if part in (hay := haystacks[i]) and search(hay) is not None
                ]
            if self.inverted:
                return [i for i in candidates if search(haystacks[i]) is None]
            return [i for i in candidates if search(haystacks[i]) is not None]
        needle = self.needle
        if self.inverted:
            return [i for i in candidates if needle not in haystacks[i]]
        return [i for i in candidates if needle in haystacks[i]]

    def narrows(self, previous: Query) -> bool:
        """True when every row this query matches is certainly matched by `previous`.

        Lets the store re-filter only the previous result while the user keeps typing.
        """
        if previous.is_empty:
            return True
        if self.is_regex and not self.inverted and not previous.is_regex:
            # every match holds the required literal; rows holding it hold the previous text
            return not previous.inverted and any(previous.needle in r for r in self.required)
        if self.is_empty or self.is_regex or previous.is_regex:
            return False
        if self.inverted != previous.inverted:
            return False
        if self.inverted:
            return self.needle in previous.needle
        return previous.needle in self.needle


EMPTY_QUERY = Query(text="", needle="", inverted=False, pattern=None)


def parse_query(text: str) -> Query:
    """Parse what the user typed in the filter box. Never raises."""
    stripped = text.strip()
    inverted = stripped.startswith("!")
    body = stripped[1:].lstrip() if inverted else stripped
    if not body:
        return Query(text=text, needle="", inverted=False, pattern=None)
    if not any(ch in _REGEX_CHARS for ch in body):
        return Query(text=text, needle=body.lower(), inverted=inverted, pattern=None)
    with warnings.catch_warnings():
        # What was typed may be valid but doubtful (`[[`: FutureWarning, "possible nested
        # set"); Python would print that on stderr, under the screen. It still compiles.
        warnings.simplefilter("ignore")
        return _regex_query(text, body, inverted)


def _regex_query(text: str, body: str, inverted: bool) -> Query:
    try:
        pattern = _compile(body)
    except (re.error, RecursionError, OverflowError) as exc:
        reason = exc.msg if isinstance(exc, re.error) else type(exc).__name__
        return Query(
            text=text,
            needle=body.lower(),
            inverted=inverted,
            pattern=None,
            hint=f"invalid regex ({reason}): matching the text literally",
        )
    return Query(
        text=text,
        needle=body.lower(),
        inverted=inverted,
        pattern=pattern,
        required=_required_literals(pattern),
    )


def _required_literals(pattern: re.Pattern[str]) -> tuple[str, ...]:
    """Substrings every match contains: the runs of plain characters at the top level of
    the pattern (`acme.test` -> `acme`, `test`), longest first; none for an alternation
    at the top, for a case-folding pattern, or when the pattern cannot be read."""
    if pattern.flags & re.IGNORECASE:
        return ()
    try:
        parser: Any = importlib.import_module("re._parser")  # the parser re itself uses
        literal = parser.LITERAL
        parsed = parser.parse(pattern.pattern, pattern.flags)
        runs: list[str] = []
        run: list[str] = []
        for op, argument in parsed:
            if op is literal:
                run.append(chr(argument))
                continue
            if run:
                runs.append("".join(run))
                run = []
        if run:
            runs.append("".join(run))
    except Exception:  # a private module: if it ever changes, filters just run slower
        return ()
    return tuple(sorted(runs, key=len, reverse=True))


# After a backslash these may stand for an uppercase letter (`\x41`, `\N{...}`, octal) or
# for a group number; such patterns keep re.IGNORECASE.
_CODE_ESCAPES = frozenset("xuUN0123456789")


def _lowercase_literals(body: str) -> str | None:
    r"""`body` with its letters lowercased and its escapes (`\S`, `\W`, `\D`, `\A`, `\Z`,
    `\B`...) kept, or None when lowercasing could change what it means (inline flags
    and other `(?` groups, code-point escapes, letters whose lowercase is longer)."""
    if "(?" in body or len(body.lower()) != len(body):
        return None
    out: list[str] = []
    escaped = False
    for ch in body:
        if escaped:
            if ch in _CODE_ESCAPES:
                return None
            out.append(ch)
            escaped = False
        elif ch == "\\":
            out.append(ch)
            escaped = True
        else:
            out.append(ch.lower())
    return "".join(out)


def _compile(body: str) -> re.Pattern[str]:
    """Case-insensitive against a lowercase haystack: lowercase literals where that is
    exact, else re.IGNORECASE. Raises what re.compile raises for the original text."""
    original = re.compile(body, re.IGNORECASE | re.MULTILINE)  # validates what was typed
    lowered = _lowercase_literals(body)
    if lowered is None:
        return original
    try:
        return re.compile(lowered, re.MULTILINE)
    except (re.error, RecursionError, OverflowError):
        return original  # e.g. the range `[Z-a]` lowercased is the invalid `[z-a]`


@dataclass(frozen=True, slots=True)
class TypeFilter:
    """Binding-type toggles. No type selected means every type is shown."""

    selected: frozenset[str] = frozenset()

    @property
    def is_empty(self) -> bool:
        return not self.selected

    def toggle(self, binding_type: str) -> TypeFilter:
        lowered = binding_type.lower()
        if lowered in self.selected:
            return TypeFilter(self.selected - {lowered})
        return TypeFilter(self.selected | {lowered})

    def matches(self, binding_type: str | None) -> bool:
        if not self.selected:
            return True
        return (binding_type or "").lower() in self.selected

    def narrows(self, previous: TypeFilter) -> bool:
        if previous.is_empty:
            return True
        return not self.is_empty and self.selected <= previous.selected


NO_TYPE_FILTER = TypeFilter()
