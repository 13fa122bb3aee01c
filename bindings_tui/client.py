"""Async Twilio client for Bindings, Services, Credentials, push configuration, Users and
(through a Monitor sibling) alerts.

Rules this module keeps:
- credentials go only to the configured base URL: a `next_page_url` from a body
  contributes only its path and query;
- redirects are never followed;
- idempotent GETs retry on 429/5xx/connection errors with bounded backoff;
- every response body is read with a size cap.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import logging
import platform
import re
import ssl
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Sequence
from contextlib import aclosing
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

import httpx

from bindings_tui import __version__
from bindings_tui.bodies import ACCEPT_ENCODING, read_body
from bindings_tui.credentials import ApiCredentials
from bindings_tui.credentials.api_credentials import auth_hint
from bindings_tui.errors import (
    ApiError,
    AuthError,
    BindingsError,
    ConnectFailed,
    InputError,
    NetworkError,
    NotFoundError,
    PaginationLoopError,
    RequestTimeout,
    ResponseFormatError,
    UnsafeUrlError,
)
from bindings_tui.hosts import api_base_url
from bindings_tui.models import ApiFlavor, Binding, Credential, JsonDict, Page, Service
from bindings_tui.raw_records import RawBinding
from bindings_tui.request_checks import (
    DEFAULT_BINDINGS_PAGE_SIZE,
    MAX_PAGE_SIZE,
    check_binding_types,
    check_identities,
    check_identity,
    check_page_size,
    page_size_refused,
)
from bindings_tui.responses import (
    PARSE_SLICE,
    parse_error_body,
    parse_head,
    parse_in_slices,
    parse_json_object,
    path_only,
    read_page_shape,
)
from bindings_tui.retry import RETRYABLE_STATUSES, RetryPolicy
from bindings_tui.sids import validate_sid
from bindings_tui.textsafe import clip, make_visible
from bindings_tui.write_policy import WRITABLE, WritePolicy

if TYPE_CHECKING:
    from bindings_tui.deletes import DeleteResult
    from bindings_tui.evidence.alerts import Alert

log = logging.getLogger("bindings_tui.client")

USER_AGENT = (
    f"bindings-tui/{__version__} (Python {platform.python_version()}; httpx {httpx.__version__})"
)
DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024
DEFAULT_MAX_PAGES = 100_000
DEFAULT_TIMEOUT = httpx.Timeout(15.0, connect=5.0)
# A next_page_url is ~200 characters; anything near this is not one.
MAX_PAGE_URL_CHARS = 8192

T = TypeVar("T")


def attempt_deadline_for(timeout: httpx.Timeout | float) -> float:
    """Seconds one request may take in all: the read timeout bounds only the gap between
    bytes, so a server dripping a byte a second would otherwise hold a request forever."""
    if isinstance(timeout, httpx.Timeout):
        values = [t for t in (timeout.read, timeout.connect, timeout.write) if t is not None]
        read = max(values) if values else 15.0
    else:
        read = float(timeout)
    return max(2 * read, read + 5.0)


def bindings_path(api: ApiFlavor, service_sid: str) -> str:
    """`/v1/Services/IS.../Bindings` (v2 for Chat): the one builder of Bindings paths."""
    return f"/{api.version}/Services/{validate_sid('IS', service_sid)}/Bindings"


def binding_path(api: ApiFlavor, service_sid: str, binding_sid: str) -> str:
    """`/v1/Services/IS.../Bindings/BS...`: both SIDs validated."""
    return f"{bindings_path(api, service_sid)}/{validate_sid('BS', binding_sid)}"


@dataclass(frozen=True, slots=True)
class _Response:
    status: int
    body: bytes
    headers: httpx.Headers


@functools.cache
def tls_context() -> ssl.SSLContext:
    """The verifying TLS context every client of this process shares: httpx's own default
    (certifi's bundle, or SSL_CERT_FILE / SSL_CERT_DIR). Loading the bundle costs about
    35 ms, once per client otherwise, and a diagnosis makes two (Bindings and Monitor),
    the TUI one per API."""
    return httpx.create_ssl_context()


def _tls_for(base_url: str, transport: httpx.AsyncBaseTransport | None) -> ssl.SSLContext | bool:
    """What the client verifies TLS with. Only an https base URL ever makes a TLS
    connection (next pages keep the list's own host and path, redirects are not
    followed): a plain-http one (loopback only, `hosts`) gets a context with no CA loaded,
    which would refuse any certificate, instead of loading the bundle for nothing. A given
    transport (the demo's, tests') makes no connection of its own."""
    if transport is not None:
        return True
    if base_url.startswith("https://"):
        return tls_context()
    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # verifies hostname and chain, trusts none


class TwilioClient:
    """One API flavour, one account, one base URL. Use as an async context manager."""

    def __init__(
        self,
        credentials: ApiCredentials,
        api: ApiFlavor = ApiFlavor.CONVERSATIONS,
        *,
        base_url: str | None = None,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        max_pages: int = DEFAULT_MAX_PAGES,
        sleep: Callable[[float], Any] = asyncio.sleep,
        product: str | None = None,
        write_policy: WritePolicy = WRITABLE,
    ) -> None:
        self.api = api
        # Read-only mode's one chokepoint: `_send_once` refuses every non-GET under it.
        self.write_policy = write_policy
        self.credentials = credentials
        # Kept for the Monitor sibling (`monitor_client`): same account, rules and transport.
        self._explicit_base_url = base_url
        self._timeout = timeout
        self._transport = transport
        self._monitor: TwilioClient | None = None
        # The one constructor of base URLs; it re-validates region and edge and pins the host.
        # `product` is the host's product (default: the API's); with an explicit base URL,
        # every product goes to that one URL.
        self.base_url = api_base_url(
            product or api.host_prefix,
            credentials.region,
            credentials.edge,
            explicit=base_url,
            # `*.localhost` names only where no request can reach a network (the demo).
            local_names=transport is not None
            and not isinstance(transport, httpx.AsyncHTTPTransport),
        )
        self.retry = retry or RetryPolicy()
        # Set once a server refused DEFAULT_BINDINGS_PAGE_SIZE: every later default-sized
        # Bindings list of this client asks for the spec's maximum (request_checks).
        self.page_size_fallback = False
        self.max_body_bytes = max_body_bytes
        self.max_pages = max_pages
        self._sleep = sleep
        self.attempt_deadline = attempt_deadline_for(timeout)
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            # The one place the secret is revealed: into the Basic auth header.
            auth=httpx.BasicAuth(credentials.username, credentials.secret.reveal()),
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
            timeout=timeout,
            transport=transport,
            verify=_tls_for(self.base_url, transport),
            follow_redirects=False,
            limits=httpx.Limits(max_connections=16, max_keepalive_connections=16),
        )

    def __repr__(self) -> str:
        return f"TwilioClient(api={self.api.value!r}, base_url={self.base_url!r})"

    async def __aenter__(self) -> TwilioClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._monitor is not None:
            await self._monitor.aclose()
        await self._http.aclose()

    # ---- paths -----------------------------------------------------------------

    def _bindings_path(self, service_sid: str) -> str:
        return bindings_path(self.api, service_sid)

    def _relative(self, url: str) -> str:
        """Path and query of a URL from a response body, resolved against our base.

        The host, scheme, port and userinfo of `url` are ignored on purpose: the
        Authorization header must only ever go to the configured API host.
        """
        try:
            parts = urlsplit(url)
        except ValueError:  # e.g. "http://[::1/x": an unclosed IPv6 host
            raise ResponseFormatError(
                f"the server sent a URL that is not one: {make_visible(clip(url, 80))!r}"
            ) from None
        path = parts.path or "/"
        if not path.startswith("/"):
            path = "/" + path
        base_path = urlsplit(self.base_url).path.rstrip("/")
        if base_path and path.startswith(base_path + "/"):
            path = path[len(base_path) :]
        return f"{path}?{parts.query}" if parts.query else path

    # ---- transport with retries ---------------------------------------------------

    async def _send_once(
        self, method: str, target: str, params: list[tuple[str, str | int]] | None
    ) -> _Response:
        """One request, one answer or one BindingsError: the boundary where bytes come in.

        The whole attempt (connect, headers, every byte of the body) has a deadline; the
        body is decoded with a bound at every step (bodies.read_body).
        """
        label = f"{method} {path_only(target)}"
        if method != "GET":
            self.write_policy.check()  # ReadOnlyError before any socket work
        try:
            async with asyncio.timeout(self.attempt_deadline):
                query = httpx.QueryParams(tuple(params)) if params else None
                request = self._http.build_request(
                    method, target, params=query, headers={"Accept-Encoding": ACCEPT_ENCODING}
                )
                response = await self._http.send(request, stream=True)
                try:
                    if response.is_stream_consumed:
                        # An in-process transport (tests, the demo) read and decoded it.
                        raw, coding = _chunks(response.content), None
                    else:
                        raw, coding = response.aiter_raw(), response.headers.get("Content-Encoding")
                    body = await read_body(raw, coding, self.max_body_bytes, label)
                finally:
                    await response.aclose()
                return _Response(response.status_code, body, response.headers)
        except TimeoutError:
            raise RequestTimeout(
                f"{label}: timed out: no complete answer from {self.base_url} within the "
                f"{self.attempt_deadline:g} s deadline of one request"
            ) from None
        except httpx.ConnectTimeout as exc:
            raise ConnectFailed(
                f"{label}: could not connect to {self.base_url} in time ({_exc_line(exc)})"
            ) from None
        except httpx.TimeoutException as exc:
            raise RequestTimeout(
                f"{label}: no answer from {self.base_url} in time ({type(exc).__name__})"
            ) from None
        except httpx.ConnectError as exc:
            raise ConnectFailed(
                f"{label}: could not connect to {self.base_url} ({_exc_line(exc)})"
            ) from None
        except (httpx.TransportError, httpx.DecodingError) as exc:
            raise NetworkError(
                f"{label}: connection to {self.base_url} failed ({_exc_line(exc)})"
            ) from None
        except (httpx.InvalidURL, httpx.CookieConflict, httpx.StreamError) as exc:
            raise UnsafeUrlError(
                f"{label}: refused to send the request ({_exc_line(exc)})"
            ) from None

    async def _get_json(
        self, target: str, params: list[tuple[str, str | int]] | None = None
    ) -> JsonDict:
        """GET with retries; returns the parsed JSON object or raises a BindingsError.

        Retried: 429/5xx answers, connection errors, timeouts and truncated or
        unparsable bodies (a GET is idempotent). Everything else is raised at once.
        """
        attempt = 0
        while True:
            attempt += 1
            retry_after: str | None = None
            try:
                response = await self._send_once("GET", target, params)
            except NetworkError as exc:
                last: Exception = exc
            else:
                log.debug("GET %s -> %s", path_only(target), response.status)
                if response.status == 200:
                    try:
                        return parse_json_object(response.body, target)
                    except ResponseFormatError as exc:
                        last = exc
                else:
                    error = self._error_for(response, "GET", target)
                    if response.status not in RETRYABLE_STATUSES:
                        raise error
                    retry_after = response.headers.get("Retry-After")
                    last = error
            if attempt >= self.retry.max_attempts:
                raise last
            delay = self.retry.delay(attempt, retry_after)
            log.debug("retrying GET %s in %.2fs after: %s", path_only(target), delay, last)
            await self._sleep(delay)

    def _error_for(self, response: _Response, method: str, target: str) -> Exception:
        if 300 <= response.status < 400:
            return ResponseFormatError(
                f"{method} {path_only(target)}: server answered with a redirect "
                f"({response.status}); redirects are not followed with credentials"
            )
        path = path_only(target)
        error = parse_error_body(response.status, response.body, method, path)
        if isinstance(error, AuthError) and response.status == 401:
            # 401: these credentials are wrong (a 403 is about one resource, not them).
            error.with_hint(auth_hint(self.credentials.source))
        elif isinstance(error, NotFoundError) and (service := _listed_service(path)):
            # A service's Bindings list is never 404 while the service exists: say which
            # service, in which account and API, instead of Twilio's "resource ... not found".
            error.message = (
                f"service {service} not found in account {self.credentials.account_sid} "
                f"(API {self.api.value})"
            )
            error.more_info = None
            error.with_hint("list the account's services with `bindings-tui services`")
        return error

    # ---- Bindings -----------------------------------------------------------------

    @property
    def default_bindings_page_size(self) -> int:
        """What a Bindings list asks for when no page size is given: 1000, or the spec's
        maximum once a server refused 1000 (request_checks explains the rule)."""
        if self.page_size_fallback:
            return self.api.max_bindings_page_size
        return DEFAULT_BINDINGS_PAGE_SIZE

    def _bindings_fallback_size(self, page_size: int | None) -> int | None:
        """The PageSize to retry the first request with if the server refuses the one
        asked for: only for the default size, and only when the spec's is smaller."""
        if page_size is not None or self.page_size_fallback:
            return None
        spec = self.api.max_bindings_page_size
        return spec if spec < DEFAULT_BINDINGS_PAGE_SIZE else None

    def bindings_params(
        self,
        *,
        identities: Sequence[str] = (),
        binding_types: Sequence[str] = (),
        page_size: int | None = None,
    ) -> list[tuple[str, str | int]]:
        """First-page query: PageSize, then BindingType and Identity as repeated keys."""
        size = check_page_size(page_size or self.default_bindings_page_size)
        params: list[tuple[str, str | int]] = [("PageSize", size)]
        params += [("BindingType", t) for t in check_binding_types(self.api, binding_types)]
        params += [("Identity", i) for i in check_identities(identities)]
        return params

    async def iter_binding_pages(
        self,
        service_sid: str,
        *,
        identities: Sequence[str] = (),
        binding_types: Sequence[str] = (),
        page_size: int | None = None,
    ) -> AsyncIterator[Page[Binding]]:
        """Stream pages as they arrive, following `meta.next_page_url` until null."""
        params = self.bindings_params(
            identities=identities, binding_types=binding_types, page_size=page_size
        )
        pages = self._iter_pages(
            self._bindings_path(service_sid),
            params,
            Binding.from_json,
            fallback_page_size=self._bindings_fallback_size(page_size),
        )
        async with aclosing(pages):  # closed with this one: its request ahead is cancelled
            async for page in pages:
                yield page

    async def iter_raw_binding_pages(
        self,
        service_sid: str,
        *,
        identities: Sequence[str] = (),
        binding_types: Sequence[str] = (),
        page_size: int | None = None,
    ) -> AsyncIterator[Page[RawBinding]]:
        """`iter_binding_pages` with each record kept as sent (`raw_records`): for output
        that writes the JSON as it is, without parsing it into a `Binding`."""
        params = self.bindings_params(
            identities=identities, binding_types=binding_types, page_size=page_size
        )
        pages = self._iter_pages(
            self._bindings_path(service_sid),
            params,
            RawBinding.from_json,
            fallback_page_size=self._bindings_fallback_size(page_size),
        )
        async with aclosing(pages):  # closed with this one: its request ahead is cancelled
            async for page in pages:
                yield page

    async def list_bindings(
        self,
        service_sid: str,
        *,
        identities: Sequence[str] = (),
        binding_types: Sequence[str] = (),
        page_size: int | None = None,
        limit: int | None = None,
    ) -> list[Binding]:
        out: list[Binding] = []
        pages: AsyncGenerator[Page[Binding], None] = self.iter_binding_pages(  # type: ignore[assignment]
            service_sid, identities=identities, binding_types=binding_types, page_size=page_size
        )
        try:
            async for page in pages:
                out.extend(page.items)
                if limit is not None and len(out) >= limit:
                    return out[:limit]
        finally:
            await pages.aclose()
        return out

    async def fetch_binding(self, service_sid: str, binding_sid: str) -> Binding:
        path = binding_path(self.api, service_sid, binding_sid)
        return Binding.from_json(await self._get_json(path))

    async def delete_binding(self, service_sid: str, binding_sid: str) -> DeleteResult:
        """DELETE one binding and say truthfully what happened (bindings_tui.deletes)."""
        from bindings_tui.deletes import delete_one

        return await delete_one(self, service_sid, binding_sid)

    async def read_binding_once(self, service_sid: str, binding_sid: str) -> JsonDict:
        """One GET of a binding, no retries: its JSON, or the BindingsError of that answer
        (the delete audit's record of what is about to go; never worth a wait)."""
        path = self.binding_path(service_sid, binding_sid)
        response = await self._send_once("GET", path, None)
        if response.status != 200:
            raise self._error_for(response, "GET", path)
        return parse_json_object(response.body, path)

    def binding_path(self, service_sid: str, binding_sid: str) -> str:
        return binding_path(self.api, service_sid, binding_sid)

    async def send_once(self, method: str, path: str) -> tuple[int, httpx.Headers, ApiError | None]:
        """One request without retries: (status, headers, the error an error status means)."""
        response = await self._send_once(method, path, None)
        log.debug("%s %s -> %s", method, path_only(path), response.status)
        if response.status < 300:
            return response.status, response.headers, None
        error = self._error_for(response, method, path)
        if not isinstance(error, ApiError):
            raise error
        return response.status, response.headers, error

    async def sleep(self, seconds: float) -> None:
        await self._sleep(seconds)

    # ---- Services, credentials, push configuration -----------------------------------

    async def iter_service_pages(self, page_size: int = 100) -> AsyncIterator[Page[Service]]:
        params: list[tuple[str, str | int]] = [("PageSize", min(check_page_size(page_size), 100))]
        pages = self._iter_pages(f"/{self.api.version}/Services", params, Service.from_json)
        async with aclosing(pages):
            async for page in pages:
                yield page

    async def list_services(self) -> list[Service]:
        return [s async for page in self.iter_service_pages() for s in page.items]

    async def fetch_service(self, service_sid: str) -> Service:
        path = f"/{self.api.version}/Services/{validate_sid('IS', service_sid)}"
        return Service.from_json(await self._get_json(path))

    async def fetch_credential(self, credential_sid: str) -> Credential:
        path = f"/{self.api.version}/Credentials/{validate_sid('CR', credential_sid)}"
        return Credential.from_json(await self._get_json(path))

    async def fetch_notification_config(self, service_sid: str) -> JsonDict:
        """Service push settings: v1 Configuration/Notifications, or v2 `notifications`."""
        sid = validate_sid("IS", service_sid)
        if self.api is ApiFlavor.CONVERSATIONS:
            return await self._get_json(f"/v1/Services/{sid}/Configuration/Notifications")
        service = await self._get_json(f"/v2/Services/{sid}")
        notifications = service.get("notifications")
        return notifications if isinstance(notifications, dict) else {}

    # ---- Users and Monitor alerts (the diagnosis's evidence) ----------------------------

    async def fetch_user(self, service_sid: str, identity: str) -> JsonDict:
        """The service's User for an identity (the path takes the identity, URL-encoded):
        Conversations v1 or Chat v2. A NotFoundError when there is none."""
        sid = validate_sid("IS", service_sid)
        name = quote(check_identity(identity), safe="")
        if not name:
            raise InputError("an identity is needed to read a user")
        return await self._get_json(f"/{self.api.version}/Services/{sid}/Users/{name}")

    def monitor_client(self) -> TwilioClient:
        """A client for Twilio Monitor with this one's account, limits and transport: its
        host is `monitor` under the same region/edge rules, or the same explicit base URL."""
        if self._monitor is None:
            self._monitor = TwilioClient(
                self.credentials,
                self.api,
                base_url=self._explicit_base_url,
                timeout=self._timeout,
                retry=self.retry,
                transport=self._transport,
                max_body_bytes=self.max_body_bytes,
                max_pages=self.max_pages,
                sleep=self._sleep,
                product="monitor",
                write_policy=self.write_policy,
            )
        return self._monitor

    async def list_alerts(
        self, start: datetime, end: datetime, *, limit: int, page_size: int | None = None
    ) -> tuple[list[Alert], bool]:
        """Monitor `GET /v1/Alerts` between `start` and `end` (newest first), at most
        `limit`; returns (alerts, truncated). Paged like Bindings (`meta.key` alerts)."""
        # Imported here: the alerts bring the diagnosis's rules, which a listing never needs.
        from bindings_tui.evidence.alerts import Alert

        if limit < 1:
            raise InputError("the alerts limit must be at least 1")
        size = check_page_size(page_size or min(limit, MAX_PAGE_SIZE))
        params: list[tuple[str, str | int]] = [
            ("StartDate", _twilio_time(start)),
            ("EndDate", _twilio_time(end)),
            ("PageSize", size),
        ]
        monitor = self.monitor_client()
        out: list[Alert] = []
        pages = monitor._iter_pages("/v1/Alerts", params, Alert.from_json)
        try:
            async for page in pages:
                out.extend(page.items)
                if len(out) >= limit:
                    return out[:limit], len(out) > limit or page.next_page_url is not None
        finally:
            await pages.aclose()
        return out, False

    # ---- generic pagination -----------------------------------------------------------

    async def _iter_pages(
        self,
        path: str,
        params: list[tuple[str, str | int]],
        parse: Callable[[object], T],
        *,
        fallback_page_size: int | None = None,
    ) -> AsyncGenerator[Page[T], None]:
        """Every page of a list, following `next_page_url` as given (the server's own
        PageSize wins there). `fallback_page_size`: if the server refuses the first
        request's PageSize, ask once more with this one (`_first_page`).

        The next page is asked for as soon as this one's meta is read and checked, before
        its records are parsed and handed on: the parse, and the caller's own work, then
        overlap the next round trip instead of adding to it. At most one request is ahead;
        closing the iterator cancels it.
        """
        target: str = path
        query: list[tuple[str, str | int]] | None = params
        # Digests of every page URL served so far: a next_page_url among them is a loop.
        # 16 bytes a page, and pages are bounded by max_pages.
        seen: set[bytes] = set()
        ahead: asyncio.Task[JsonDict] | None = None
        try:
            for number in range(self.max_pages):
                if ahead is not None:
                    payload, ahead = await ahead, None
                elif number == 0 and fallback_page_size is not None:
                    payload, query = await self._first_page(path, params, fallback_page_size)
                else:
                    payload = await self._get_json(target, query)
                shape = read_page_shape(payload, target)
                seen.add(_digest(target if query is None else shape.url or target))
                if shape.url and len(shape.url) <= MAX_PAGE_URL_CHARS:
                    seen.add(_digest(self._relative(shape.url)))
                following: str | None = None
                refused: BindingsError | None = None  # raised once this page is handed on
                if shape.next_page_url:
                    try:
                        following = self._next_page_target(shape.next_page_url, path, seen)
                    except BindingsError as exc:
                        refused = exc
                if following is not None and number + 1 < self.max_pages:
                    ahead = asyncio.ensure_future(self._get_json(following))
                if number == 0 and len(shape.items) > PARSE_SLICE:
                    # The list's first rows go out before the rest of its first page is
                    # parsed: at 1000 records a page, the rest takes 15-30 ms on the loop.
                    head, shape = parse_head(shape, parse)
                    yield head
                yield await parse_in_slices(shape, parse)
                if refused is not None:
                    raise refused
                if following is None:
                    return
                target, query = following, None  # next_page_url carries every parameter
            raise PaginationLoopError(f"stopped after {self.max_pages} pages: the list never ended")
        finally:
            if ahead is not None:
                await _cancelled(ahead)

    def _next_page_target(self, next_page_url: str, path: str, seen: set[bytes]) -> str:
        """`_next_target`, refused as a loop when it names a page already served."""
        target = self._next_target(next_page_url, path)
        if _digest(target) in seen:
            raise PaginationLoopError(
                f"the server sent the same next_page_url twice ({path_only(target)}); "
                "stopped instead of looping"
            )
        return target

    async def _first_page(
        self, path: str, params: list[tuple[str, str | int]], fallback: int
    ) -> tuple[JsonDict, list[tuple[str, str | int]]]:
        """The first page, at the asked PageSize or, if the server refuses it (a 400
        naming PageSize), at `fallback`, which the client then keeps for the process."""
        try:
            return await self._get_json(path, params), params
        except ApiError as exc:
            if not page_size_refused(exc):
                raise
            asked = next((v for k, v in params if k == "PageSize"), None)
            if not self.page_size_fallback:
                # Once per client (several streams may be refused at once); shown with -v.
                log.info(
                    "the server refused PageSize=%s (%s); using %d, the API spec's maximum, "
                    "for the rest of this run",
                    asked,
                    exc.user_message(),
                    fallback,
                )
            self.page_size_fallback = True
            retry = [(k, fallback if k == "PageSize" else v) for k, v in params]
            return await self._get_json(path, retry), retry

    def _next_target(self, next_page_url: str, path: str) -> str:
        """The request for a `next_page_url`: same host (ours), same resource path.

        Only its query may differ (PageToken, Page, PageSize): a next page on another path
        (another service, another resource) would be listed as this one's.
        """
        shown = make_visible(clip(next_page_url, 80))
        if len(next_page_url) > MAX_PAGE_URL_CHARS:
            raise ResponseFormatError(
                f"GET {path_only(path)}: next_page_url is {len(next_page_url)} characters "
                f"long; refused"
            )
        if not next_page_url.isascii() or not next_page_url.isprintable():
            raise ResponseFormatError(
                f"GET {path_only(path)}: next_page_url {shown!r} holds characters a URL "
                "cannot; refused"
            )
        target = self._relative(next_page_url)
        if target.split("?", 1)[0] != path:
            raise ResponseFormatError(
                f"GET {path_only(path)}: next_page_url {shown!r} leaves the list being read; "
                "refused"
            )
        return target


async def _cancelled(task: asyncio.Task[Any]) -> None:
    """Cancel `task` and wait for it to end; whatever it raised is dropped (nobody is
    waiting for its page any more)."""
    task.cancel()
    await asyncio.wait([task])
    if not task.cancelled():
        task.exception()  # retrieved: asyncio would otherwise log it as never retrieved


async def _chunks(body: bytes) -> AsyncIterator[bytes]:
    yield body


def _digest(target: str) -> bytes:
    return hashlib.blake2b(_normalise(target).encode(), digest_size=16).digest()


def _exc_line(exc: BaseException) -> str:
    detail = clip(make_visible(str(exc)), 120)
    return f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__


def _normalise(target: str) -> str:
    """Path plus sorted query pairs, so reordered parameters compare equal."""
    parts = urlsplit(target)
    pairs = sorted(parse_qsl(parts.query, keep_blank_values=True))
    return parts.path + "?" + urlencode(pairs)


def _twilio_time(moment: datetime) -> str:
    """`2026-10-25T00:00:00Z`: the spec's date-time, in GMT as Monitor asks."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


_SERVICE_LIST_PATH = re.compile(r"/v[12]/Services/(IS[0-9a-fA-F]{32})/(?:Bindings|Users)")


def _listed_service(path: str) -> str | None:
    """The service SID when `path` lists a service's Bindings or Users (not one of them)."""
    match = _SERVICE_LIST_PATH.fullmatch(path)
    return match.group(1) if match else None
