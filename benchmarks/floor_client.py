"""The measured floor of figure 1: the least time any client takes to read a stream here.

`pages x latency` (the nominal floor) assumes a server that spends no time of its own.
This server (like Twilio) does: each round trip also pays its HTTP handling, its JSON
encoding and the wake-ups of two processes. So the floor is measured with a client that
does next to nothing else: one `http.client` keep-alive connection, Basic auth, and a
`json.loads` of each body only to count the records and read `meta.next_page_url`. No
framework, no retries, no models, no merging. Whatever the project's client takes beyond
this is its own cost; what this takes beyond pages x latency is the server's.

`read_stream` reads one binding type's stream in sequence (the floor of that stream);
`read_streams_together` reads several at once, one thread and connection each (the floor
of a multi-stream load on this server, where the streams share the server's one process).
"""

from __future__ import annotations

import base64
import http.client
import json
import math
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

PAGE_SIZE = 100  # the spec's maximum for v1 bindings, as figure 1's project variants ask


@dataclass(frozen=True)
class Target:
    """Where the bindings of one service are, and the credentials to read them."""

    base_url: str  # http://127.0.0.1:PORT (plain http: the fake on loopback)
    account_sid: str
    auth_token: str
    service: str


@dataclass(frozen=True)
class FloorSample:
    seconds: float
    records: int
    pages: int


def _connection(target: Target) -> http.client.HTTPConnection:
    parts = urlsplit(target.base_url)
    if parts.scheme != "http" or parts.hostname is None:
        raise ValueError(f"the floor client reads plain http only, not {target.base_url!r}")
    return http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=60)


def _headers(target: Target) -> dict[str, str]:
    token = base64.b64encode(f"{target.account_sid}:{target.auth_token}".encode()).decode()
    return {"Authorization": f"Basic {token}", "Accept": "application/json"}


def first_path(target: Target, binding_type: str, page_size: int = PAGE_SIZE) -> str:
    query = urlencode({"PageSize": page_size, "BindingType": binding_type})
    return f"/v1/Services/{target.service}/Bindings?{query}"


def _path_of(url: str) -> str:
    """The path and query of a next_page_url: the connection already names the host."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def _read(
    conn: http.client.HTTPConnection, headers: dict[str, str], path: str, page_limit: int | None
) -> tuple[int, int]:
    """Follow next_page_url from `path` to the end (or `page_limit` pages): (records, pages)."""
    records = pages = 0
    next_path: str | None = path
    while next_path is not None:
        conn.request("GET", next_path, headers=headers)
        response = conn.getresponse()
        body = response.read()  # the whole body, so the connection can be reused
        if response.status != 200:
            raise RuntimeError(f"GET {next_path}: HTTP {response.status}: {body[:200]!r}")
        page = json.loads(body)
        records += len(page["bindings"])
        pages += 1
        if page_limit is not None and pages >= page_limit:
            break
        url = page["meta"].get("next_page_url")
        next_path = _path_of(url) if url else None
    return records, pages


def read_stream(target: Target, binding_type: str, *, page_limit: int | None = None) -> FloorSample:
    """One type's stream in sequence, timed from the first request (connection included,
    as the project's variants are) to the last page read."""
    conn = _connection(target)
    headers = _headers(target)
    try:
        began = time.perf_counter()
        records, pages = _read(conn, headers, first_path(target, binding_type), page_limit)
        seconds = time.perf_counter() - began
    finally:
        conn.close()
    return FloorSample(seconds, records, pages)


def read_streams_together(
    target: Target, limits: dict[str, int | None]
) -> tuple[FloorSample, dict[str, FloorSample]]:
    """Each type in `limits` read at once (a thread and a connection each); the wall time
    until the last ends, with each stream's own sample. A limit caps that type's pages."""
    samples: dict[str, FloorSample] = {}
    errors: list[BaseException] = []
    start = threading.Barrier(len(limits) + 1)

    def one(binding_type: str, page_limit: int | None) -> None:
        conn = _connection(target)
        headers = _headers(target)
        try:
            start.wait()
            began = time.perf_counter()
            records, pages = _read(conn, headers, first_path(target, binding_type), page_limit)
            samples[binding_type] = FloorSample(time.perf_counter() - began, records, pages)
        except BaseException as exc:  # reported by the caller's thread
            errors.append(exc)
        finally:
            conn.close()

    threads = [
        threading.Thread(target=one, args=(t, limit), name=f"floor-{t}", daemon=True)
        for t, limit in limits.items()
    ]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - began
    if errors:
        raise errors[0]
    total = FloorSample(
        seconds,
        sum(s.records for s in samples.values()),
        sum(s.pages for s in samples.values()),
    )
    return total, samples


def proportional_limits(counts: dict[str, int], slowest_limit: int | None) -> dict[str, int | None]:
    """Page caps that end every stream at the same fraction of its length as the slowest's
    cap: a prefix of a multi-stream load with the same mix of streams as the whole load."""
    if slowest_limit is None:
        return dict.fromkeys(counts)
    slowest_pages = max(math.ceil(c / PAGE_SIZE) for c in counts.values())
    fraction = slowest_limit / slowest_pages
    return {t: max(1, math.ceil(math.ceil(c / PAGE_SIZE) * fraction)) for t, c in counts.items()}
