"""Requests the fake receives, responses it sends, and Twilio's error bodies (legacy shape)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

JSON_TYPE = "application/json; charset=utf-8"


@dataclass(frozen=True, slots=True)
class Request:
    """What the fake needs from an ASGI scope."""

    method: str
    path: str
    query: list[tuple[str, str]]
    query_string: str
    scheme: str
    host: str  # the Host header (or the server address), e.g. `127.0.0.1:4010`
    authorization: str | None
    # The path as sent (percent-escapes kept): a User path carries an identity that may
    # hold an escaped "/".
    raw_path: str = ""

    @property
    def base(self) -> str:
        """`scheme://host`: every URL in a body is built on it."""
        return f"{self.scheme}://{self.host}"

    @property
    def port(self) -> int:
        _, _, port = self.host.rpartition(":")
        if port.isdigit() and "]" not in port:
            return int(port)
        return 443 if self.scheme == "https" else 80

    @property
    def target(self) -> str:
        return f"{self.path}?{self.query_string}" if self.query_string else self.path


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """One request as the fake saw it (`FakeTwilio.requests`)."""

    method: str
    path: str
    query: list[tuple[str, str]]
    had_auth: bool
    host: str


@dataclass
class Response:
    """A complete response. `payload` (JSON) is kept so faults can rewrite it."""

    status: int
    payload: Any = None
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes | None = None  # raw body; wins over payload
    content_type: str = JSON_TYPE
    claimed_length: int | None = None  # a Content-Length that differs from the body (faults)

    def encoded(self) -> bytes:
        if self.body is not None:
            return self.body
        if self.payload is None:
            return b""
        return json.dumps(self.payload, ensure_ascii=False, separators=(",", ":")).encode()

    def header_list(self, body: bytes) -> list[tuple[bytes, bytes]]:
        headers = [(k.lower(), v) for k, v in self.headers]
        if self.status != 204:
            headers.append(("content-type", self.content_type))
            length = len(body) if self.claimed_length is None else self.claimed_length
            headers.append(("content-length", str(length)))
        headers.append(("twilio-request-id", "RQ" + "0" * 32))
        return [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers]


def error(status: int, code: int, message: str, **extra: Any) -> Response:
    payload: dict[str, Any] = {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }
    payload.update(extra)
    return Response(status, payload)


def unauthorized() -> Response:
    response = error(401, 20003, "Authenticate", detail="")
    response.headers.append(("WWW-Authenticate", 'Basic realm="Twilio API"'))
    return response


def not_found(path: str) -> Response:
    return error(404, 20404, f"The requested resource {path} was not found")


def invalid_parameter(message: str) -> Response:
    return error(400, 20001, message)


def invalid_page_token() -> Response:
    return error(400, 21481, "Invalid PageToken")


def too_many_requests(retry_after: str | None = None) -> Response:
    response = error(429, 20429, "Too Many Requests")
    if retry_after is not None:
        response.headers.append(("Retry-After", retry_after))
    return response


def server_error(status: int = 500) -> Response:
    messages = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}
    return error(status, 20500, messages.get(status, "Internal Server Error"))


def method_not_allowed(method: str) -> Response:
    return error(405, 20004, f"Method {method} not allowed")
