"""Bindings kept as columns, not objects: what lets a million of them fit in memory.

One `Binding` with its strings, dates and JSON tuple is about 700 bytes, and the filter's
lowercase haystack and the SID and identity indexes another 500; at a million bindings
that was most of a 1.6 GB process. Here a binding is a row of columns:

- text: per page (a chunk), the rows' filter haystacks joined in ONE string (the filter
  scans it with `str.find`), and the identity and endpoint only where the haystack does
  not already hold them exactly (mixed-case tokens, say);
- the SID as 16 bytes; both dates as microseconds; everything many bindings share (type,
  message types, credential, service, account, the JSON's keys and shared values) as one
  small-int code into a table of such combinations;
- the SID and identity indexes as hash buckets of plain integer arrays.

`binding(row)` builds the `Binding` (the public model) on demand: for the rows on screen,
the detail pane, deletes and the diagnosis. Anything the columns cannot hold exactly (an
unusual SID, a date with another offset, a JSON value of its own) is kept per row as it
came, so a rebuilt binding always equals the one appended.

No textual import here: this module is core.
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Final, overload

from bindings_tui.models import Binding
from bindings_tui.textsafe import make_visible

ROW_SEPARATOR: Final = "\x00"  # never inside a haystack: make_visible escapes it
FIELD_SEPARATOR: Final = "\n"
CHUNK_ROWS: Final = 1024  # rows per text chunk (an append of more is split)
_KINDS_LIMIT: Final = 1 << 16  # distinct shared combinations kept; beyond, per row

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND: Final = timedelta(microseconds=1)
_NO_DATE: Final = -(1 << 63)

# Flags per row: where its identity and endpoint are.
_ID_NONE: Final = 1
_ID_IN_HAY: Final = 2  # the haystack's first field is the identity exactly
_EP_NONE: Final = 4
_EP_IN_HAY: Final = 8


class _Field:
    """Stands in a shared JSON template for a value the row's own column holds."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name


_SID_FIELD: Final = _Field("sid")
_IDENTITY_FIELD: Final = _Field("identity")
_ENDPOINT_FIELD: Final = _Field("endpoint")
_OWN_FIELDS: Final = {"sid": _SID_FIELD, "identity": _IDENTITY_FIELD, "endpoint": _ENDPOINT_FIELD}
_OWN_NAMES: Final = {"sid": 0, "identity": 1, "endpoint": 2}
_OWN_MARKERS: Final = (_SID_FIELD, _IDENTITY_FIELD, _ENDPOINT_FIELD)

# (binding_type, message_types, credential_sid, service_sid, account_sid, raw_keys,
#  raw template, lowercase type)
Kind = tuple[
    str | None, tuple[str, ...], str | None, str | None, str | None, tuple[str, ...],
    tuple[Any, ...], str,
]  # fmt: skip


def visible_lower(value: str) -> str:
    """A field as the filter sees it: control characters made visible, lowercase."""
    return make_visible(value).lower()


def haystack_of(identity: str | None, endpoint: str | None, sid: str, kind: str | None) -> str:
    """Lowercase text a filter searches: identity, endpoint, SID and type, one per line."""
    parts = (identity, endpoint, sid, kind)
    return FIELD_SEPARATOR.join(visible_lower(p) for p in parts if p)


class _Chunk:
    """The text of consecutive rows `start`..: haystacks joined, and the identities and
    endpoints the haystacks do not hold exactly."""

    __slots__ = ("hay", "hay_offsets", "start", "text", "text_offsets")

    def __init__(self, start: int, hays: list[str], texts: list[tuple[str, str]]) -> None:
        self.start = start
        self.hay = ROW_SEPARATOR.join(hays) + ROW_SEPARATOR
        offsets = array("I", [0])
        at = 0
        for hay in hays:
            at += len(hay) + 1
            offsets.append(at)
        self.hay_offsets = offsets
        self.text = "".join(a + b for a, b in texts)
        text_offsets = array("I", [0])
        at = 0
        for identity, endpoint in texts:
            at += len(identity)
            text_offsets.append(at)
            at += len(endpoint)
            text_offsets.append(at)
        self.text_offsets = text_offsets

    def __len__(self) -> int:
        return len(self.hay_offsets) - 1

    def hay_at(self, local: int) -> str:
        offsets = self.hay_offsets
        return self.hay[offsets[local] : offsets[local + 1] - 1]

    def texts_at(self, local: int) -> tuple[str, str]:
        offsets = self.text_offsets
        at = 2 * local
        return (
            self.text[offsets[at] : offsets[at + 1]],
            self.text[offsets[at + 1] : offsets[at + 2]],
        )


