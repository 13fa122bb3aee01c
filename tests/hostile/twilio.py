"""Twilio-shaped data and a configurable Twilio-like scenario for the hostile server.

The scenario answers like Conversations v1 for one service, except where a test swaps
in something hostile (a listing page, the DELETE answers, or one action for everything).
Any GET it does not know is answered with a lure: a valid-looking page of bindings, so a
client that follows a next_page_url somewhere else visibly lists foreign records.
"""

from __future__ import annotations

import functools
import gzip
import re
import struct
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from tests.hostile.servers import Action, HostileServer, Request, Stream, head, json_reply

ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
# Recognisable, so a leak is found by a plain substring search.
TOKEN = "hostileKitT0ken" + "9f3a7c1e5b2d4a68"
SERVICE = "IS" + "a1" * 16
OTHER_SERVICE = "IS" + "b2" * 16
CREDENTIAL = "CR" + "c3" * 16
FOREIGN_SID = "BS" + "f0" * 16  # the lure's record: listed only if a client strayed
# One binding of SERVICE, exactly: anything else under Bindings/ gets the lure.
BINDING_PATH = re.compile(f"/v1/Services/{SERVICE}/Bindings/BS[0-9a-f]{{32}}")
MIB = 1 << 20

JsonObj = dict[str, Any]


def bs(n: int) -> str:
    return f"BS{n:032x}"


def bindings_path(service: str = SERVICE) -> str:
    return f"/v1/Services/{service}/Bindings"


def page_url(base: str, n: int, service: str = SERVICE, page_size: int = 100) -> str:
    """The absolute URL of page n, as Twilio writes it (PageToken opaque: here PT<n>)."""
    params: list[tuple[str, str]] = [("PageSize", str(page_size)), ("Page", str(n))]
    if n:
        params.append(("PageToken", f"PT{n}"))
    return f"{base}{bindings_path(service)}?{urlencode(params)}"


def binding(n: int, base: str = "https://conversations.twilio.com", **fields: Any) -> JsonObj:
    record: JsonObj = {
        "sid": bs(n),
        "account_sid": ACCOUNT_SID,
        "chat_service_sid": SERVICE,
        "credential_sid": CREDENTIAL,
        "date_created": "2024-01-02T03:04:05Z",
        "date_updated": "2024-02-03T04:05:06Z",
        "endpoint": f"endpoint-{n}",
        "identity": f"user-{n}",
        "binding_type": "fcm",
        "message_types": ["new_message"],
        "url": f"{base}{bindings_path()}/{bs(n)}",
    }
    record.update(fields)
    return record


def page(
    base: str,
    records: list[Any],
    *,
    n: int = 0,
    next_url: str | None = None,
    key: str = "bindings",
) -> JsonObj:
    return {
        key: records,
        "meta": {
            "first_page_url": page_url(base, 0),
            "key": key,
            "next_page_url": next_url,
            "page": n,
            "page_size": 100,
            "previous_page_url": None,
            "url": page_url(base, n),
        },
    }


def twilio_error(status: int, code: int, message: str) -> JsonObj:
    return {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }


def not_found(path: str) -> Action:
    return json_reply(404, twilio_error(404, 20404, f"The requested resource {path} was not found"))


def service_json(base: str, sid: str = SERVICE, name: str = "hostile kit") -> JsonObj:
    return {
        "sid": sid,
        "account_sid": ACCOUNT_SID,
        "friendly_name": name,
        "date_created": "2020-01-01T00:00:00Z",
        "date_updated": "2020-01-01T00:00:00Z",
        "url": f"{base}/v1/Services/{sid}",
    }


def notifications_json(base: str) -> JsonObj:
    on = {"enabled": True, "template": None, "sound": None}
    return {
        "account_sid": ACCOUNT_SID,
        "chat_service_sid": SERVICE,
        "new_message": {**on, "badge_count_enabled": False},
        "added_to_conversation": on,
        "removed_from_conversation": on,
        "log_enabled": False,
        "url": f"{base}/v1/Services/{SERVICE}/Configuration/Notifications",
    }


PageSpec = Action | JsonObj | Callable[[Request, HostileServer], Action | JsonObj]


