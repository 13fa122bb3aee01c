"""SIDs, text safety, models and output formatting."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from bindings_tui.errors import InputError, ResponseFormatError
from bindings_tui.models import ApiFlavor, Binding, Credential, Service
from bindings_tui.output import (
    binding_detail,
    binding_writer,
    json_dumps,
    short_message_types,
)
from bindings_tui.sids import is_sid, shorten_sid, validate_sid
from bindings_tui.textsafe import clip, make_visible

HOSTILE = "bob[/b] \x1b]52;c;ZXZpbA==\x07 \x1b]0;pwned\x07 \x1b[2J \u202egnp.exe \u200bzw"


def raw_binding(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "sid": "BS" + "1" * 32,
        "account_sid": "AC" + "2" * 32,
        "chat_service_sid": "IS" + "3" * 32,
        "credential_sid": "CR" + "4" * 32,
        "date_created": "2016-10-21T11:37:03Z",
        "date_updated": "2016-10-22T11:37:03Z",
        "endpoint": "abc123",
        "identity": "alice",
        "binding_type": "apn",
        "message_types": ["new_message", "added_to_conversation"],
        "url": "https://conversations.twilio.com/v1/Services/IS/Bindings/BS",
    }
    base.update(overrides)
    return base


def test_sid_validation() -> None:
    good = "IS" + "aB" * 16
    assert validate_sid("IS", f"  {good} ") == good
    assert is_sid("BS", "BS" + "0" * 32)
    for bad in ("", "IS123", "BS" + "0" * 32, "IS" + "g" * 32, "IS" + "0" * 33):
        with pytest.raises(InputError, match="not a valid service SID"):
            validate_sid("IS", bad)
    assert shorten_sid("AC" + "abcdef" + "0" * 22 + "1234") == "ACabcdef…1234"
    # `$` alone would accept a trailing newline; the login screen checks with is_sid unstripped.
    assert not is_sid("IS", good + "\n")
    assert not is_sid("AC", "AC" + "0" * 32 + "\n")


def test_make_visible_neutralises_terminal_control() -> None:
    shown = make_visible(HOSTILE)
    assert "\x1b" not in shown and "\x07" not in shown
    assert "\u202e" not in shown and "\u200b" not in shown
    assert "\\x1b]52;c;" in shown and "\\u202e" in shown
    assert "bob[/b]" in shown  # markup is not terminal control: kept literally
    assert make_visible("日本語 ✓ émoji 🎉") == "日本語 ✓ émoji 🎉"


def test_clip() -> None:
    assert clip("abcdefghij", 5) == "ab…ij"
    assert clip("abc", 5) == "abc"
    assert len(clip("x" * 300, 32)) == 32


def test_binding_tolerates_nulls_and_unknown_types() -> None:
    raw = raw_binding(
        identity=None,
        endpoint=None,
        binding_type="huawei",
        message_types=None,
        date_updated="not a date",
        credential_sid=None,
    )
    b = Binding.from_json(raw)
    assert b.binding_type == "huawei"
    assert b.identity is None and b.endpoint is None
    assert b.message_types == ()
    assert b.date_updated is None
    assert b.date_created is not None and b.date_created.year == 2016
    assert b.raw == raw and b.raw is not raw  # rebuilt from the compact form, equal
    assert b.service_sid == "IS" + "3" * 32


def test_chat_binding_reads_service_sid() -> None:
    raw = raw_binding()
    del raw["chat_service_sid"]
    raw["service_sid"] = "IS" + "9" * 32
    raw["links"] = {"user": "https://chat.twilio.com/v2/Services/IS/Users/alice"}
    assert Binding.from_json(raw).service_sid == "IS" + "9" * 32


@pytest.mark.parametrize(
    "bad",
    [
        None,
        [],
        "x",
        {"identity": "no sid"},
        {"sid": 5},
        {"sid": "BS1"},
        {"sid": "BS" + "0" * 32 + "\n"},
        {"sid": "IS" + "0" * 32},
        {"sid": "BS\x1b]52;c;cm0gLXJmIH4=\x07" + "0" * 20},
    ],
)
def test_binding_rejects_records_without_sid(bad: Any) -> None:
    with pytest.raises(ResponseFormatError):
        Binding.from_json(bad)


CR_OK = "CR" + "1" * 32


def test_credential_sandbox_string() -> None:
    assert Credential.from_json({"sid": CR_OK, "sandbox": "true"}).sandbox is True
    assert Credential.from_json({"sid": CR_OK, "sandbox": "false"}).sandbox is False
    assert Credential.from_json({"sid": CR_OK, "sandbox": None}).sandbox is None


def test_api_flavor_parse() -> None:
    assert ApiFlavor.parse("chat") is ApiFlavor.CHAT
    assert ApiFlavor.parse("v1") is ApiFlavor.CONVERSATIONS
    with pytest.raises(InputError):
        ApiFlavor.parse("sms")


def test_table_output_is_inert_for_hostile_data() -> None:
    b = Binding.from_json(raw_binding(identity=HOSTILE, endpoint=HOSTILE))
    out = io.StringIO()
    writer = binding_writer(out, "table")
    writer.write([b])
    writer.close()
    text = out.getvalue()
    assert "\x1b" not in text and "\u202e" not in text and "\x07" not in text
    assert text.splitlines()[0].startswith("SID")
    assert "msg,add" in text
    detail = binding_detail(b)
    assert "\x1b" not in detail and "\\x1b" in detail


def test_show_detail_makes_unknown_key_names_inert() -> None:
    # `show` prints every extra key of the server's JSON: the key name is server data too.
    b = Binding.from_json(raw_binding(**{"x\x1b]0;pwned\x07\u202e": "v", "fine_key": "w"}))
    detail = binding_detail(b)
    assert "\x1b" not in detail and "\x07" not in detail and "\u202e" not in detail
    assert "x\\x1b]0;pwned\\x07\\u202e" in detail
    assert "fine_key" in detail


def test_json_output_escapes_by_json_rules_and_round_trips() -> None:
    raw = raw_binding(identity=HOSTILE + " \x9b C1 日本")
    text = json_dumps([raw], indent=2)
    for ch in ("\x1b", "\x07", "\u202e", "\u200b", "\x9b"):
        assert ch not in text
    assert "日本" in text  # readable non-ASCII stays
    assert json.loads(text) == [raw]


def test_csv_and_jsonl_outputs() -> None:
    bindings = [Binding.from_json(raw_binding(sid="BS" + f"{n:032x}")) for n in range(3)]
    out = io.StringIO()
    writer = binding_writer(out, "jsonl")
    writer.write(bindings)
    writer.close()
    lines = out.getvalue().splitlines()
    assert [json.loads(line)["sid"] for line in lines] == [b.sid for b in bindings]
    out = io.StringIO()
    writer = binding_writer(out, "csv")
    writer.write(bindings[:1])
    writer.write(bindings[1:])
    writer.close()
    rows = out.getvalue().splitlines()
    # The API's JSON field names (issue 17), each a key of the binding's own JSON.
    assert rows[0] == "sid,identity,binding_type,endpoint,message_types,credential_sid,date_updated"
    assert set(rows[0].split(",")) <= set(bindings[0].raw)
    assert len(rows) == 4  # one header, however many pages
    assert rows[1].endswith(
        ",abc123,new_message added_to_conversation," + "CR" + "4" * 32 + ",2016-10-22T11:37:03Z"
    )


def test_short_message_types() -> None:
    assert short_message_types(["new_message", "removed_from_conversation", "x"]) == "msg,rm,x"
    assert short_message_types([]) == "-"


def test_service_model() -> None:
    s = Service.from_json(
        {"sid": "IS" + "1" * 32, "friendly_name": None, "date_created": "2020-01-01T00:00:00Z"}
    )
    assert s.friendly_name is None and s.date_created is not None
