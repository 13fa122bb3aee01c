"""A raw asyncio HTTP/1.1 server on 127.0.0.1 that misbehaves on purpose, plus a listener
on 127.0.0.2 that records every byte sent to it.

Why raw sockets and not an ASGI app: a hostile server must be able to drip bytes, lie in
its headers, close mid-body or never answer, which a well-behaved framework will not do.

Bounds (the kit must never hang a test run nor touch anything off loopback):
- both servers bind loopback addresses only (127.0.0.1, 127.0.0.2);
- every loop is bounded in count and every wait in time (`MAX_ACTION_S`);
- `stop()` closes the listeners, cancels every connection task and joins the thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlsplit

HOST = "127.0.0.1"
FOREIGN_HOST = "127.0.0.2"
MAX_ACTION_S = 75.0  # the longest any single response (drip, hang) may run
MAX_REQUESTS_PER_CONNECTION = 2_000
MAX_HEAD_BYTES = 1 << 20  # a 100 KB request line must still be read and recorded
MAX_REQUEST_BODY = 1 << 20
IDLE_S = 30.0
REASONS = {
    200: "OK",
    204: "No Content",
    302: "Found",
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


# ---- what the server saw ----------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    """One request as it arrived: method, raw target (path + query), headers (lowercased)."""

    method: str
    target: str
    headers: dict[str, str]
    body: bytes = b""

    @property
    def path(self) -> str:
        return self.target.split("?", 1)[0]

    @property
    def query(self) -> dict[str, str]:
        return dict(parse_qsl(urlsplit(self.target).query, keep_blank_values=True))

    @property
    def has_auth(self) -> bool:
        return "authorization" in self.headers


# ---- what the server does (one action per request) -----------------------------------------


def head(status: int, headers: list[tuple[str, str]], length: int | None) -> bytes:
    """A status line and headers. `length=None` sends no Content-Length (close-delimited)."""
    lines = [f"HTTP/1.1 {status} {REASONS.get(status, 'Whatever')}"]
    lines += [f"{name}: {value}" for name, value in headers]
    if length is not None:
        lines.append(f"Content-Length: {length}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


class Action(Protocol):
    async def perform(self, conn: Connection) -> bool:
        """Send (or not) a response. True keeps the connection open for the next request."""
        ...


@dataclass(frozen=True)
class Reply:
    """An ordinary response (the headers may lie: that is up to the scenario)."""

    status: int = 200
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)
    content_type: str | None = "application/json"

    async def perform(self, conn: Connection) -> bool:
        extra = [("Content-Type", self.content_type)] if self.content_type else []
        conn.writer.write(head(self.status, extra + self.headers, len(self.body)) + self.body)
        await conn.writer.drain()
        return True


def json_reply(status: int, value: Any, headers: list[tuple[str, str]] | None = None) -> Reply:
    return Reply(status, json.dumps(value).encode(), headers or [])


@dataclass(frozen=True)
class Drip:
    """Send `now` at once, then `slow` one byte every `interval` seconds, then close.

    Ends early when the client goes away or the server stops; never runs past MAX_ACTION_S.
    """

    now: bytes
    slow: bytes
    interval: float = 1.0

    async def perform(self, conn: Connection) -> bool:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + MAX_ACTION_S
        conn.writer.write(self.now)
        await conn.writer.drain()
        for i in range(len(self.slow)):
            if loop.time() >= deadline or conn.writer.is_closing():
                break
            if await conn.client_gone(self.interval):
                break
            conn.writer.write(self.slow[i : i + 1])
            await conn.writer.drain()
        return False


@dataclass(frozen=True)
class Stream:
    """A head, then a body produced lazily chunk by chunk (big bodies never sit in memory)."""

    head: bytes
    chunks: Callable[[], Iterator[bytes]]

    async def perform(self, conn: Connection) -> bool:
        conn.writer.write(self.head)
        for chunk in self.chunks():
            if conn.writer.is_closing():
                break
            conn.writer.write(chunk)
            await conn.writer.drain()
        return False


@dataclass(frozen=True)
class Drop:
    """Send `partial` (maybe nothing), then close the connection: an answer that is lost."""

    partial: bytes = b""

    async def perform(self, conn: Connection) -> bool:
        if self.partial:
            conn.writer.write(self.partial)
            await conn.writer.drain()
        return False


@dataclass(frozen=True)
class Hang:
    """Accept the request and never answer (until the client leaves or MAX_ACTION_S)."""

    async def perform(self, conn: Connection) -> bool:
        await conn.client_gone(MAX_ACTION_S)
        return False


# ---- scenarios ---------------------------------------------------------------------------


class Scenario(Protocol):
    """Decides the action for each request. The server records every request for it."""

    def respond(self, request: Request, server: HostileServer) -> Action: ...


# ---- the server ----------------------------------------------------------------------------


class Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    async def client_gone(self, seconds: float) -> bool:
        """Wait up to `seconds` for the client to close; True when it did."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        for _ in range(10_000):
            left = deadline - loop.time()
            if left <= 0:
                return False
            try:
                data = await asyncio.wait_for(self.reader.read(65536), left)
            except TimeoutError:
                return False
            except (ConnectionError, OSError):
                return True
            if not data:
                return True
        return False

    async def read_request(self) -> Request | None:
        try:
            raw = await asyncio.wait_for(self.reader.readuntil(b"\r\n\r\n"), IDLE_S)
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError):
            return None
        except (ConnectionError, OSError):
            return None
        lines = raw.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ")
        if len(parts) != 3:
            return None
        headers: dict[str, str] = {}
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip()
        body = b""
        length = int(headers.get("content-length", "0") or 0)
        if 0 < length <= MAX_REQUEST_BODY:
            with contextlib.suppress(asyncio.IncompleteReadError, TimeoutError):
                body = await asyncio.wait_for(self.reader.readexactly(length), IDLE_S)
        return Request(parts[0], parts[1], headers, body)


