"""Shared pieces for the CLI attack tests: a network that records, and the output checks."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx
import pytest

ACCOUNT = "AC" + "c" * 32
SERVICE = "IS" + "a" * 32
BINDING = "BS" + "b" * 32
CREDENTIAL = "CR" + "d" * 32
TOKEN = "tok-Recognisable-7f3a9c1e55"

# What must never reach a terminal raw: C0 controls but \n, DEL, C1 controls, bidi overrides.
RAW_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@dataclass
class Network:
    """Every request a real (socket) transport was asked to send, answered by `reply`."""

    requests: list[httpx.Request] = field(default_factory=list)
    reply: Callable[[httpx.Request], httpx.Response] | None = None


def install_network(monkeypatch: pytest.MonkeyPatch) -> Network:
    net = Network()

    async def handle(self: httpx.AsyncHTTPTransport, request: httpx.Request) -> httpx.Response:
        net.requests.append(request)
        if net.reply is None:
            raise httpx.ConnectError("the test network refuses every connection")
        await request.aread()
        return net.reply(request)

    monkeypatch.setattr(httpx.AsyncHTTPTransport, "handle_async_request", handle)
    return net


def env_credentials(monkeypatch: pytest.MonkeyPatch, **extra: str) -> None:
    for name in ("TWILIO_API_KEY", "TWILIO_API_SECRET", "TWILIO_REGION", "TWILIO_EDGE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", ACCOUNT)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", TOKEN)
    for name, value in extra.items():
        monkeypatch.setenv(name, value)


def assert_one_error_line(err: str, *needles: str) -> None:
    """Exactly one line, `bindings-tui: error: ...`, inert, no traceback, no token."""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("bindings-tui: error: "), err
    assert "Traceback" not in err
    assert TOKEN not in err
    assert not RAW_CONTROL.search(err), repr(err)
    for needle in needles:
        assert needle in err, (needle, err)


def assert_inert(text: str) -> None:
    # csv ends its records with CRLF (RFC 4180): that CR is the format's, not the data's.
    assert not RAW_CONTROL.search(text.replace("\r\n", "\n")), repr(text[:500])
    assert "Traceback" not in text
    assert TOKEN not in text
