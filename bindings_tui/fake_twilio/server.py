"""Serving a FakeTwilio over a real socket with uvicorn."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import AsyncIterator

import uvicorn

from bindings_tui.demo import FAKE_HOST, FAKE_PORT
from bindings_tui.fake_twilio.app import FakeTwilio
from bindings_tui.fake_twilio.config import FakeConfig
from bindings_tui.fake_twilio.faults import ConnectionDropped


class _QuietDrops(logging.Filter):
    """A `drop` fault is deliberate: keep its traceback out of uvicorn's log."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, ConnectionDropped)


def _install_log_filter() -> None:
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _QuietDrops) for f in logger.filters):
        logger.addFilter(_QuietDrops())


def _uvicorn_config(fake: FakeTwilio, host: str, port: int, log_level: str) -> uvicorn.Config:
    return uvicorn.Config(
        fake,
        host=host,
        port=port,
        log_level=log_level,
        lifespan="off",
        access_log=False,
        timeout_graceful_shutdown=2,
    )


def run_server(
    config: FakeConfig,
    host: str = FAKE_HOST,
    port: int = FAKE_PORT,
    log_level: str = "warning",
) -> None:
    """Serve a fresh FakeTwilio until interrupted (blocking)."""
    fake = FakeTwilio(config)
    _install_log_filter()
    uvicorn.Server(_uvicorn_config(fake, host, port, log_level)).run()


@contextlib.asynccontextmanager
async def serve_in_background(
    config: FakeConfig | None = None,
    host: str = FAKE_HOST,
    port: int = 0,
    *,
    fake: FakeTwilio | None = None,
) -> AsyncIterator[tuple[FakeTwilio, str]]:
    """Serve on a real socket in this event loop; yields `(fake, base_url)`.

    `port=0` picks a free port. Pass `fake=` to serve an existing instance.
    """
    app = fake or FakeTwilio(config)
    _install_log_filter()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.setblocking(False)
    bound_port = sock.getsockname()[1]
    server = uvicorn.Server(_uvicorn_config(app, host, bound_port, "warning"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            if task.done():
                task.result()  # raises what stopped the server
                raise RuntimeError("the fake Twilio server stopped before it started")
            await asyncio.sleep(0.01)
        yield app, f"http://{host}:{bound_port}"
    finally:
        server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await task
        sock.close()
