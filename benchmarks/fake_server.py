"""`bindings-tui fake-twilio` as a subprocess on a loopback port, for one benchmark size."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO

import httpx

from bindings_tui.fake_twilio import DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN

START_TIMEOUT_S = 120.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def cli_command() -> list[str]:
    """The installed `bindings-tui` beside this interpreter, else `python -m bindings_tui`."""
    script = Path(sys.executable).with_name("bindings-tui")
    if script.exists():
        return [str(script)]
    found = shutil.which("bindings-tui")
    return [found] if found else [sys.executable, "-m", "bindings_tui"]


@dataclass
class FakeServer:
    """Starts the fake, waits until it answers an authenticated request, stops it on exit."""

    bindings: int
    latency_ms: float
    seed: int = 7
    # --strict-page-size: refuse a PageSize above the OpenAPI spec's maximum (400).
    strict_page_size: bool = False

    def __post_init__(self) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.account_sid = DEMO_ACCOUNT_SID
        self.auth_token = DEMO_AUTH_TOKEN
        self.main_service = ""
        self.start_seconds = 0.0
        self._process: subprocess.Popen[bytes] | None = None
        self._stderr: IO[bytes] | None = None

    def __enter__(self) -> FakeServer:
        command = [
            *cli_command(),
            "fake-twilio",
            "--port",
            str(self.port),
            "--seed",
            str(self.seed),
            "--bindings",
            str(self.bindings),
            "--latency-ms",
            str(self.latency_ms),
            *(["--strict-page-size"] if self.strict_page_size else []),
        ]
        began = time.perf_counter()
        # A file, not a pipe: a chatty server must never block on a full pipe mid-benchmark.
        self._stderr = tempfile.TemporaryFile()  # closed in stop()
        self._process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=self._stderr, start_new_session=True
        )
        try:
            self.main_service = self._wait_ready()
        except BaseException:
            self.stop()
            raise
        self.start_seconds = time.perf_counter() - began
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _wait_ready(self) -> str:
        """Poll until the services list answers; return the main (first, seeded) service."""
        deadline = time.monotonic() + START_TIMEOUT_S
        auth = (self.account_sid, self.auth_token)
        with httpx.Client(base_url=self.base_url, auth=auth, timeout=5.0) as http:
            while True:
                assert self._process is not None
                if self._process.poll() is not None:
                    err = ""
                    if self._stderr is not None:
                        self._stderr.seek(0)
                        err = self._stderr.read().decode(errors="replace")
                    raise RuntimeError(f"fake-twilio exited early: {err.strip()[-400:]}")
                try:
                    response = http.get("/v1/Services", params={"PageSize": 50})
                except httpx.TransportError:
                    response = None
                if response is not None and response.status_code == 200:
                    return _main_service(response.json()["services"])
                if time.monotonic() > deadline:
                    raise RuntimeError(f"fake-twilio did not answer within {START_TIMEOUT_S} s")
                time.sleep(0.05)

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, signal.SIGTERM)  # its own session: only what we started
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None


def _main_service(services: list[dict[str, object]]) -> str:
    """The seeded service that holds `--bindings` bindings ("... (production)")."""
    for service in services:
        if "production" in str(service.get("friendly_name", "")):
            return str(service["sid"])
    raise RuntimeError("the fake has no '(production)' service: its seeding changed?")