def pack_sid(sid: str) -> bytes | None:
    """A binding SID (`BS` and 32 lowercase hex digits) as the store keeps it, 16 bytes;
    None for any other text (the store keeps that as it came)."""
    if len(sid) != 34 or not sid.startswith("BS"):
        return None
    digits = sid[2:]
    try:
        packed = bytes.fromhex(digits)
    except ValueError:
        return None
    return packed if packed.hex() == digits else None  # not uppercase, no blanks skipped


class HashBuckets:
    """Rows by a 64-bit hash of a key, in 4096 buckets (12 bytes a row against about 100
    for a dict entry with its key and value objects). The caller checks the key of each
    row a hash finds; rows come out in the order they were added.

    A bucket's hashes are raw 8-byte words in a bytearray, searched with `find` (C speed):
    at a million rows a bucket holds about 250, and `array.index` made a Python int of
    each to compare, 9 us a miss, so every new SID of a page (checked for a repeat)
    cost 9 ms a page at 1M and grew with the list."""

    _BITS: Final = 12
    _WORD: Final = 8

    def __init__(self) -> None:
        size = 1 << self._BITS
        self._hashes: list[bytearray | None] = [None] * size
        self._rows: list[array[int] | None] = [None] * size

    def add(self, key_hash: int, row: int) -> None:
        bucket = key_hash & ((1 << self._BITS) - 1)
        hashes = self._hashes[bucket]
        rows = self._rows[bucket]
        if hashes is None or rows is None:
            hashes = self._hashes[bucket] = bytearray()
            rows = self._rows[bucket] = array("i")
        hashes += key_hash.to_bytes(self._WORD, "little", signed=True)
        rows.append(row)

    def _slots(self, key_hash: int) -> Iterator[tuple[array[int], int]]:
        """(the bucket's rows, position) of every entry with this hash, in added order."""
        bucket = key_hash & ((1 << self._BITS) - 1)
        hashes = self._hashes[bucket]
        rows = self._rows[bucket]
        if hashes is None or rows is None:
            return
        word = self._WORD
        pattern = key_hash.to_bytes(word, "little", signed=True)
        at = hashes.find(pattern)
        while at >= 0:
            if at % word:  # straddles two entries: not one
                at = hashes.find(pattern, at + 1)
                continue
            yield rows, at // word
            at = hashes.find(pattern, at + word)

    def rows(self, key_hash: int) -> Iterator[int]:
        for rows, at in self._slots(key_hash):
            if rows[at] >= 0:
                yield rows[at]

    def discard(self, key_hash: int, row: int) -> None:
        for rows, at in self._slots(key_hash):
            if rows[at] == row:
                rows[at] = -1
                return


