"""Fixtures for the credentials tests: an in-memory keyring, isolated stores, a stub API."""

from __future__ import annotations

import base64
import json
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import keyring
import keyring.backend
import pytest

from bindings_tui.credentials.profiles import ProfileStore
from bindings_tui.credentials.secrets import SecretStore

from .memory_keyring import MemoryKeyring, installed_memory_keyring

ACCOUNT = "AC" + "0123456789abcdef" * 2
OTHER_ACCOUNT = "AC" + "fedcba9876543210" * 2
API_KEY = "SK" + "00112233445566778899aabbccddeeff"
SERVICE = "IS" + "a" * 32
# Distinctive, so a search for it on disk cannot match anything by accident.
SECRET = "s3cr3t-Zq7XK2mVbN8wPq4L-hygiene"


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    with installed_memory_keyring() as backend:
        yield backend


@pytest.fixture
def use_backend() -> Iterator[object]:
    """Call the yielded function with a backend to make it the keyring; restored after."""
    previous = keyring.get_keyring()

    def use(backend: keyring.backend.KeyringBackend) -> None:
        keyring.set_keyring(backend)

    yield use
    keyring.set_keyring(previous)


@pytest.fixture
def config_dir() -> Path:
    return Path(os.environ["BINDINGS_TUI_CONFIG_DIR"])


@pytest.fixture
def store(config_dir: Path) -> ProfileStore:
    return ProfileStore(config_dir)


@pytest.fixture
def secrets() -> SecretStore:
    return SecretStore(timeout=5.0)


# ---- a tiny Twilio stand-in over a real socket (for CLI tests that cannot inject a transport)


@dataclass
class StubApi:
    base_url: str
    good: dict[str, str]  # basic-auth user -> secret
    requests: list[str] = field(default_factory=list)


def _page(base: str) -> bytes:
    return json.dumps(
        {
            "services": [
                {
                    "sid": SERVICE,
                    "account_sid": ACCOUNT,
                    "friendly_name": "stub",
                    "date_created": "2024-01-01T00:00:00Z",
                    "date_updated": "2024-01-01T00:00:00Z",
                    "url": f"{base}/v1/Services/{SERVICE}",
                    "links": {},
                }
            ],
            "meta": {
                "page": 0,
                "page_size": 1,
                "first_page_url": f"{base}/v1/Services?PageSize=1&Page=0",
                "previous_page_url": None,
                "url": f"{base}/v1/Services?PageSize=1&Page=0",
                "next_page_url": None,
                "key": "services",
            },
        }
    ).encode()


@pytest.fixture
def stub_api() -> Iterator[StubApi]:
    """Answers GET /v1|v2/Services: a page for the known credentials, else 401 20003."""
    state = StubApi(base_url="", good={ACCOUNT: SECRET, API_KEY: SECRET})

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # keep test output clean
            return

        def do_GET(self) -> None:
            state.requests.append(self.path)
            header = self.headers.get("Authorization", "")
            user, secret = "", ""
            if header.startswith("Basic "):
                user, _, secret = base64.b64decode(header[6:]).decode().partition(":")
            if state.good.get(user) != secret or not secret:
                body = json.dumps(
                    {
                        "code": 20003,
                        "message": "Authenticate",
                        "more_info": "https://www.twilio.com/docs/errors/20003",
                        "status": 401,
                    }
                ).encode()
                self.send_response(401)
            else:
                body = _page(state.base_url)
                self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
