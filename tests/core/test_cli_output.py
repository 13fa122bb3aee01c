"""CLI output of hostile server data: table and csv inert, csv never a formula, json exact.

A server (the recording network of cli_kit) answers list, show, services and diagnose
with records whose every text field carries terminal escapes (OSC 52 clipboard, OSC 0
title, CSI clear screen, a C1 CSI), bidi overrides, Rich markup and spreadsheet formulas.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from bindings_tui import cli
from bindings_tui.models import Binding, Page, Service
from bindings_tui.output import (
    binding_csv_row,
    binding_detail,
    binding_row,
    binding_writer,
    csv_cell,
    format_time,
    json_dumps,
    service_csv_row,
    service_row,
)
from bindings_tui.raw_records import RawBinding

from .cli_kit import (
    BINDING,
    CREDENTIAL,
    RAW_CONTROL,
    SERVICE,
    Network,
    assert_inert,
    env_credentials,
    install_network,
)

OSC52 = "\x1b]52;c;cm0gLXJmIH4=\x07"
TITLE = "\x1b]0;pwned\x07"
CLEAR = "\x1b[2J"
C1 = "\x9b2J"
BIDI = "\u202egnp.exe"
FORMULAS = ['=HYPERLINK("http://evil.example","x")', "+1", "-2", "@SUM(A1:A9)", "\tx", "\rx"]
HOSTILE = [
    f"bob{OSC52}",
    f"t{TITLE}",
    f"c{CLEAR}",
    f"c1{C1}",
    BIDI,
    "bob[/b] [@click=app.quit]q[/]",
    *FORMULAS,
]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _binding(i: int, text: str) -> dict[str, Any]:
    return {
        "sid": "BS" + f"{i:032x}",
        "account_sid": "AC" + "c" * 32,
        "chat_service_sid": SERVICE,
        "credential_sid": CREDENTIAL,
        "date_created": "2024-01-01T00:00:00Z",
        "date_updated": "2024-02-01T00:00:00Z",
        "endpoint": f"ep-{text}",
        "identity": text,
        "binding_type": "apn",
        "message_types": ["new_message", text],
        "url": f"https://conversations.twilio.com/v1/Services/{SERVICE}/Bindings/BS{i:032x}",
        "links": {},
    }


BINDINGS = [_binding(i, text) for i, text in enumerate(HOSTILE)]
SERVICES = [
    {
        "sid": "IS" + f"{i:032x}",
        "friendly_name": text,
        "date_created": "2024-01-01T00:00:00Z",
        "date_updated": "2024-01-01T00:00:00Z",
        "url": "https://conversations.twilio.com/v1/Services/x",
        "links": {},
    }
    for i, text in enumerate(HOSTILE)
]


def _reply(request: httpx.Request) -> httpx.Response:
    path = request.url.path
    if path == "/v1/Services":
        return httpx.Response(
            200, json={"services": SERVICES, "meta": {"key": "services", "next_page_url": None}}
        )
    if path == f"/v1/Services/{SERVICE}/Bindings":
        return httpx.Response(
            200, json={"bindings": BINDINGS, "meta": {"key": "bindings", "next_page_url": None}}
        )
    if path.startswith(f"/v1/Services/{SERVICE}/Bindings/"):
        return httpx.Response(200, json=BINDINGS[0] | {"extra\x1b[2J": f"v{OSC52}"})
    if path == f"/v1/Credentials/{CREDENTIAL}":
        return httpx.Response(
            200,
            json={"sid": CREDENTIAL, "type": "apn", "sandbox": True, "friendly_name": OSC52},
        )
    # Everything else fails, with an error body as hostile as the data.
    return httpx.Response(
        404,
        json={"code": 20404, "message": f"nope {OSC52} [/b] {TITLE}", "status": 404},
    )


@pytest.fixture
def net(monkeypatch: pytest.MonkeyPatch) -> Network:
    network = install_network(monkeypatch)
    network.reply = _reply
    env_credentials(monkeypatch)
    return network


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def _check_csv(out: str) -> list[list[str]]:
    rows = list(csv.reader(io.StringIO(out)))
    assert len(rows) > 1
    for row in rows:
        for cell in row:
            assert not RAW_CONTROL.search(cell), cell
            assert not cell.startswith(FORMULA_STARTS), f"formula cell {cell!r}"
    return rows


@pytest.mark.parametrize(
    "command",
    [["services"], ["list", "--service", SERVICE], ["show", "--service", SERVICE, BINDING]],
    ids=lambda c: c[0],
)
@pytest.mark.parametrize("fmt", ["table", "csv"])
def test_table_and_csv_are_inert_for_hostile_records(
    command: list[str], fmt: str, net: Network, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run([*command, "-o", fmt], capsys)
    assert code == 0, err
    assert_inert(out)
    assert_inert(err)
    assert "\\x1b]52;c;" in out, "the escape is shown, not dropped"
    if fmt == "csv":
        rows = _check_csv(out)
        if command[0] == "list":
            identities = [row[1] for row in rows[1:]]
            assert identities[HOSTILE.index("+1")] == "'+1"
            assert identities[HOSTILE.index(FORMULAS[0])] == "'" + FORMULAS[0]
            assert identities[HOSTILE.index("\tx")] == "'\\x09x"


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_json_keeps_the_data_exact_and_escapes_every_control(
    fmt: str, net: Network, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(["list", "--service", SERVICE, "-o", fmt], capsys)
    assert code == 0, err
    assert_inert(out)
    records = json.loads(out) if fmt == "json" else [json.loads(x) for x in out.splitlines()]
    assert [r["identity"] for r in records] == HOSTILE
    assert records == BINDINGS


def test_show_json_is_exact(net: Network, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(["show", "--service", SERVICE, BINDING, "-o", "json"], capsys)
    assert code == 0, err
    assert_inert(out)
    assert json.loads(out)["identity"] == HOSTILE[0]
    assert json.loads(out)["extra\x1b[2J"] == f"v{OSC52}"


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_diagnose_output_is_inert(
    fmt: str, net: Network, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(["diagnose", "--service", SERVICE, "-o", fmt], capsys)
    assert code == 0, err
    assert_inert(out)
    assert_inert(err)  # the warning quoting the hostile 404 body is inert too
    assert "push settings could not be read" in err
    assert all(line.startswith("bindings-tui: ") for line in err.splitlines())


def test_a_hostile_error_body_is_one_inert_line(
    net: Network, capsys: pytest.CaptureFixture[str]
) -> None:
    # `show`: a service's list answers 404 with our own words (the service was not found),
    # one binding's 404 quotes the server's message, hostile or not.
    code, out, err = _run(["show", "--service", "IS" + "f" * 32, "BS" + "f" * 32], capsys)
    assert code == 1
    assert_inert(out)
    assert_inert(err)
    assert len(err.splitlines()) == 1 and "20404" in err
    assert "[/b]" in err, "markup is shown as text"


@pytest.mark.parametrize("fmt", ["table", "csv", "json", "jsonl"])
def test_a_sid_carrying_escapes_never_reaches_the_terminal_raw(
    fmt: str, net: Network, capsys: pytest.CaptureFixture[str]
) -> None:
    """Whether the client accepts such a record or refuses it, nothing raw is printed."""
    hostile = [_binding(0, "x") | {"sid": f"BS{OSC52}", "credential_sid": f"CR{TITLE}"}]

    def reply(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, json={"bindings": hostile, "meta": {"key": "bindings", "next_page_url": None}}
        )

    net.reply = reply
    code, out, err = _run(["list", "--service", SERVICE, "-o", fmt], capsys)
    assert_inert(out)
    assert_inert(err)
    if code != 0:
        assert len(err.splitlines()) == 1


# ---- the row functions themselves (any record, not only what a server path produces) -----


def _hostile_binding(text: str) -> Binding:
    # The parse boundary refuses a record whose own sid is not a SID; the output layer
    # still makes a hostile one inert (defence in depth), so it is planted afterwards.
    parsed = Binding.from_json(_binding(1, text) | {"credential_sid": text})
    return dataclasses.replace(parsed, sid=f"BS{text}")


@pytest.mark.parametrize("text", HOSTILE)
def test_every_cell_of_every_row_function_is_inert(text: str) -> None:
    b = _hostile_binding(text)
    s = dataclasses.replace(
        Service.from_json(SERVICES[0] | {"friendly_name": text}), sid=f"IS{text}"
    )
    for cells in (binding_row(b), service_row(s)):
        for cell in cells:
            assert not RAW_CONTROL.search(cell)
            assert len(cell) <= 40
    for cells in (binding_csv_row(b), service_csv_row(s)):
        for cell in cells:
            assert not RAW_CONTROL.search(cell)
            assert not cell.startswith(FORMULA_STARTS)
    detail = binding_detail(b)
    assert not RAW_CONTROL.search(detail.replace("\n", ""))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+2", "'=1+2"),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\\x09x"),
        ("\rx", "'\\x0dx"),
        ("bob", "bob"),
        ("'=x", "'=x"),
        ("", ""),
        (None, ""),
        (7, "7"),
    ],
)
def test_csv_cell_follows_owasp(value: object, expected: str) -> None:
    assert csv_cell(value) == expected
    assert csv_cell(csv_cell(value)) == expected, "idempotent"


def test_dates_without_a_utc_time_do_not_overflow() -> None:
    from datetime import timedelta, timezone

    early = datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=5)))
    assert format_time(early) == "0001-01-01T00:00:00+05:00"
    assert format_time(datetime(2024, 1, 2, 3, 4, tzinfo=UTC)) == "2024-01-02 03:04"


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_records_encoded_ahead_are_written_as_the_same_bytes(fmt: str) -> None:
    """`RecordWriter.prepare` encodes a page before its turn (`streams.in_type_order`):
    the bytes written are those of each record dumped alone (`json_dumps`), every
    terminal-active character escaped, whether a page was prepared or not."""
    raws = [{**raw, "endpoint": "x\ud800\n\x00y\u2028"} for raw in BINDINGS]
    records = [RawBinding.from_json(raw) for raw in raws]
    halves = [records[:4], records[4:]]

    def written(prepare: bool) -> str:
        out = io.StringIO()
        writer = binding_writer(out, fmt)
        for items in halves:
            page = Page(items, 1, len(items), "bindings", None, None)
            writer.write((writer.prepare(page) if prepare else page).items)
        writer.close()
        return out.getvalue()

    if fmt == "jsonl":
        expected = "".join(json_dumps(raw) + "\n" for raw in raws)
    else:
        expected = json_dumps(raws, indent=2) + "\n"
    assert written(prepare=False) == written(prepare=True) == expected
    # A page holding both kinds (never made today, but safe): the same bytes again.
    out = io.StringIO()
    writer = binding_writer(out, fmt)
    first = writer.prepare(Page(halves[0], 1, 4, "bindings", None, None)).items
    writer.write([*first, *halves[1]])
    writer.close()
    assert out.getvalue() == expected
    assert_inert(expected)
