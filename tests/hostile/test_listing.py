"""`bindings-tui list` (and show, services, diagnose) against hostile listing servers.

Scenario numbers follow the kit's brief (issue 12). Besides its own point, every run is
checked by `runner.check_always`: it ended, no traceback, no token, no raw control byte.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import re

import pytest

from tests.hostile.conftest import Cli
from tests.hostile.runner import assert_failed, assert_rss_bounded
from tests.hostile.servers import Drip, HostileServer, Reply, head, json_reply
from tests.hostile.twilio import (
    OTHER_SERVICE,
    SERVICE,
    TwilioLike,
    binding,
    bindings_path,
    double_gzip_bomb,
    encoded_reply,
    gzip_bomb,
    oversized_page,
    page,
    page_url,
    twilio_error,
)

LIST = ("list", "--service", SERVICE, "--retries", "0", "--timeout", "2")


def jsonl_sids(out: str) -> list[str]:
    return [json.loads(line)["sid"] for line in out.splitlines() if line.strip()]


def one_page(base: str, count: int = 3, **fields: object) -> dict[str, object]:
    return page(base, [binding(i, base, **fields) for i in range(1, count + 1)])


def only_first_page_was_requested(hostile: HostileServer) -> None:
    paths = [r.path for r in hostile.requests]
    assert paths == [bindings_path()], f"requests beyond the first page: {paths}"


# ---- 1. time: a server that drips forever --------------------------------------------------


@pytest.mark.parametrize("what", ["body", "headers"])
def test_dripping_server_meets_a_total_deadline(hostile: HostileServer, cli: Cli, what: str) -> None:
    body = json.dumps(one_page(hostile.base_url)).encode()
    response_head = head(200, [("Content-Type", "application/json")], len(body))
    if what == "body":
        drip = Drip(response_head, body, interval=1.0)
    else:
        drip = Drip(b"", response_head + body, interval=1.0)
    hostile.serve(TwilioLike(pages=[drip]))
    result = cli(*LIST, "-o", "jsonl")
    assert_failed(result)
    assert re.search(r"time|deadline", result.err, re.I), result.err


# ---- 2-4. content encodings: stacked, bombs, unknown ------------------------------------


def test_stacked_gzip_is_refused_with_bounded_memory(hostile: HostileServer, cli: Cli) -> None:
    hostile.serve(TwilioLike(pages=[encoded_reply(double_gzip_bomb(), "gzip, gzip")]))
    result = cli(*LIST, "-o", "jsonl", measure_rss=True)
    assert_failed(result)
    assert re.search(r"stacked|encoding", result.err, re.I), result.err
    assert_rss_bounded(result)


def test_gzip_bomb_is_capped_while_streaming(hostile: HostileServer, cli: Cli) -> None:
    hostile.serve(TwilioLike(pages=[encoded_reply(gzip_bomb(), "gzip")]))
    result = cli(*LIST, "-o", "jsonl", measure_rss=True)
    assert_failed(result)
    assert re.search(r"MiB|larger|too (big|large)", result.err, re.I), result.err
    assert result.out == ""
    assert_rss_bounded(result)


def test_unknown_content_encoding_is_refused(hostile: HostileServer, cli: Cli) -> None:
    body = json.dumps(one_page(hostile.base_url)).encode()
    hostile.serve(TwilioLike(pages=[encoded_reply(body, "x-evil")]))
    result = cli(*LIST, "-o", "jsonl")
    assert_failed(result)
    assert re.search(r"encoding|x-evil", result.err, re.I), result.err
    assert result.out == ""


# ---- 5. JSON nested 100,000 deep -------------------------------------------------------------

DEEP = b"[" * 100_000 + b"]" * 100_000


@pytest.mark.parametrize("where", ["page", "error-body"])
def test_deeply_nested_json_is_one_line(hostile: HostileServer, cli: Cli, where: str) -> None:
    if where == "page":
        reply = Reply(200, b'{"meta": {"key": "bindings", "next_page_url": null}, "bindings": [' + DEEP + b"]}")
    else:
        reply = Reply(400, b'{"code": 20001, "message": "bad", "status": 400, "detail": ' + DEEP + b"}")
    hostile.serve(TwilioLike(pages=[reply]))
    result = cli(*LIST, "-o", "jsonl")
    assert_failed(result)


# ---- 7. dates out of range -------------------------------------------------------------------

BAD_DATES = ["0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00", "2016-13-45T99:00:00Z"]


def dated_records(base: str) -> list[dict[str, object]]:
    return [
        binding(i, base, date_created=created, date_updated=updated)
        for i, (created, updated) in enumerate(
            [(d, d) for d in BAD_DATES] + [(BAD_DATES[0], BAD_DATES[1])], start=1
        )
    ]


@pytest.mark.parametrize("output", ["table", "csv", "json"])
def test_out_of_range_dates_still_list(hostile: HostileServer, cli: Cli, output: str) -> None:
    b = hostile.base_url
    records = dated_records(b)
    hostile.serve(TwilioLike(pages=[page(b, records)]))
    result = cli(*LIST, "-o", output)
    assert result.code == 0, str(result)
    if output == "json":
        listed = json.loads(result.out)
        assert [r["date_updated"] for r in listed] == [r["date_updated"] for r in records]


def test_out_of_range_dates_still_show(hostile: HostileServer, cli: Cli) -> None:
    b = hostile.base_url
    hostile.serve(TwilioLike(binding_get=json_reply(200, dated_records(b)[0])))
    result = cli("show", "--service", SERVICE, "BS" + "0" * 31 + "1", "--retries", "0")
    assert result.code == 0, str(result)


@pytest.mark.parametrize("output", ["table", "json"])
def test_out_of_range_dates_still_diagnose(hostile: HostileServer, cli: Cli, output: str) -> None:
    b = hostile.base_url
    hostile.serve(TwilioLike(pages=[page(b, dated_records(b))]))
    result = cli("diagnose", "--service", SERVICE, "--retries", "0", "-o", output)
    assert result.code == 0, str(result)


# ---- 8. next_page_url that leaves the resource ---------------------------------------------


def bad_next_urls(base: str, port: int) -> dict[str, str]:
    here = f"{base}{bindings_path()}"
    other = f"{base}{bindings_path(OTHER_SERVICE)}"
    return {
        "nul-encoded": f"{here}%00?PageToken=PT1",
        "nul-raw": f"{here}?PageToken=PT1\x00",
        "over-64KB": f"{here}?PageToken=PT1&Pad={'a' * 70_000}",
        "other-service": f"{other}?PageToken=PT1",
        "services": f"{base}/v1/Services?PageSize=50",
        "credentials": f"{base}/v1/Credentials?PageSize=50",
        "dot-segments": f"{here}/../../{OTHER_SERVICE}/Bindings?PageToken=PT1",
        "encoded-dots": f"{here}/%2e%2e/%2e%2e/{OTHER_SERVICE}/Bindings?PageToken=PT1",
        "encoded-slashes": f"{here}%2F..%2F..%2F{OTHER_SERVICE}%2FBindings?PageToken=PT1",
        "double-slash": f"{base}//v1/Services/{OTHER_SERVICE}/Bindings?PageToken=PT1",
        "scheme-relative": f"//127.0.0.1:{port}/v1/Credentials?PageSize=50",
    }


BAD_NEXT = list(bad_next_urls("http://h", 1))


@pytest.mark.parametrize("case", BAD_NEXT)
def test_next_page_url_off_the_resource_is_refused(
    hostile: HostileServer, cli: Cli, case: str
) -> None:
    b = hostile.base_url
    first = page(b, [binding(i, b) for i in (1, 2, 3)])
    first["meta"]["next_page_url"] = bad_next_urls(b, hostile.port)[case]  # type: ignore[index]
    second = page(b, [binding(i, b) for i in (4, 5)])
    hostile.serve(TwilioLike(pages=[first, second]))
    result = cli(*LIST, "-o", "jsonl")
    assert_failed(result)
    assert "next_page_url" in result.err
    # What was loaded is kept: page 1's records were written before the error.
    assert jsonl_sids(result.out) == [binding(i)["sid"] for i in (1, 2, 3)]
    only_first_page_was_requested(hostile)


def test_same_path_with_another_page_token_is_followed(hostile: HostileServer, cli: Cli) -> None:
    b = hostile.base_url
    first = page(b, [binding(i, b) for i in (1, 2, 3)], next_url=page_url(b, 1))
    second = page(b, [binding(i, b) for i in (4, 5)], n=1)
    hostile.serve(TwilioLike(pages=[first, second]))
    result = cli(*LIST, "-o", "jsonl")
    assert result.code == 0, str(result)
    assert jsonl_sids(result.out) == [binding(i)["sid"] for i in (1, 2, 3, 4, 5)]
    assert [r.path for r in hostile.requests] == [bindings_path()] * 2


# ---- 9. more records than any page size allows ---------------------------------------------


@functools.cache
def tiny_page(count: int) -> bytes:
    records = ",".join(f'{{"sid": "BS{i:032x}"}}' for i in range(count))
    meta = '{"key": "bindings", "next_page_url": null, "page": 0, "page_size": 100}'
    return f'{{"meta": {meta}, "bindings": [{records}]}}'.encode()


@pytest.mark.parametrize("count", [1_001, 200_000])
def test_page_with_too_many_records_is_refused(
    hostile: HostileServer, cli: Cli, count: int
) -> None:
    hostile.serve(TwilioLike(pages=[Reply(200, tiny_page(count))]))
    result = cli(*LIST, "-o", "jsonl", measure_rss=True)
    assert_failed(result)
    assert_rss_bounded(result)


# ---- 10-11. other hosts -------------------------------------------------------------------


def test_next_page_url_on_another_host_stays_on_the_configured_host(
    hostile: HostileServer, cli: Cli
) -> None:
    b = hostile.base_url
    foreign_next = page_url(hostile.foreign.base_url, 1)
    first = page(b, [binding(i, b) for i in (1, 2)], next_url=foreign_next)
    second = page(b, [binding(3, b)], n=1)
    hostile.serve(TwilioLike(pages=[first, second]))
    result = cli(*LIST, "-o", "jsonl")
    assert result.code == 0, str(result)
    assert jsonl_sids(result.out) == [binding(i)["sid"] for i in (1, 2, 3)]
    assert hostile.foreign.received == b"", "bytes went to 127.0.0.2"
    assert [r.path for r in hostile.requests] == [bindings_path()] * 2
    assert all(r.has_auth for r in hostile.requests)


def test_redirect_to_another_host_is_not_followed(hostile: HostileServer, cli: Cli) -> None:
    location = f"{hostile.foreign.base_url}{bindings_path()}"
    hostile.serve(TwilioLike(pages=[Reply(302, b"", [("Location", location)])]))
    result = cli(*LIST, "-o", "jsonl")
    assert_failed(result)
    assert "redirect" in result.err
    assert hostile.foreign.received == b""


# ---- 12-13. hostile text -------------------------------------------------------------------

HOSTILE_TEXT = {
    "osc52": "\x1b]52;c;cm0gLXJmIH4=\x07",
    "osc0-title": "\x1b]0;pwned\x07",
    "clear": "\x1b[2J",
    "c1-csi": "\x9b31mred",
    "bidi": "abc\u202edcba",
    "markup": "bob[/b]",
    "click": "[@click=app.quit]q[/]",
    "hyperlink": '=HYPERLINK("http://x","y")',
    "plus": "+1",
    "at": "@SUM(A1)",
    "minus": "-2+3",
    "tab": "\t=1",
    "cr": "\r=1",
}
FIELDS = ("identity", "endpoint", "credential_sid", "account_sid")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def hostile_records(base: str) -> list[dict[str, object]]:
    return [
        binding(i, base, **{f: text for f in FIELDS})
        for i, text in enumerate(HOSTILE_TEXT.values(), start=1)
    ]


@pytest.mark.parametrize("output", ["table", "csv", "json", "jsonl"])
def test_hostile_text_is_inert_and_json_exact(hostile: HostileServer, cli: Cli, output: str) -> None:
    b = hostile.base_url
    records = hostile_records(b)
    hostile.serve(TwilioLike(pages=[page(b, records)]))
    result = cli(*LIST, "-o", output)  # raw control characters: checked by the runner
    assert result.code == 0, str(result)
    if output == "table":
        assert "bob[/b]" in result.out and "[@click=app.quit]q[/]" in result.out
    elif output == "csv":
        rows = list(csv.reader(io.StringIO(result.out)))
        assert len(rows) == 1 + len(records)
        cells = [cell for row in rows for cell in row]
        runnable = [c for c in cells if c.startswith(FORMULA_START)]
        assert not runnable, f"cells a spreadsheet would run: {runnable}"
        identities = [row[1] for row in rows[1:]]
        for text in ('=HYPERLINK("http://x","y")', "+1", "@SUM(A1)", "-2+3"):
            assert "'" + text in identities, (text, identities)
    else:
        listed = (
            json.loads(result.out)
            if output == "json"
            else [json.loads(line) for line in result.out.splitlines()]
        )
        for got, sent in zip(listed, records, strict=True):
            assert {f: got[f] for f in FIELDS} == {f: sent[f] for f in FIELDS}


def test_hostile_text_in_show_services_and_diagnose_is_inert(
    hostile: HostileServer, cli: Cli
) -> None:
    b = hostile.base_url
    records = hostile_records(b)
    hostile.serve(
        TwilioLike(
            pages=[page(b, records)],
            binding_get=json_reply(200, records[0]),
            service_name="".join(HOSTILE_TEXT.values()),
        )
    )
    for args in (
        ("show", "--service", SERVICE, str(records[0]["sid"])),
        ("services",),
        ("services", "-o", "csv"),
        ("diagnose", "--service", SERVICE),
    ):
        result = cli(*args, "--retries", "0")  # inert: checked by the runner
        assert result.code == 0, str(result)


def test_hostile_text_in_an_error_body_is_inert(hostile: HostileServer, cli: Cli) -> None:
    message = " ".join(HOSTILE_TEXT.values())
    error = twilio_error(400, 20001, message)
    error["more_info"] = "https://x/" + HOSTILE_TEXT["osc52"]
    hostile.serve(TwilioLike(pages=[json_reply(400, error)]))
    result = cli(*LIST, "-o", "table")  # inert stderr: checked by the runner
    assert_failed(result)
    assert "20001" in result.err


@pytest.mark.parametrize("output", ["jsonl", "table"])
def test_malformed_record_sid_is_refused(hostile: HostileServer, cli: Cli, output: str) -> None:
    b = hostile.base_url
    bad = binding(1, b, sid="BS" + HOSTILE_TEXT["osc52"] + HOSTILE_TEXT["c1-csi"])
    hostile.serve(TwilioLike(pages=[page(b, [bad])]))
    result = cli(*LIST, "-o", output)
    assert_failed(result)
    assert "sid" in result.err


# ---- 14. a page over 64 MiB -----------------------------------------------------------------


def test_page_over_64_mib_is_refused(hostile: HostileServer, cli: Cli) -> None:
    hostile.serve(TwilioLike(pages=[oversized_page()]))
    result = cli(*LIST, "-o", "jsonl", measure_rss=True)
    assert_failed(result)
    assert re.search(r"MiB|larger", result.err), result.err
    assert_rss_bounded(result)