class BindingStore:
    """Rows of bindings in append order; a row number stays valid for the store's life."""

    def __init__(self) -> None:
        self._count = 0
        self._sids = bytearray()
        self._odd_sids: dict[int, str] = {}
        self._codes = array("i")
        self._kinds: list[Kind] = []
        self._kind_codes: dict[tuple[Any, ...], int] = {}
        self._own_positions: dict[tuple[str, ...], tuple[tuple[int, int], ...]] = {}
        self._odd_kinds: dict[int, Kind] = {}
        self._created = array("q")
        self._updated = array("q")
        self._odd_dates: dict[int, tuple[datetime | None, datetime | None]] = {}
        self._flags = bytearray()
        self._chunks: list[_Chunk] = []
        self._chunk_starts = array("q")
        self._sid_index = HashBuckets()
        self._identity_index = HashBuckets()

    def __len__(self) -> int:
        return self._count

    # ---- writing ------------------------------------------------------------------------

    def append(self, bindings: Sequence[Binding]) -> None:
        """Add rows `len(self)`.. for `bindings` (the caller has checked the SIDs are new)."""
        for begin in range(0, len(bindings), CHUNK_ROWS):
            part = bindings[begin : begin + CHUNK_ROWS]
            start = self._count
            hays: list[str] = []
            texts: list[tuple[str, str]] = []
            for offset, binding in enumerate(part):
                hay, text = self._add_columns(start + offset, binding)
                hays.append(hay)
                texts.append(text)
            self._chunk_starts.append(start)
            self._chunks.append(_Chunk(start, hays, texts))
            self._count = start + len(part)

    def _add_columns(self, row: int, binding: Binding) -> tuple[str, tuple[str, str]]:
        sid = binding.sid
        self._add_sid(row, sid)
        self._sid_index.add(hash(sid), row)
        if binding.identity is not None:
            self._identity_index.add(hash(binding.identity), row)
        self._codes.append(self._kind_code(row, binding))
        self._add_dates(row, binding.date_created, binding.date_updated)
        flags, hay, text = _text_of(binding)
        self._flags.append(flags)
        return hay, text

    def _add_sid(self, row: int, sid: str) -> None:
        packed = pack_sid(sid)
        if packed is None:
            self._odd_sids[row] = sid
            packed = bytes(16)
        self._sids += packed

    def _kind_code(self, row: int, b: Binding) -> int:
        keys = b.raw_keys
        own_at = self._own_positions.get(keys)
        if own_at is None:
            own_at = self._own_positions[keys] = tuple(
                (at, _OWN_NAMES[key]) for at, key in enumerate(keys) if key in _OWN_NAMES
            )
        values = b.raw_values
        if own_at:
            own = (b.sid, b.identity, b.endpoint)
            listed = list(values)
            for at, which in own_at:
                value = listed[at]
                if type(value) is str and value == own[which]:
                    listed[at] = _OWN_MARKERS[which]
            template = tuple(listed)
        else:
            template = values
        shared = (b.binding_type, b.message_types, b.credential_sid, b.service_sid, b.account_sid)
        # By identity: the values many bindings share are the very same objects (interned
        # strings, shared tuples and markers), and the table keeps them alive, so equal ids
        # mean the same values exactly (never `1 == True`).
        key = tuple(map(id, (*shared, b.raw_keys, *template)))
        code = self._kind_codes.get(key)
        if code is None:
            if len(self._kinds) >= _KINDS_LIMIT or not _shareable(template):
                self._odd_kinds[row] = (
                    *shared,
                    b.raw_keys,
                    template,
                    (b.binding_type or "").lower(),
                )
                return -1
            code = self._kind_codes[key] = len(self._kinds)
            self._kinds.append((*shared, b.raw_keys, template, (b.binding_type or "").lower()))
        return code

    def _add_dates(self, row: int, created: datetime | None, updated: datetime | None) -> None:
        exact = all(d is None or d.tzinfo is UTC for d in (created, updated))
        if not exact:
            self._odd_dates[row] = (created, updated)
        self._created.append(_micros(created) if exact else _NO_DATE)
        self._updated.append(_micros(updated) if exact else _NO_DATE)

    def replace(self, row: int, binding: Binding) -> None:
        """Row `row` now holds `binding` (the same SID: a list shifted while paged)."""
        old_identity = self.identity(row)
        if old_identity != binding.identity:
            if old_identity is not None:
                self._identity_index.discard(hash(old_identity), row)
            if binding.identity is not None:
                self._identity_index.add(hash(binding.identity), row)
        self._odd_kinds.pop(row, None)
        self._odd_dates.pop(row, None)
        self._codes[row] = self._kind_code(row, binding)
        exact = all(
            d is None or d.tzinfo is UTC for d in (binding.date_created, binding.date_updated)
        )
        if exact:
            self._created[row] = _micros(binding.date_created)
            self._updated[row] = _micros(binding.date_updated)
        else:
            self._odd_dates[row] = (binding.date_created, binding.date_updated)
        at = bisect_right(self._chunk_starts, row) - 1
        chunk = self._chunks[at]
        hays: list[str] = []
        texts: list[tuple[str, str]] = []
        for other in range(chunk.start, chunk.start + len(chunk)):
            if other == row:
                flags, hay, text = _text_of(binding)
                self._flags[row] = flags
            else:
                hay = chunk.hay_at(other - chunk.start)
                text = chunk.texts_at(other - chunk.start)
            hays.append(hay)
            texts.append(text)
        self._chunks[at] = _Chunk(chunk.start, hays, texts)

    def forget_sid(self, row: int) -> None:
        """A deleted row: its SID no longer finds it (its data stays for older views)."""
        self._sid_index.discard(hash(self.sid(row)), row)
        identity = self.identity(row)
        if identity is not None:
            self._identity_index.discard(hash(identity), row)

    # ---- reading ------------------------------------------------------------------------

    def row_of(self, sid: str) -> int | None:
        for row in self._sid_index.rows(hash(sid)):
            if self.sid(row) == sid:
                return row
        return None

    def rows_with_packed_sids(self, packed: set[bytes], start: int, stop: int) -> list[int]:
        """Rows `start`..`stop` whose SID, packed (`pack_sid`), is in `packed`: one set
        lookup a row. Rows kept with an odd SID never match (their 16 bytes are zeros)."""
        sids = bytes(self._sids[16 * start : 16 * stop])  # bytes slice: hashable
        found = [start + at for at in range(stop - start) if sids[16 * at : 16 * at + 16] in packed]
        odd = self._odd_sids
        return [row for row in found if row not in odd] if odd else found

    def rows_of_identity(self, identity: str) -> list[int]:
        """Rows with exactly this identity, in row order."""
        found = [
            r for r in self._identity_index.rows(hash(identity)) if self.identity(r) == identity
        ]
        found.sort()
        return found

    def sid(self, row: int) -> str:
        odd = self._odd_sids.get(row) if self._odd_sids else None
        if odd is not None:
            return odd
        at = 16 * row
        return "BS" + self._sids[at : at + 16].hex()

    def kind(self, row: int) -> Kind:
        code = self._codes[row]
        return self._kinds[code] if code >= 0 else self._odd_kinds[row]

    def kind_code(self, row: int) -> int:
        """-1 for a row whose kind is its own (see `kind`)."""
        return self._codes[row]

    def kinds(self) -> list[Kind]:
        return self._kinds

    def type_lower(self, row: int) -> str:
        return self.kind(row)[7]

    def hay(self, row: int) -> str:
        """The row's filter haystack (see `haystack_of`)."""
        chunk = self._chunks[bisect_right(self._chunk_starts, row) - 1]
        return chunk.hay_at(row - chunk.start)

    def chunk_count(self) -> int:
        return len(self._chunks)

    def chunk(self, index: int) -> tuple[int, str, array[int]]:
        """(first row, joined haystacks, offsets) of a chunk (in row order): a row's
        haystack is `hay[offsets[i]:offsets[i + 1] - 1]`, rows end with ROW_SEPARATOR."""
        chunk = self._chunks[index]
        return chunk.start, chunk.hay, chunk.hay_offsets

    def identity(self, row: int) -> str | None:
        flags = self._flags[row]
        if flags & _ID_NONE:
            return None
        chunk = self._chunks[bisect_right(self._chunk_starts, row) - 1]
        if flags & _ID_IN_HAY:
            return chunk.hay_at(row - chunk.start).split(FIELD_SEPARATOR, 1)[0]
        return chunk.texts_at(row - chunk.start)[0]

    def endpoint(self, row: int) -> str | None:
        flags = self._flags[row]
        if flags & _EP_NONE:
            return None
        chunk = self._chunks[bisect_right(self._chunk_starts, row) - 1]
        local = row - chunk.start
        identity_text, endpoint_text = chunk.texts_at(local)
        if not flags & _EP_IN_HAY:
            return endpoint_text
        fields = chunk.hay_at(local).split(FIELD_SEPARATOR, 2)
        identity_shown = bool(flags & _ID_IN_HAY) or bool(identity_text)
        return fields[1 if identity_shown else 0]

    def dates(self, row: int) -> tuple[datetime | None, datetime | None]:
        odd = self._odd_dates.get(row) if self._odd_dates else None
        if odd is not None:
            return odd
        return _moment(self._created[row]), _moment(self._updated[row])

    def updated_key(self, row: int) -> float:
        """`date_updated or date_created` as a POSIX timestamp (-inf when neither)."""
        odd = self._odd_dates.get(row) if self._odd_dates else None
        if odd is not None:
            moment = odd[1] or odd[0]
            return moment.timestamp() if moment is not None else float("-inf")
        micros = self._updated[row]
        if micros == _NO_DATE:
            micros = self._created[row]
        if micros == _NO_DATE:
            return float("-inf")
        return micros / 1_000_000  # int / int: rounded as datetime.timestamp() rounds

    def binding(self, row: int) -> Binding:
        sid = self.sid(row)
        identity = self.identity(row)
        endpoint = self.endpoint(row)
        binding_type, message_types, credential, service, account, keys, template, _ = self.kind(
            row
        )
        own = {_SID_FIELD: sid, _IDENTITY_FIELD: identity, _ENDPOINT_FIELD: endpoint}
        values = tuple(own[v] if type(v) is _Field else v for v in template)
        created, updated = self.dates(row)
        return Binding(
            sid=sid,
            identity=identity,
            binding_type=binding_type,
            endpoint=endpoint,
            message_types=message_types,
            credential_sid=credential,
            service_sid=service,
            account_sid=account,
            date_created=created,
            date_updated=updated,
            raw_keys=keys,
            raw_values=values,
        )


