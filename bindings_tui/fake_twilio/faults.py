"""Fault injection: random faults from a `--faults` spec, and scripted faults for tests.

Random faults (`FakeConfig.faults`, the CLI's `--faults`) apply to GET requests, drawn
from their own `random.Random(seed)` so a seed replays the same faults in the same
request order. Scripted faults (`fake.faults.script(...)`) are queued and win over
random ones: the first queued fault whose filters match the request fires, `times`
times. Both end up as one `Fault(kind, options)` that the app applies to a request.

See `FAULTS_HELP` for the kinds and the spec grammar.
"""

from __future__ import annotations

import json
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final
from urllib.parse import urlsplit

import httpx

from bindings_tui.demo import DEMO_SEED
from bindings_tui.fake_twilio import http_types as h
from bindings_tui.fake_twilio.http_types import Request, Response

FAULT_KINDS: Final[Mapping[str, str]] = {
    "429": "429 Too Many Requests (code 20429), no Retry-After header",
    "429-retry-after": "429 Too Many Requests with `Retry-After: 1` (option retry_after)",
    "500": "500 Internal Server Error, Twilio JSON body",
    "502": "502 Bad Gateway, Twilio JSON body",
    "503": "503 Service Unavailable, Twilio JSON body",
    "504": "504 Gateway Timeout, Twilio JSON body",
    "401": "401 Authenticate (code 20003), whatever the credentials",
    "21481": "400 Invalid PageToken (code 21481)",
    "drop": "send the headers and part of the body, then abort the connection",
    "truncate": "a well-formed response whose JSON is cut short (option keep=0.5; "
    "lie_length=True claims the full Content-Length)",
    "slow": "wait `slow_seconds` (option seconds) before answering normally",
    "next-page-same": "next_page_url repeats the URL of the page just served",
    "next-page-foreign-host": "next_page_url names the real next page on another host "
    "(option host, default http://127.0.0.2:<same port>)",
    "redirect": "302 to the same path on another host (option location)",
    "html-error": "500 with a text/html page instead of JSON",
    "empty-body": "200 with an empty body",
    "oversized": "200 with a huge, valid JSON body (option size_mb=80)",
    "missing-meta-key": "list responses lose meta.key",
    "wrong-types": "records with fields of the wrong JSON type (option break_sid=True "
    "also makes sid a number)",
}

FAULTS_HELP: Final = (
    "Fault spec: comma-separated KIND:PROBABILITY pairs, e.g.\n"
    '  --faults "429:0.1,429-retry-after:0.05,500:0.05,503:0.05,drop:0.02,'
    'truncate:0.02,slow:0.01"\n'
    "Each GET draws at most one fault (probabilities add up to at most 1), from a\n"
    "random generator seeded with --seed, so a run replays. Kinds:\n"
    + "\n".join(f"  {kind:<24}{text}" for kind, text in FAULT_KINDS.items())
)

HTML_ERROR_PAGE: Final = (
    b"<!DOCTYPE html><html><head><title>500 Internal Server Error</title></head>"
    b"<body><h1>Internal Server Error</h1><p>The server encountered an error.</p></body></html>"
)


class ConnectionDropped(httpx.ReadError):
    """Raised by the app after a partial body.

    Under uvicorn this closes the socket mid-body; through `httpx.ASGITransport` it
    propagates as what it is, an `httpx.TransportError`.
    """


@dataclass(frozen=True, slots=True)
class Fault:
    kind: str
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class _Scripted:
    fault: Fault
    path_contains: str | None
    method: str | None
    remaining: int

    def matches(self, method: str, target: str) -> bool:
        if self.method is not None and self.method.upper() != method:
            return False
        return self.path_contains is None or self.path_contains in target


def parse_fault_spec(spec: str) -> list[tuple[str, float]]:
    """`"429:0.1,drop:0.02"` -> [("429", 0.1), ("drop", 0.02)]; ValueError when malformed."""
    out: list[tuple[str, float]] = []
    for part in spec.split(","):
        part = part.strip()
        if not part:
            continue
        kind, sep, raw = part.rpartition(":")
        if not sep or not kind:
            raise ValueError(f"fault {part!r}: expected KIND:PROBABILITY")
        kind = kind.strip()
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}: use one of {', '.join(FAULT_KINDS)}")
        try:
            probability = float(raw)
        except ValueError:
            raise ValueError(f"fault {part!r}: {raw!r} is not a probability") from None
        if not 0.0 <= probability <= 1.0:
            raise ValueError(f"fault {part!r}: probability must be within 0..1")
        out.append((kind, probability))
    if sum(p for _, p in out) > 1.0 + 1e-9:
        raise ValueError("fault probabilities add up to more than 1")
    return out