@dataclass
class TwilioLike:
    """Conversations v1 for SERVICE, with hostile parts swapped in.

    pages: the Bindings listing; index 0 answers the first request (no PageToken), index n
        answers PageToken=PT<n>. A dict is sent as a 200 JSON body.
    deletes: one action per DELETE, in order; then `delete_default` (404 by default).
    everything: when set, the answer to every request whatever it is.
    """

    pages: list[PageSpec] = field(default_factory=list)
    service_exists: bool = True
    deletes: list[Action] = field(default_factory=list)
    delete_default: Action | None = None
    binding_get: Action | None = None
    everything: Action | Callable[[Request, HostileServer], Action] | None = None
    lure: bool = True
    service_name: str = "hostile kit"

    def respond(self, request: Request, server: HostileServer) -> Action:
        if self.everything is not None:
            return (
                self.everything(request, server) if callable(self.everything) else self.everything
            )
        path = request.path
        base = server.base_url
        service = f"/v1/Services/{SERVICE}"
        if request.method == "DELETE" and BINDING_PATH.fullmatch(path):
            if self.deletes:
                return self.deletes.pop(0)
            return self.delete_default or not_found(path)
        if request.method != "GET":
            return json_reply(405, twilio_error(405, 20004, "Method not allowed"))
        if path == "/v1/Services":
            records = [service_json(base, name=self.service_name)] if self.service_exists else []
            return json_reply(200, page(base, records, key="services"))
        if path == service:
            if not self.service_exists:
                return not_found(path)
            return json_reply(200, service_json(base, name=self.service_name))
        if path == bindings_path():
            return self._listing(request, server)
        if BINDING_PATH.fullmatch(path):
            return self.binding_get or not_found(path)
        if path == f"{service}/Configuration/Notifications":
            return json_reply(200, notifications_json(base))
        if path.startswith("/v1/Credentials/"):
            return not_found(path)
        if self.lure:
            return json_reply(200, page(base, [binding(0xF0F0, base, sid=FOREIGN_SID)]))
        return not_found(path)

    def _listing(self, request: Request, server: HostileServer) -> Action:
        token = request.query.get("PageToken")
        index = 0
        if token is not None:
            if not token.startswith("PT") or not token[2:].isdigit():
                return json_reply(400, twilio_error(400, 21481, "Invalid PageToken"))
            index = int(token[2:])
        if index == 0 and not self.pages:
            return json_reply(200, page(server.base_url, []))  # no pages given: an empty list
        if index >= len(self.pages):
            return json_reply(400, twilio_error(400, 21481, "Invalid PageToken"))
        spec = self.pages[index]
        if callable(spec) and not isinstance(spec, dict):
            spec = spec(request, server)
        if isinstance(spec, dict):
            return json_reply(200, spec)
        return spec


# ---- bodies that are expensive to decode, built once per session ------------------------


def _deflate_zeros(total: int) -> tuple[bytes, int]:
    """Raw deflate of `total` zero bytes, built from one repeated fully-flushed block (about
    1,000:1), and the CRC-32 of the data. Cheap to build, expensive to decode."""
    block = MIB
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = c.compress(bytes(block)) + c.flush(zlib.Z_FULL_FLUSH)
    again = c.compress(bytes(block)) + c.flush(zlib.Z_FULL_FLUSH)
    body = first + again * (total // block - 1) + c.flush(zlib.Z_FINISH)
    crc = 0
    zeros = bytes(16 * MIB)
    for _ in range(total // len(zeros)):
        crc = zlib.crc32(zeros, crc)
    return body, crc


def _gzip_member(total: int) -> bytes:
    deflated, crc = _deflate_zeros(total)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    return header + deflated + struct.pack("<II", crc, total & 0xFFFFFFFF)


@functools.cache
def gzip_bomb() -> bytes:
    """About 1 MB that gunzips to 1 GiB of zeros (well past the 64 MiB cap)."""
    return _gzip_member(1 << 30)


@functools.cache
def double_gzip_bomb() -> bytes:
    """`Content-Encoding: gzip, gzip`: a few KB, 4 MB after one gunzip, 4 GiB after two."""
    return gzip.compress(_gzip_member(4 << 30), 9)


def encoded_reply(body: bytes, encoding: str) -> Action:
    # A Stream closes the connection after the body: say so, or a client that reuses it for
    # its next request races the close and reads a reset (seen under load).
    headers = [
        ("Content-Type", "application/json"),
        ("Content-Encoding", encoding),
        ("Connection", "close"),
    ]
    chunk = 64 * 1024

    def chunks() -> Iterator[bytes]:
        for i in range(0, len(body), chunk):
            yield body[i : i + chunk]

    return Stream(head(200, headers, len(body)), chunks)


def oversized_page(total: int = 80 * MIB) -> Action:
    """A JSON page larger than the 64 MiB cap, produced as it is sent."""
    start = b'{"meta": {"key": "bindings", "next_page_url": null}, "bindings": ['
    end = b"]}"
    pad = total - len(start) - len(end)

    def chunks() -> Iterator[bytes]:
        yield start
        left = pad
        for _ in range(pad // MIB + 1):
            if left <= 0:
                break
            size = min(MIB, left)
            left -= size
            yield b" " * size
        yield end

    headers = [("Content-Type", "application/json"), ("Connection", "close")]
    return Stream(head(200, headers, total), chunks)
