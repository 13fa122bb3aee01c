"""Hostile listing data, one builder per class, shared by the CLI tests and the TUI smoke.

`LISTING` maps a scenario name to a function of the running server that returns the
scenario; every entry is something a fixed client must survive with one clear line.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable

from tests.hostile.servers import Drip, HostileServer, Reply, head, json_reply
from tests.hostile.twilio import (
    OTHER_SERVICE,
    TwilioLike,
    binding,
    bindings_path,
    encoded_reply,
    gzip_bomb,
    oversized_page,
    page,
    page_url,
    twilio_error,
)

DEEP = b"[" * 100_000 + b"]" * 100_000

BAD_DATES = ["0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00", "2016-13-45T99:00:00Z"]


def dated_records(base: str) -> list[dict[str, object]]:
    return [
        binding(i, base, date_created=created, date_updated=updated)
        for i, (created, updated) in enumerate(
            [(d, d) for d in BAD_DATES] + [(BAD_DATES[0], BAD_DATES[1])], start=1
        )
    ]


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


BAD_NEXT_CASES = list(bad_next_urls("http://h", 1))


@functools.cache
def tiny_page(count: int) -> bytes:
    records = ",".join(f'{{"sid": "BS{i:032x}"}}' for i in range(count))
    meta = '{"key": "bindings", "next_page_url": null, "page": 0, "page_size": 100}'
    return f'{{"meta": {meta}, "bindings": [{records}]}}'.encode()


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


def nested_page() -> Reply:
    meta = b'{"key": "bindings", "next_page_url": null}'
    return Reply(200, b'{"meta": ' + meta + b', "bindings": [' + DEEP + b"]}")


def nested_error() -> Reply:
    return Reply(400, b'{"code": 20001, "message": "bad", "status": 400, "detail": ' + DEEP + b"}")


def plain_page(base: str, ids: tuple[int, ...] = (1, 2, 3), **fields: object) -> dict[str, object]:
    return page(base, [binding(i, base, **fields) for i in ids])


def drip(base: str, *, what: str) -> Drip:
    body = json.dumps(plain_page(base)).encode()
    response_head = head(200, [("Content-Type", "application/json")], len(body))
    if what == "body":
        return Drip(response_head, body, interval=1.0)
    return Drip(b"", response_head + body, interval=1.0)


def next_page_to(server: HostileServer, url: str) -> TwilioLike:
    b = server.base_url
    first = plain_page(b)
    first["meta"]["next_page_url"] = url  # type: ignore[index]
    return TwilioLike(pages=[first, plain_page(b, (4, 5))])


def hostile_error() -> Reply:
    error = twilio_error(400, 20001, " ".join(HOSTILE_TEXT.values()))
    error["more_info"] = "https://x/" + HOSTILE_TEXT["osc52"]
    return json_reply(400, error)


Builder = Callable[[HostileServer], TwilioLike]

# The TUI smoke loads each of these; the CLI tests cover the same classes one by one.
# Not here: the stacked-gzip bomb (a broken client would decode 4 GiB inside the test
# process; the CLI test runs it in a memory-limited child instead).
LISTING: dict[str, Builder] = {
    "drip-body": lambda s: TwilioLike(pages=[drip(s.base_url, what="body")]),
    "drip-headers": lambda s: TwilioLike(pages=[drip(s.base_url, what="headers")]),
    "gzip-bomb": lambda s: TwilioLike(pages=[encoded_reply(gzip_bomb(), "gzip")]),
    "unknown-encoding": lambda s: TwilioLike(
        pages=[encoded_reply(json.dumps(plain_page(s.base_url)).encode(), "x-evil")]
    ),
    "nested-page": lambda s: TwilioLike(pages=[nested_page()]),
    "nested-error": lambda s: TwilioLike(pages=[nested_error()]),
    "bad-dates": lambda s: TwilioLike(pages=[page(s.base_url, dated_records(s.base_url))]),
    "next-other-service": lambda s: next_page_to(s, page_url(s.base_url, 1, service=OTHER_SERVICE)),
    "next-nul": lambda s: next_page_to(s, bad_next_urls(s.base_url, s.port)["nul-raw"]),
    "next-over-64KB": lambda s: next_page_to(s, bad_next_urls(s.base_url, s.port)["over-64KB"]),
    "next-dot-segments": lambda s: next_page_to(
        s, bad_next_urls(s.base_url, s.port)["dot-segments"]
    ),
    "next-foreign-host": lambda s: next_page_to(s, page_url(s.foreign.base_url, 1)),
    "too-many-records": lambda s: TwilioLike(pages=[Reply(200, tiny_page(1_001))]),
    "redirect": lambda s: TwilioLike(
        pages=[Reply(302, b"", [("Location", s.foreign.base_url + bindings_path())])]
    ),
    "hostile-text": lambda s: TwilioLike(pages=[page(s.base_url, hostile_records(s.base_url))]),
    "hostile-error": lambda s: TwilioLike(pages=[hostile_error()]),
    "malformed-sid": lambda s: TwilioLike(
        pages=[plain_page(s.base_url, (1,), sid="BS" + HOSTILE_TEXT["osc52"])]
    ),
    "oversized": lambda s: TwilioLike(pages=[oversized_page()]),
}