def _shareable(template: tuple[Any, ...]) -> bool:
    """Whether a template is worth a shared code: its values are strings, None, markers,
    or objects Binding.from_json already shares (lists of message types, derived values);
    a dict or list of its own per binding would make every code new."""
    return all(type(v) is not dict for v in template)


def _text_of(binding: Binding) -> tuple[int, str, tuple[str, str]]:
    """(flags, haystack, (identity, endpoint) not held by the haystack)."""
    identity = binding.identity
    endpoint = binding.endpoint
    flags = 0
    identity_text = endpoint_text = ""
    parts: list[str] = []
    if identity is None:
        flags |= _ID_NONE
    else:
        shown = visible_lower(identity)
        if identity and shown == identity:
            flags |= _ID_IN_HAY
        else:
            identity_text = identity
        if shown:
            parts.append(shown)
    if endpoint is None:
        flags |= _EP_NONE
    else:
        shown = visible_lower(endpoint)
        if endpoint and shown == endpoint:
            flags |= _EP_IN_HAY
        else:
            endpoint_text = endpoint
        if shown:
            parts.append(shown)
    parts.append(visible_lower(binding.sid))
    if binding.binding_type:
        parts.append(visible_lower(binding.binding_type))
    return flags, FIELD_SEPARATOR.join(parts), (identity_text, endpoint_text)


