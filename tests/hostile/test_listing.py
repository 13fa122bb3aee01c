"""`bindings-tui list` (and show, services, diagnose) against hostile listing servers.

Scenario numbers follow the kit's brief (issue 12). Besides its own point, every run is
checked by `runner.check_always`: it ended, no traceback, no token, no raw control byte.
"""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from tests.hostile.conftest import Cli
from tests.hostile.runner import assert_failed, assert_rss_bounded
from tests.hostile.scenarios import (
    BAD_NEXT_CASES,
    FIELDS,
    FORMULA_START,
    HOSTILE_TEXT,
    bad_next_urls,
    dated_records,
    drip,
    hostile_error,
    hostile_records,
    nested_error,
    nested_page,
    next_page_to,
    plain_page,
    tiny_page,
)
from tests.hostile.servers import HostileServer, Reply, json_reply
from tests.hostile.twilio import (
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
)

# `--server-order`: one stream, so a scenario's requests can be counted page by page. The
# default (one stream per binding type) goes through the same client boundary; the last
# test of section 8 attacks it too.
LIST = ("list", "--service", SERVICE, "--retries", "0", "--timeout", "2", "--server-order")
SPLIT_LIST = LIST[:-1]


def jsonl_sids(out: str) -> list[str]:
    return [json.loads(line)["sid"] for line in out.splitlines() if line.strip()]


def only_first_page_was_requested(hostile: HostileServer) -> None:
    paths = [r.path for r in hostile.requests]
    assert paths == [bindings_path()], f"requests beyond the first page: {paths}"


# ---- 1. time: a server that drips forever --------------------------------------------------


@pytest.mark.parametrize("what", ["body", "headers"])
def test_dripping_server_meets_a_total_deadline(
    hostile: HostileServer, cli: Cli, what: str
) -> None:
    hostile.serve(TwilioLike(pages=[drip(hostile.base_url, what=what)]))
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
    body = json.dumps(plain_page(hostile.base_url)).encode()
    hostile.serve(TwilioLike(pages=[encoded_reply(body, "x-evil")]))
    result = cli(*LIST, "-o", "jsonl")
    assert_failed(result)
    assert re.search(r"encoding|x-evil", result.err, re.I), result.err
    assert result.out == ""


# ---- 5. JSON nested 100,000 deep -------------------------------------------------------------


@pytest.mark.parametrize("where", ["page", "error-body"])
def test_deeply_nested_json_is_one_line(hostile: HostileServer, cli: Cli, where: str) -> None:
    reply = nested_page() if where == "page" else nested_error()
    hostile.serve(TwilioLike(pages=[reply]))
    result = cli(*LIST, "-o", "jsonl")
    assert_failed(result)


# ---- 7. dates out of range -------------------------------------------------------------------


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


@pytest.mark.parametrize("case", BAD_NEXT_CASES)
def test_next_page_url_off_the_resource_is_refused(
    hostile: HostileServer, cli: Cli, case: str
) -> None:
    hostile.serve(next_page_to(hostile, bad_next_urls(hostile.base_url, hostile.port)[case]))
    result = cli(*LIST, "-o", "jsonl")
    assert_failed(result)
    assert "next_page_url" in result.err
    # What was loaded is kept: page 1's records were written before the error.
    assert jsonl_sids(result.out) == [binding(i)["sid"] for i in (1, 2, 3)]
    only_first_page_was_requested(hostile)


@pytest.mark.parametrize("case", ["other-service", "services", "scheme-relative", "nul-raw"])
def test_next_page_url_off_the_resource_is_refused_on_every_type_stream(
    hostile: HostileServer, cli: Cli, case: str
) -> None:
    hostile.serve(next_page_to(hostile, bad_next_urls(hostile.base_url, hostile.port)[case]))
    result = cli(*SPLIT_LIST, "-o", "jsonl")
    assert_failed(result)
    assert "next_page_url" in result.err
    # Each type's stream asked for its first page only; none followed the hostile URL.
    assert {r.path for r in hostile.requests} == {bindings_path()}


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


@pytest.mark.parametrize("output", ["table", "csv", "json", "jsonl"])
def test_hostile_text_is_inert_and_json_exact(
    hostile: HostileServer, cli: Cli, output: str
) -> None:
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
    hostile.serve(TwilioLike(pages=[hostile_error()]))
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