class HostileServer:
    """The hostile Twilio on 127.0.0.1:<port>, its own event loop in a daemon thread.

    Set `scenario` before driving a client at `base_url`; read `requests` afterwards.
    `foreign` is the recording listener on 127.0.0.2 (same port number when free).
    """

    def __init__(self) -> None:
        self.scenario: Scenario | None = None
        self._requests: list[Request] = []
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.scenario_errors: list[str] = []
        self.port = 0
        self.foreign = RecordingListener()

    # lifecycle
    def start(self) -> HostileServer:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(10)
        return self

    async def _start(self) -> None:
        self._server = await asyncio.start_server(
            self._handle, HOST, 0, limit=MAX_HEAD_BYTES, reuse_address=True
        )
        self.port = self._server.sockets[0].getsockname()[1]
        await self.foreign.start(self.port)

    def stop(self) -> None:
        if not self._thread.is_alive():
            return
        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        if not self._thread.is_alive():
            self._loop.close()

    async def _stop(self) -> None:
        if self._server is not None:
            self._server.close()
        await self.foreign.stop()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=5)

    def serve(self, scenario: Scenario) -> Scenario:
        with self._lock:
            self.scenario = scenario
            self._requests.clear()
        self.foreign.clear()
        return scenario

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def requests(self) -> list[Request]:
        with self._lock:
            return list(self._requests)

    # one connection
    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        conn = Connection(reader, writer)
        try:
            for _ in range(MAX_REQUESTS_PER_CONNECTION):
                request = await conn.read_request()
                if request is None:
                    break
                with self._lock:
                    self._requests.append(request)
                    scenario = self.scenario
                action = self._decide(scenario, request)
                if not await action.perform(conn):
                    break
        except (ConnectionError, OSError):
            pass
        except asyncio.CancelledError:
            pass  # stop(): the connection ends with the server
        finally:
            self._tasks.discard(task)
            writer.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(writer.wait_closed(), 2)

    def _decide(self, scenario: Scenario | None, request: Request) -> Action:
        if scenario is None:
            return json_reply(500, {"message": "no scenario set"})
        try:
            return scenario.respond(request, self)
        except Exception as exc:  # a kit bug must show up in the test, not kill the server
            self.scenario_errors.append(f"{type(exc).__name__}: {exc}")
            return json_reply(500, {"message": "scenario error"})


class RecordingListener:
    """Listens on 127.0.0.2 and records every byte anyone sends it (credentials included)."""

    def __init__(self) -> None:
        self._received = bytearray()
        self._lock = threading.Lock()
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.port = 0

    @property
    def received(self) -> bytes:
        with self._lock:
            return bytes(self._received)

    def clear(self) -> None:
        with self._lock:
            self._received.clear()

    @property
    def base_url(self) -> str:
        return f"http://{FOREIGN_HOST}:{self.port}"

    async def start(self, port: int) -> None:
        try:
            self._server = await asyncio.start_server(self._handle, FOREIGN_HOST, port)
        except OSError:
            self._server = await asyncio.start_server(self._handle, FOREIGN_HOST, 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=5)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            for _ in range(64):
                try:
                    data = await asyncio.wait_for(reader.read(65536), 2)
                except TimeoutError:
                    break
                if not data:
                    break
                with self._lock:
                    if len(self._received) < MAX_REQUEST_BODY:
                        self._received += data
                # A plausible answer, so a client that did come here would carry on.
                writer.write(head(200, [("Content-Type", "application/json")], 2) + b"{}")
                await writer.drain()
        except (ConnectionError, OSError, asyncio.CancelledError):
            pass
        finally:
            self._tasks.discard(task)
            writer.close()
