"""Hostile servers and exceptions for the TUI's trust tests (issue 12).

`Trap` wraps the fake's transport: armed, it raises a chosen exception (or answers a chosen
response) for matching requests, so every entry point of the app can be hit with an error
it does not expect. `screen_text` reads what the app would show (the SVG screenshot, tags
stripped) so a test can check the bytes: no raw control character, markup literal.
"""

from __future__ import annotations

import dataclasses
import html
import re
from collections.abc import Callable
from typing import Any

import httpx
from textual.pilot import Pilot

from bindings_tui.fake_twilio.records import FakeBinding
from bindings_tui.tui.app import BindingsApp
from tui.scenarios import Built, build

Match = Callable[[httpx.Request], bool]

OSC52 = "\x1b]52;c;cm0gLXJmIH4K\x07"  # writes `rm -rf ~` into the terminal clipboard
OSC0 = "\x1b]0;pwned\x07"  # sets the window title
CLEAR = "\x1b[2J"
C1_CSI = "\x9b31m"
BIDI = "\u202e"
CLICK = "[@click=app.quit]q[/]"
CLOSE = "bob[/b]"
LINK = "[link=https://evil.example]x[/link]"
HOSTILE_TEXTS = (OSC52, OSC0, CLEAR, C1_CSI, BIDI, CLICK, CLOSE, LINK)
# A record's own sid must be a well-formed SID (the parse boundary refuses the page
# otherwise); every other SID field may carry anything and must still be shown inert.
HOSTILE_SID = "BS" + OSC52 + "0" * 8
SID_ROW = "BS" + "f" * 32
HOSTILE_SID_FIELD = "CR" + OSC52 + "0" * 8
HOSTILE_CREDENTIAL = "CR" + OSC0 + "1" * 8
HOSTILE_SERVICE_NAME = f"svc{OSC0}{CLICK}{CLOSE}"
# An error body whose message is markup and escapes.
HOSTILE_ERROR = {
    "code": 20500,
    "message": f"boom {CLOSE} {CLICK} {OSC52}",
    "more_info": "https://www.twilio.com/docs/errors/20500",
    "status": 500,
}

RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


class Trap(httpx.AsyncBaseTransport):
    """The fake's transport, plus armed traps: `arm(match, error=...)` raises `error`
    (an exception instance) for the next matching requests; `respond=` answers instead."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.traps: list[tuple[Match, BaseException | None, httpx.Response | None]] = []
        self.seen: list[tuple[str, str]] = []

    def arm(
        self,
        match: Match,
        *,
        error: BaseException | None = None,
        respond: httpx.Response | None = None,
    ) -> None:
        self.traps.append((match, error, respond))

    def disarm(self) -> None:
        self.traps.clear()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.seen.append((request.method, request.url.path))
        for match, error, respond in self.traps:
            if match(request):
                if error is not None:
                    raise error
                if respond is not None:
                    return httpx.Response(
                        respond.status_code, headers=respond.headers, content=respond.content
                    )
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


@dataclasses.dataclass
class Trapped:
    built: Built
    traps: list[Trap]

    @property
    def app(self) -> BindingsApp:
        return self.built.app

    def arm(self, match: Match, **kwargs: Any) -> None:
        """Arm every transport the app has built and will build."""
        self._armed.append((match, kwargs))
        for trap in self.traps:
            trap.arm(match, **kwargs)

    def disarm(self) -> None:
        self._armed.clear()
        for trap in self.traps:
            trap.disarm()

    def seen(self) -> list[tuple[str, str]]:
        return [s for t in self.traps for s in t.seen]

    _armed: list[tuple[Match, dict[str, Any]]] = dataclasses.field(default_factory=list)


def build_trapped(**options: Any) -> Trapped:
    traps: list[Trap] = []
    holder: list[Trapped] = []

    def wrap(inner: httpx.AsyncBaseTransport) -> httpx.AsyncBaseTransport:
        trap = Trap(inner)
        if holder:
            for match, kwargs in holder[0]._armed:
                trap.arm(match, **kwargs)
        traps.append(trap)
        return trap

    built = build(wrap=wrap, **options)
    trapped = Trapped(built, traps)
    holder.append(trapped)
    return trapped


def path_has(*parts: str, method: str = "GET") -> Match:
    def match(request: httpx.Request) -> bool:
        target = str(request.url)
        return request.method == method and all(p in target for p in parts)

    return match


def list_bindings() -> Match:
    return lambda r: r.method == "GET" and r.url.path.endswith("/Bindings")


def list_services() -> Match:
    return lambda r: r.method == "GET" and r.url.path.rstrip("/").endswith("/Services")


def twilio_error(status: int = 500, body: dict[str, Any] | None = None) -> httpx.Response:
    return httpx.Response(status, json=body or HOSTILE_ERROR)


def add_hostile_records(built: Built) -> str:
    """Bindings whose every field is hostile (SID, identity, endpoint, credential), and a
    hostile service name, in the first service. Returns that service's SID."""
    fake = built.fake
    service = fake.service_sids()[0]
    store = fake.store
    store.services[service] = dataclasses.replace(
        store.services[service], friendly_name=HOSTILE_SERVICE_NAME
    )
    template = fake.bindings(service)[0]
    for n, text in enumerate(HOSTILE_TEXTS):
        store.bindings[service].add(
            template._replace(
                sid=f"BS{n:032x}",
                identity=f"{text}who{n}",
                endpoint=f"{text}ep{n}",
                credential_sid=HOSTILE_CREDENTIAL if n % 2 else template.credential_sid,
                binding_type="fcm",
            )
        )
    store.bindings[service].add(
        template._replace(
            sid=SID_ROW,
            identity=f"sid-{CLICK}",
            binding_type="fcm",
            credential_sid=HOSTILE_SID_FIELD,
        )
    )
    return service


def screen_text(app: BindingsApp) -> str:
    """What the terminal shows, as text (SVG screenshot, tags stripped, entities decoded)."""
    svg = app.export_screenshot()
    body = re.sub(r"<style.*?</style>", "", svg, flags=re.S)
    text = re.sub(r"<[^>]+>", "", body)
    return html.unescape(text).replace("\xa0", " ")


def raw_controls(text: str) -> list[str]:
    return sorted({repr(c) for c in RAW.findall(text)})


def notifications(app: BindingsApp) -> list[str]:
    return [f"{n.title}: {n.message}" for n in app._notifications]


async def still_alive(pilot: Pilot[Any]) -> None:
    """The app runs and answers keys: `?` opens help, escape closes it."""
    app = pilot.app
    assert app.is_running
    before = len(app.screen_stack)
    await pilot.press("question_mark")
    await pilot.pause()
    assert len(app.screen_stack) == before + 1, "a key no longer works"
    await pilot.press("escape")
    await pilot.pause()
    assert app.is_running


__all__ = ["FakeBinding"]
