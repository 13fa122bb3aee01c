"""The fake Twilio as a plain ASGI app: auth, routing, list/fetch/delete, faults.

Serves, for Conversations v1 (`/v1`) and Chat v2 (`/v2`):

- `GET /vN/Services`, `GET /vN/Services/{IS}`
- `GET /vN/Services/{IS}/Bindings` (BindingType, Identity, PageSize, Page, PageToken)
- `GET|DELETE /vN/Services/{IS}/Bindings/{BS}`
- `GET /vN/Credentials`, `GET /vN/Credentials/{CR}`
- `GET /v1/Services/{IS}/Configuration/Notifications`
- `GET /vN/Services/{IS}/Users/{Identity}` (the identity, or the user's US SID)
- Monitor: `GET /v1/Alerts` (StartDate, EndDate, LogLevel, PageSize, Page, PageToken)
- the fake's own admin routes under `/_fake/` (`admin.ADMIN_HELP`): another client adds
  or touches a binding

Stricter than Twilio on one point: an `Identity` value containing a comma is refused
(400, code 20001) so that a client joining repeated values with commas shows up.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hmac
import re
import time
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import parse_qsl, unquote

import httpx

from bindings_tui.credentials import ApiCredentials
from bindings_tui.credentials.secret import Secret
from bindings_tui.fake_twilio import admin, render
from bindings_tui.fake_twilio import http_types as h
from bindings_tui.fake_twilio.config import FakeConfig
from bindings_tui.fake_twilio.constants import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    MIN_PAGE_SIZE,
    SPEC_MAX_ALERTS_PAGE_SIZE,
    SPEC_MAX_CREDENTIALS_PAGE_SIZE,
    SPEC_MAX_SERVICES_PAGE_SIZE,
)
from bindings_tui.fake_twilio.data import generate
from bindings_tui.fake_twilio.evidence_data import FakeAlert
from bindings_tui.fake_twilio.faults import (
    ConnectionDropped,
    Fault,
    FaultInjector,
    replacement,
    rewrite,
)
from bindings_tui.fake_twilio.http_types import RecordedRequest, Request, Response
from bindings_tui.fake_twilio.records import FakeBinding
from bindings_tui.fake_twilio.store import InvalidPageToken, Store, decode_token, paginate
from bindings_tui.models import ApiFlavor, parse_time

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
T = TypeVar("T")

_CHUNK = 1024 * 1024
_SID = r"[^/]+"
_ROUTES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(rf"^/(?P<v>v[12])/Services/(?P<svc>{_SID})/Bindings/(?P<sid>{_SID})$"), "binding"),
    (re.compile(rf"^/(?P<v>v[12])/Services/(?P<svc>{_SID})/Bindings$"), "bindings"),
    (re.compile(rf"^/(?P<v>v1)/Services/(?P<svc>{_SID})/Configuration/Notifications$"), "notif"),
    (re.compile(rf"^/(?P<v>v[12])/Services/(?P<svc>{_SID})/Users/(?P<user>{_SID})$"), "user"),
    (re.compile(rf"^/(?P<v>v[12])/Services/(?P<svc>{_SID})$"), "service"),
    (re.compile(r"^/(?P<v>v1)/Alerts$"), "alerts"),
    (re.compile(r"^/(?P<v>v[12])/Services$"), "services"),
    (re.compile(rf"^/(?P<v>v[12])/Credentials/(?P<sid>{_SID})$"), "credential"),
    (re.compile(r"^/(?P<v>v[12])/Credentials$"), "credentials"),
]
_METHODS = {"binding": ("GET", "DELETE")}
# Matched on the raw path: the identity is one escaped segment.
_USER_ROUTE = re.compile(rf"^/(?P<v>v[12])/Services/(?P<svc>{_SID})/Users/(?P<user>{_SID})$")


_MAX_ADMIN_BODY = 64 * 1024


async def _read_body(receive: Receive) -> str:
    """A small form body (the admin routes'); more than `_MAX_ADMIN_BODY` is cut off."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message.get("type") != "http.request":
            break
        chunk = bytes(message.get("body", b""))[: max(_MAX_ADMIN_BODY - size, 0)]
        chunks.append(chunk)
        size += len(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks).decode("utf-8", errors="replace")


class _BadRequest(Exception):
    def __init__(self, response: Response) -> None:
        super().__init__(response.status)
        self.response = response


def _now() -> float:
    return asyncio.get_running_loop().time()


async def _until(due: float) -> None:
    """Wait until the loop's clock reads `due` (the request's simulated latency is over)."""
    left = due - _now()
    if left > 0:
        await asyncio.sleep(left)


def _api(version: str) -> ApiFlavor:
    return ApiFlavor.CONVERSATIONS if version == "v1" else ApiFlavor.CHAT


def _parse_request(scope: Scope) -> Request:
    headers: dict[str, str] = {}
    for key, value in scope.get("headers", []):
        headers.setdefault(key.decode("latin-1").lower(), value.decode("latin-1"))
    query_string = scope.get("query_string", b"").decode("latin-1")
    server = scope.get("server") or ("localhost", None)
    host = headers.get("host") or (f"{server[0]}:{server[1]}" if server[1] else str(server[0]))
    return Request(
        method=str(scope["method"]).upper(),
        path=str(scope["path"]),
        query=parse_qsl(query_string, keep_blank_values=True),
        query_string=query_string,
        scheme=str(scope.get("scheme", "http")),
        host=host,
        authorization=headers.get("authorization"),
        raw_path=bytes(scope.get("raw_path") or b"").decode("latin-1"),
    )


def _int_param(request: Request, name: str, default: int, low: int, high: int | None) -> int:
    values = [v for k, v in request.query if k == name]
    if not values:
        return default
    raw = values[-1]
    try:
        value = int(raw)
    except ValueError:
        value = low - 1
    if value < low or (high is not None and value > high):
        bounds = f"{low}..{high}" if high is not None else f"at least {low}"
        raise _BadRequest(h.invalid_parameter(f"Invalid {name} {raw!r}: must be {bounds}"))
    return value


class FakeTwilio:
    """A local Twilio for Bindings: `await fake(scope, receive, send)`.

    State lives in memory (deletes are real); `requests` records every request and
    `faults` scripts misbehaviour.
    """

    def __init__(self, config: FakeConfig | None = None) -> None:
        self.config = config or FakeConfig()
        self.store = Store(generate(self.config.seed, self.config.bindings, self.config.now))
        self.faults = FaultInjector(
            self.config.faults, seed=self.config.seed, slow_seconds=self.config.slow_seconds
        )
        self.requests: list[RecordedRequest] = []
        # "Now" for the admin routes' dates: the seeded data's now (config.now), ticking.
        started = time.monotonic()
        seeded_now = self.config.now
        self.admin_now: Callable[[], float] = lambda: seeded_now + time.monotonic() - started

    # ---- public helpers --------------------------------------------------------------

    def transport(self) -> httpx.ASGITransport:
        return httpx.ASGITransport(app=self)

    def credentials(self) -> ApiCredentials:
        return ApiCredentials(
            self.config.account_sid, Secret(self.config.auth_token), source="demo"
        )

    def service_sids(self) -> list[str]:
        return list(self.store.service_order)

    def binding_sids(self, api: ApiFlavor, service_sid: str) -> set[str]:
        service = self.store.bindings.get(service_sid)
        if service is None:
            return set()
        return {sid for sid, b in service.by_sid.items() if b.binding_type in api.binding_types}

    def bindings(self, service_sid: str) -> list[FakeBinding]:
        """The stored records of a service, in SID order (both APIs' view, twilsock too)."""
        service = self.store.bindings.get(service_sid)
        return [service.by_sid[s] for s in service.sorted_sids] if service else []

    # ---- ASGI ---------------------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        request = _parse_request(scope)
        authorized = self._authorized(request.authorization)
        self.requests.append(
            RecordedRequest(
                request.method,
                request.path,
                list(request.query),
                request.authorization is not None,
                request.host,
            )
        )
        # The simulated latency is a deadline from the request's arrival, not a pause added
        # before the work: a real server's own processing is inside its response time, and
        # concurrent requests are processed in parallel, not queued behind one another's.
        due = _now() + self.config.latency_ms / 1000
        if not authorized:
            await self._send(send, h.unauthorized(), due)
            return
        if request.path.startswith(admin.PREFIX):  # "another client" (fake only)
            form = parse_qsl(await _read_body(receive), keep_blank_values=True)
            params = [*request.query, *form]
            response = admin.handle_admin(
                self.store, request.method, request.path, params, request.base,
                self.config.account_sid, self.admin_now,
            )  # fmt: skip
            await self._send(send, response, due)
            return
        fault = self.faults.pick(request.method, request.target)
        replaced = replacement(fault, request) if fault else None
        if replaced is not None:
            await self._send(send, replaced, due)
            return
        response = self.handle(request)
        if fault is None:
            await self._send(send, response, due)
            return
        if fault.kind == "slow":
            await asyncio.sleep(self.faults.slow_delay(fault))
        if fault.kind == "drop":
            await self._drop(send, response, fault, due)
            return
        await self._send(send, rewrite(fault, response, request), due)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _send(self, send: Send, response: Response, due: float) -> None:
        body = response.encoded()
        await _until(due)
        await send(
            {
                "type": "http.response.start",
                "status": response.status,
                "headers": response.header_list(body),
            }
        )
        for start in range(0, max(len(body), 1), _CHUNK):
            chunk = body[start : start + _CHUNK]
            more = start + _CHUNK < len(body)
            await send({"type": "http.response.body", "body": chunk, "more_body": more})

    async def _drop(self, send: Send, response: Response, fault: Fault, due: float) -> None:
        body = response.encoded()
        await _until(due)
        keep = float(fault.options.get("keep", 0.5))
        await send(
            {
                "type": "http.response.start",
                "status": response.status,
                "headers": response.header_list(body),
            }
        )
        part = body[: int(len(body) * keep)]
        await send({"type": "http.response.body", "body": part, "more_body": True})
        raise ConnectionDropped("fake Twilio dropped the connection mid-body (fault 'drop')")

    def _authorized(self, header: str | None) -> bool:
        if not header or header[:6].lower() != "basic ":
            return False
        try:
            decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return False
        user, sep, secret = decoded.partition(":")
        if not sep:
            return False
        expected: str | None
        if user == self.config.account_sid:
            expected = self.config.auth_token
        else:
            expected = self.config.api_keys.get(user)
        return expected is not None and hmac.compare_digest(secret.encode(), expected.encode())

    # ---- routing --------------------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        """The normal (fault-free) answer to an authenticated request."""
        user = _USER_ROUTE.match(request.raw_path) if request.raw_path else None
        if user is not None:
            if request.method != "GET":
                return h.method_not_allowed(request.method)
            parts = user.groupdict() | {"user": unquote(user.group("user"))}
            return self._dispatch("user", parts, request)
        for pattern, name in _ROUTES:
            match = pattern.match(request.path)
            if match is None:
                continue
            if request.method not in _METHODS.get(name, ("GET",)):
                return h.method_not_allowed(request.method)
            try:
                return self._dispatch(name, match.groupdict(), request)
            except _BadRequest as exc:
                return exc.response
        return h.not_found(request.path)

    def _dispatch(self, name: str, parts: dict[str, str], request: Request) -> Response:
        api = _api(parts["v"])
        account = self.config.account_sid
        base = request.base
        store = self.store
        if name == "services":
            return self._list(
                request, "services", store.sorted_service_sids(), store.services.get,
                lambda _s: True, lambda s: render.service_json(api, base, s, account), "IS",
                spec_max=SPEC_MAX_SERVICES_PAGE_SIZE,
            )  # fmt: skip
        if name == "credentials":
            return self._list(
                request, "credentials", store.sorted_credential_sids(), store.credentials.get,
                lambda _c: True, lambda c: render.credential_json(api, base, c, account), "CR",
                spec_max=SPEC_MAX_CREDENTIALS_PAGE_SIZE[parts["v"]],
            )  # fmt: skip
        if name == "alerts":
            return self._list_alerts(request)
        if name == "credential":
            credential = store.credentials.get(parts["sid"])
            if credential is None:
                return h.not_found(request.path)
            return Response(200, render.credential_json(api, base, credential, account))
        service = store.services.get(parts["svc"])
        if service is None:
            return h.not_found(request.path)
        if name == "service":
            return Response(200, render.service_json(api, base, service, account))
        if name == "notif":
            return Response(200, render.conversations_notifications_json(base, service, account))
        if name == "user":
            user = store.user(service.sid, parts["user"]) or next(
                (
                    u
                    for u in (store.user(service.sid, i) for i in self._identities(service.sid))
                    if u is not None and u.sid == parts["user"]
                ),
                None,
            )
            if user is None:
                return h.not_found(request.path)
            return Response(200, render.user_json(api, base, user, service, account))
        if name == "bindings":
            return self._list_bindings(request, api, service.sid)
        binding = store.binding(service.sid, parts["sid"])
        if binding is None or binding.binding_type not in api.binding_types:
            return h.not_found(request.path)
        if request.method == "DELETE":
            store.delete_binding(service.sid, binding.sid)
            return Response(204)
        return Response(200, render.binding_json(api, base, binding, account))

    def _list_bindings(self, request: Request, api: ApiFlavor, service_sid: str) -> Response:
        types: list[str] = []
        identities: list[str] = []
        filters: list[tuple[str, str]] = []
        for key, value in request.query:
            if key == "BindingType":
                if value not in api.binding_types:
                    raise _BadRequest(
                        h.invalid_parameter(
                            f"Invalid parameter BindingType {value!r}: each value must be one "
                            f"of {', '.join(api.binding_types)}, sent as a repeated key"
                        )
                    )
                types.append(value)
                filters.append((key, value))
            elif key == "Identity":
                if "," in value:
                    raise _BadRequest(
                        h.invalid_parameter(
                            f"Invalid parameter Identity {value!r}: send several identities "
                            "as repeated Identity keys, not comma-joined"
                        )
                    )
                identities.append(value)
                filters.append((key, value))
        allowed = frozenset(types) if types else frozenset(api.binding_types)
        service = self.store.bindings[service_sid]
        account = self.config.account_sid
        base = request.base
        return self._list(
            request,
            "bindings",
            service.candidates(identities),
            service.by_sid.get,
            lambda b: b.binding_type in allowed,
            lambda b: render.binding_json(api, base, b, account),
            "BS",
            filters,
            spec_max=api.max_bindings_page_size,
        )

    def _identities(self, service_sid: str) -> list[str]:
        return list(self.store.bindings[service_sid].by_identity)

    def _list_alerts(self, request: Request) -> Response:
        bounds: dict[str, datetime] = {}
        level: str | None = None
        filters: list[tuple[str, str]] = []
        for key, value in request.query:
            if key in ("StartDate", "EndDate"):
                moment = parse_time(value)
                if moment is None:
                    raise _BadRequest(h.invalid_parameter(f"Invalid {key} {value!r}"))
                bounds[key] = moment
                filters.append((key, value))
            elif key == "LogLevel":
                level = value
                filters.append((key, value))
        start = int(bounds["StartDate"].timestamp()) if "StartDate" in bounds else None
        end = int(bounds["EndDate"].timestamp()) if "EndDate" in bounds else None

        def accept(a: FakeAlert) -> bool:
            return (
                (start is None or a.generated >= start)
                and (end is None or a.generated <= end)
                and (level is None or a.log_level == level)
            )

        account = self.config.account_sid
        return self._list(
            request,
            "alerts",
            self.store.sorted_alert_sids(),
            self.store.alerts.get,
            accept,
            lambda a: render.alert_json(request.base, a, account),
            "NO",
            filters,
            spec_max=SPEC_MAX_ALERTS_PAGE_SIZE,
        )

    def _list(
        self,
        request: Request,
        key: str,
        sids: Sequence[str],
        lookup: Callable[[str], T | None],
        accept: Callable[[T], bool],
        to_json: Callable[[T], render.Json],
        sid_prefix: str,
        filters: list[tuple[str, str]] | None = None,
        *,
        spec_max: int = MAX_PAGE_SIZE,
    ) -> Response:
        # The API reference's 1000, or with `strict_page_size` the official spec's maximum.
        high = min(spec_max, MAX_PAGE_SIZE) if self.config.strict_page_size else MAX_PAGE_SIZE
        page_size = _int_param(request, "PageSize", DEFAULT_PAGE_SIZE, MIN_PAGE_SIZE, high)
        page = _int_param(request, "Page", 0, 0, None)
        tokens = [v for k, v in request.query if k == "PageToken"]
        token = tokens[-1] if tokens else None
        try:
            cursor = decode_token(token, sid_prefix) if token is not None else None
        except InvalidPageToken:
            return h.invalid_page_token()
        skip = page * page_size if cursor is None else 0
        result = paginate(sids, lookup, accept, page_size, cursor, skip)
        next_token = previous_token = None
        if result.has_next and result.last_sid is not None:
            next_token = "PA" + result.last_sid
        if result.has_previous and result.first_sid is not None:
            previous_token = "PB" + result.first_sid
        meta = render.meta_json(
            key=key,
            base=request.base,
            path=request.path,
            filters=filters or [],
            page_size=page_size,
            page=page,
            token=token,
            next_token=next_token,
            previous_token=previous_token,
        )
        return Response(200, {key: [to_json(item) for item in result.items], "meta": meta})