def _micros(moment: datetime | None) -> int:
    if moment is None:
        return _NO_DATE
    return (moment - _EPOCH) // _MICROSECOND


def _moment(micros: int) -> datetime | None:
    if micros == _NO_DATE:
        return None
    return _EPOCH + timedelta(microseconds=micros)


class BindingsView(Sequence[Binding]):
    """Some rows of a store as a sequence of Bindings, built when read: the diagnosis
    reads a million bindings without a million objects alive at once. Rows never move
    and a deleted row keeps its data, so the view stays what it was when made. `rows`
    is never changed: an array, or a `range` (every row so far, at no cost).

    `pause`, when given, is called every `PAUSE_EVERY` bindings read: a reader in a
    background thread gives way to the screen there (`browse.screen_first`)."""

    PAUSE_EVERY: Final = 2048

    def __init__(
        self, store: BindingStore, rows: Sequence[int], pause: Callable[[], object] | None = None
    ) -> None:
        self._store = store
        self._rows = rows
        self._pause = pause
        self._reads = 0

    def __len__(self) -> int:
        return len(self._rows)

    @overload
    def __getitem__(self, index: int) -> Binding: ...

    @overload
    def __getitem__(self, index: slice) -> BindingsView: ...

    def __getitem__(self, index: int | slice) -> Binding | BindingsView:
        if isinstance(index, slice):
            return BindingsView(self._store, self._rows[index], self._pause)
        if self._pause is not None:
            self._reads += 1
            if self._reads % self.PAUSE_EVERY == 0:
                self._pause()
        return self._store.binding(self._rows[index])

    def __iter__(self) -> Iterator[Binding]:
        binding, pause = self._store.binding, self._pause
        if pause is None:
            for row in self._rows:
                yield binding(row)
            return
        every = self.PAUSE_EVERY
        for count, row in enumerate(self._rows, 1):
            if count % every == 0:
                pause()
            yield binding(row)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence) and not isinstance(other, str):
            return len(self) == len(other) and all(
                a == b for a, b in zip(self, other, strict=False)
            )
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]
