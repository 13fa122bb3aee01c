"""Property-based tests: the response parser, error parsing, SIDs and text safety."""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from bindings_tui.errors import ApiError, InputError, ResponseFormatError
from bindings_tui.models import Binding
from bindings_tui.output import json_dumps
from bindings_tui.responses import parse_error_body, read_page
from bindings_tui.sids import is_sid, validate_sid
from bindings_tui.textsafe import make_visible

json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
binding_keys = st.sampled_from(
    [
        "sid",
        "identity",
        "binding_type",
        "endpoint",
        "message_types",
        "credential_sid",
        "date_created",
        "date_updated",
        "url",
        "account_sid",
        "chat_service_sid",
        "links",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(binding_keys, json_values, max_size=12), st.booleans())
def test_binding_parser_never_crashes_on_any_json_types(
    raw: dict[str, Any], valid_sid: bool
) -> None:
    """Any field of any JSON type: either a Binding or a ResponseFormatError, nothing else."""
    if valid_sid:  # half the cases get past the sid check to the other fields
        raw = {**raw, "sid": "BS" + "0" * 32}
    try:
        b = Binding.from_json(raw)
    except ResponseFormatError:
        sid = raw.get("sid")
        assert not (isinstance(sid, str) and is_sid("BS", sid))
        return
    assert b.sid == raw["sid"]
    assert all(isinstance(t, str) for t in b.message_types)
    assert b.identity is None or isinstance(b.identity, str)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_page_parser_never_crashes(payload: Any) -> None:
    if not isinstance(payload, dict):
        payload = {"x": payload}
    try:
        page = read_page(payload, Binding.from_json, "/v1/x")
    except ResponseFormatError:
        return
    assert isinstance(page.items, list)
    assert page.next_page_url is None or isinstance(page.next_page_url, str)


@settings(max_examples=300, deadline=None)
@given(
    st.integers(100, 599),
    st.binary(max_size=300) | json_values.map(lambda v: json.dumps(v).encode()),
)
def test_error_parser_always_gives_a_printable_one_liner(status: int, body: bytes) -> None:
    error = parse_error_body(status, body, "GET", "/v1/x")
    assert isinstance(error, ApiError)
    message = error.user_message()
    assert message.startswith(f"HTTP {status}")
    assert "\n" not in message and "\x1b" not in message


@settings(max_examples=200, deadline=None)
@given(st.integers(400, 599), st.text(max_size=60), st.text(max_size=60))
def test_error_message_and_link_are_one_inert_line(status: int, message: str, tail: str) -> None:
    body = {"code": 20001, "message": message, "more_info": "https://x.test/" + tail}
    error = parse_error_body(status, json.dumps(body).encode(), "GET", "/v1/x")
    shown = error.user_message()
    assert all(ch.isprintable() or unicodedata.category(ch) == "Zs" for ch in shown), shown


@given(st.text(max_size=40))
def test_sid_validation_agrees_with_the_official_pattern(value: str) -> None:
    official = re.compile(r"^IS[0-9a-fA-F]{32}$")
    try:
        validate_sid("IS", value)
        accepted = True
    except InputError:
        accepted = False
    assert accepted == bool(official.match(value.strip()))
    assert is_sid("IS", value) == bool(official.match(value))


@given(st.from_regex(r"\AIS[0-9a-fA-F]{32}\Z"))
def test_every_well_formed_sid_is_accepted(value: str) -> None:
    assert validate_sid("IS", value) == value


@given(st.text())
def test_make_visible_leaves_no_control_characters(value: str) -> None:
    shown = make_visible(value)
    # Everything left is printable or a (visible-width) space separator.
    assert all(ch.isprintable() or unicodedata.category(ch) == "Zs" for ch in shown)


@given(json_values)
def test_json_output_round_trips(value: Any) -> None:
    assert json.loads(json_dumps(value)) == json.loads(json.dumps(value))


@given(
    st.datetimes(min_value=datetime(1800, 1, 1), max_value=datetime(9999, 12, 31)),
    st.sampled_from(["%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%SZ", "iso"]),
)
def test_a_binding_keeps_every_date_exactly_as_sent(moment: datetime, layout: str) -> None:
    """A date is stored as its parsed moment when Twilio's layout rebuilds it exactly,
    else as sent: either way `raw` gives back the very text the server sent."""
    text = moment.isoformat() if layout == "iso" else moment.strftime(layout)
    raw = {"sid": "BS" + "a" * 32, "date_created": text, "date_updated": text + "Z"}
    assert Binding.from_json(raw).raw == raw