class FaultInjector:
    """Decides which fault (if any) a request gets."""

    def __init__(self, spec: str = "", seed: int = DEMO_SEED, slow_seconds: float = 30.0) -> None:
        self.random_faults = parse_fault_spec(spec)
        self.slow_seconds = slow_seconds
        self.random_methods = frozenset({"GET"})
        self._rng = random.Random(seed)
        self._queue: list[_Scripted] = []
        # (kind, method, target) of every fault that fired, for tests and logs.
        self.fired: list[tuple[str, str, str]] = []

    def script(
        self,
        kind: str,
        *,
        path_contains: str | None = None,
        method: str | None = None,
        times: int = 1,
        **options: Any,
    ) -> None:
        """Queue `kind` for the next `times` matching requests.

        `path_contains` is matched against the path and query string as sent (so
        `"PageToken="` picks pages after the first); `method` is an HTTP method.
        """
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}: use one of {', '.join(FAULT_KINDS)}")
        if times < 1:
            raise ValueError("times must be at least 1")
        self._queue.append(_Scripted(Fault(kind, dict(options)), path_contains, method, times))

    def clear(self) -> None:
        self._queue.clear()

    @property
    def pending(self) -> int:
        """How many scripted faults are still queued (counting `times`)."""
        return sum(s.remaining for s in self._queue)

    def pick(self, method: str, target: str) -> Fault | None:
        """The fault for a request (`target` = path and query string), or None."""
        for scripted in self._queue:
            if scripted.matches(method, target):
                scripted.remaining -= 1
                if scripted.remaining == 0:
                    self._queue.remove(scripted)
                return self._fire(scripted.fault, method, target)
        if not self.random_faults or method not in self.random_methods:
            return None
        roll = self._rng.random()
        for kind, probability in self.random_faults:
            if roll < probability:
                return self._fire(Fault(kind), method, target)
            roll -= probability
        return None

    def _fire(self, fault: Fault, method: str, target: str) -> Fault:
        self.fired.append((fault.kind, method, target))
        return fault

    def slow_delay(self, fault: Fault) -> float:
        return float(fault.options.get("seconds", self.slow_seconds))


# ---- what each kind does to a response -------------------------------------------------


# Kinds that replace the response without looking at it.
def replacement(fault: Fault, request: Request) -> Response | None:
    kind, opts = fault.kind, fault.options
    if kind == "429":
        return h.too_many_requests()
    if kind == "429-retry-after":
        return h.too_many_requests(str(opts.get("retry_after", "1")))
    if kind in ("500", "502", "503", "504"):
        return h.server_error(int(kind))
    if kind == "401":
        return h.unauthorized()
    if kind == "21481":
        return h.invalid_page_token()
    if kind == "html-error":
        return Response(500, body=HTML_ERROR_PAGE, content_type="text/html; charset=utf-8")
    if kind == "empty-body":
        return Response(200, body=b"")
    if kind == "redirect":
        location = str(opts.get("location") or foreign_base(request) + request.target)
        return Response(302, body=b"", headers=[("Location", location)], content_type="text/html")
    if kind == "oversized":
        size = int(float(opts.get("size_mb", 80)) * 1024 * 1024)
        return Response(200, body=b'{"bindings":[],"padding":"' + b"x" * size + b'"}')
    return None


def foreign_base(request: Request, options: Mapping[str, Any] | None = None) -> str:
    host = (options or {}).get("host")
    return str(host) if host else f"http://127.0.0.2:{request.port}"


def rewrite(fault: Fault, response: Response, request: Request) -> Response:
    """Kinds that alter a normal JSON response (its payload) before it is sent."""
    payload = response.payload
    if response.status != 200 or not isinstance(payload, dict):
        return response
    kind, opts = fault.kind, fault.options
    meta = payload.get("meta")
    if kind == "next-page-same" and isinstance(meta, dict):
        meta["next_page_url"] = meta.get("url")
    elif kind == "next-page-foreign-host" and isinstance(meta, dict) and meta.get("next_page_url"):
        # The real next page, on another host (the last page keeps its null: no loop).
        parts = urlsplit(str(meta["next_page_url"]))
        target = f"{parts.path}?{parts.query}" if parts.query else parts.path
        meta["next_page_url"] = foreign_base(request, opts) + target
    elif kind == "missing-meta-key" and isinstance(meta, dict):
        meta.pop("key", None)
    elif kind == "wrong-types":
        _break_types(payload, bool(opts.get("break_sid", False)))
    elif kind == "truncate":
        body = response.encoded()
        keep = float(opts.get("keep", 0.5))
        cut = body[: max(1, min(len(body) - 1, int(len(body) * keep)))]
        return Response(
            response.status,
            body=cut,
            headers=response.headers,
            content_type=response.content_type,
            claimed_length=len(body) if opts.get("lie_length") else None,
        )
    return response


def _break_record(record: dict[str, Any], break_sid: bool) -> None:
    record["identity"] = 12345
    record["message_types"] = "new_message"
    record["date_created"] = 1477049823
    record["endpoint"] = {"token": record.get("endpoint")}
    record["binding_type"] = ["apn"]
    if break_sid:
        record["sid"] = 4242


def _break_types(payload: dict[str, Any], break_sid: bool) -> None:
    meta = payload.get("meta")
    if isinstance(meta, dict):
        meta["page"] = str(meta.get("page"))
        meta["page_size"] = json.dumps(meta.get("page_size"))
        key = meta.get("key")
        records = payload.get(key) if isinstance(key, str) else None
        if isinstance(records, list):
            for record in records:
                if isinstance(record, dict):
                    _break_record(record, break_sid)
        return
    _break_record(payload, break_sid)
