"""The app states the snapshot tests check and `scripts/screenshots.py` draws.

One code path for both: each scenario builds the demo app on the in-process fake (fixed
clock, no latency, no cursor blink) and drives it with a pilot to the state it shows.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from textual.pilot import Pilot

from bindings_tui.ages import fixed_clock
from bindings_tui.browse import ALERT_FINDINGS, BrowseSession
from bindings_tui.fake_twilio import FAKE_BASE_URL, FAKE_NOW
from bindings_tui.fake_twilio.anomalies import seeded_anomalies
from bindings_tui.retry import NO_RETRY
from bindings_tui.tui.app import BindingsApp
from bindings_tui.tui.context import Guard
from bindings_tui.tui.factory import DemoOptions, TransportWrapper, demo_app
from bindings_tui.tui.screens.browser import BrowserScreen
from bindings_tui.tui.screens.user import UserScreen
from bindings_tui.write_policy import WritePolicy

SIZE = (120, 40)
# The sizes the layout must hold at: a bare 80x24 terminal and a wide one.
SMALL, LARGE = (80, 24), (200, 50)
SIZES = (SMALL, SIZE, LARGE)
SEED = 7
BINDINGS = 300
PAGE_SIZE = 50

RunBefore = Callable[[Pilot[Any]], Awaitable[None]]


class GatedTransport(httpx.AsyncBaseTransport):
    """Lets the first `allow` Bindings list requests through; then blocks, or fails.

    `fail=True` answers the next one with a Twilio 500 instead of blocking, so a test
    sees the error state deterministically.
    """

    def __init__(self, inner: httpx.AsyncBaseTransport, allow: int, *, fail: bool = False):
        self.inner = inner
        self.allow = allow
        self.fail = fail
        self.seen = 0
        self.release = asyncio.Event()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "GET" and request.url.path.endswith("/Bindings"):
            self.seen += 1
            if self.seen > self.allow:
                if self.fail:
                    return httpx.Response(
                        500,
                        json={
                            "code": 20500,
                            "message": "An internal server error has occurred",
                            "more_info": "https://www.twilio.com/docs/errors/20500",
                            "status": 500,
                        },
                    )
                await self.release.wait()
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


@dataclass
class Built:
    app: BindingsApp
    fake: Any
    gates: list[GatedTransport] = field(default_factory=list)


def build(
    *,
    bindings: int = BINDINGS,
    gate: int | None = None,
    fail_after: int | None = None,
    wrap: TransportWrapper | None = None,
    guard: Guard | None = None,
    page_size: int = PAGE_SIZE,
    **options: Any,
) -> Built:
    """The demo app as the tests see it: seeded, no latency, fixed clock, no blink.
    `wrap` wraps the fake's transport (the trust tests' traps)."""
    gates: list[GatedTransport] = []
    if gate is not None or fail_after is not None:
        allow = gate if gate is not None else fail_after
        assert allow is not None

        def wrap(inner: httpx.AsyncBaseTransport) -> httpx.AsyncBaseTransport:
            gated = GatedTransport(inner, allow, fail=fail_after is not None)
            gates.append(gated)
            return gated

    app, fake = demo_app(
        DemoOptions(seed=SEED, bindings=bindings, latency_ms=0, page_size=page_size, **options),
        clock=fixed_clock(FAKE_NOW),
        cursor_blink=False,
        wrap_transport=wrap,
        retry=NO_RETRY,
        identity_debounce=0.05,
        guard=guard,
    )
    return Built(app, fake, gates)


async def wait_for(pilot: Pilot[Any], condition: Callable[[], bool], what: str) -> None:
    """Poll (bounded) until `condition` holds; fail with `what` if it never does."""
    for _ in range(500):
        await pilot.pause(0.01)
        if condition():
            await pilot.pause()
            return
    raise AssertionError(f"timed out waiting for {what}")


def is_browser(screen: object) -> bool:
    """The main screen: the one that holds a browse session."""
    return isinstance(getattr(screen, "browse", None), BrowseSession)


def browser(pilot: Pilot[Any]) -> BrowserScreen:
    screen = pilot.app.screen
    assert isinstance(screen, BrowserScreen), f"expected the browser, got {screen!r}"
    return screen


async def wait_first_page(pilot: Pilot[Any]) -> BrowserScreen:
    """The browser once its first page is in (with `build(gate=1)` the list stalls there)."""
    await wait_for(pilot, lambda: is_browser(pilot.app.screen), "browser")
    screen = browser(pilot)
    await wait_for(pilot, lambda: screen.browse.load_state.pages == 1, "the first page")
    return screen


async def wait_loaded(pilot: Pilot[Any]) -> BrowserScreen:
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, BrowserScreen), "the browser")
    screen = browser(pilot)
    await wait_for(
        pilot,
        lambda: screen.browse.load_state.done or screen.browse.load_state.error is not None,
        "the list to load",
    )
    await wait_for(pilot, lambda: screen.browse.service_name is not None, "the service name")
    # The push diagnosis runs once the list has loaded; a screen is settled after it.
    await wait_for(
        pilot,
        lambda: screen.browse.load_state.error is not None or screen.browse.report is not None,
        "the push diagnosis",
    )
    return screen


async def type_text(pilot: Pilot[Any], text: str) -> None:
    for ch in text:
        await pilot.press(ch)


def identity_with_several(built: Built) -> str:
    """The first seeded identity with 2+ bindings among the loaded ones (plain characters)."""
    counts: dict[str, int] = {}
    service = built.fake.service_sids()[0]
    for b in built.fake.bindings(service)[:BINDINGS]:
        if b.identity and re.fullmatch(r"[a-z0-9._@-]+", b.identity):
            counts[b.identity] = counts.get(b.identity, 0) + 1
    return next(i for i, n in counts.items() if n >= 2)


# ---- scenarios -------------------------------------------------------------------------


@dataclass
class Scenario:
    name: str
    make: Callable[[], tuple[BindingsApp, RunBefore | None]]
    description: str


def _login() -> tuple[BindingsApp, RunBefore | None]:
    built = build(logged_out=True)

    async def run(pilot: Pilot[Any]) -> None:
        await pilot.pause()
        await type_text(pilot, "ACnot-a-sid")
        await pilot.press("tab", "tab")
        await type_text(pilot, "secret")
        await pilot.pause()

    return built.app, run


def _picker() -> tuple[BindingsApp, RunBefore | None]:
    built = build(open_picker=True)

    async def run(pilot: Pilot[Any]) -> None:
        from textual.widgets import DataTable

        await wait_for(
            pilot,
            lambda: (
                bool(pilot.app.screen.query(DataTable))
                and pilot.app.screen.query_one(DataTable).row_count > 0
            ),
            "the services",
        )

    return built.app, run


def _loading() -> tuple[BindingsApp, RunBefore | None]:
    built = build(gate=2)

    async def run(pilot: Pilot[Any]) -> None:
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, BrowserScreen), "browser")
        screen = browser(pilot)
        await wait_for(pilot, lambda: screen.browse.load_state.pages >= 2, "two pages")
        await wait_for(pilot, lambda: screen.browse.service_name is not None, "the service name")

    return built.app, run


def _loaded() -> tuple[BindingsApp, RunBefore | None]:
    built = build()

    async def run(pilot: Pilot[Any]) -> None:
        await wait_loaded(pilot)

    return built.app, run


def _filtered() -> tuple[BindingsApp, RunBefore | None]:
    built = build()

    async def run(pilot: Pilot[Any]) -> None:
        await wait_loaded(pilot)
        await pilot.press("slash")
        await type_text(pilot, "chen")
        await pilot.press("enter")
        await pilot.pause()

    return built.app, run


def _empty() -> tuple[BindingsApp, RunBefore | None]:
    built = build()

    async def run(pilot: Pilot[Any]) -> None:
        await wait_loaded(pilot)
        await pilot.press("slash")
        await type_text(pilot, "no-such-user")
        await pilot.pause()

    return built.app, run


def _detail(raw: bool) -> Callable[[], tuple[BindingsApp, RunBefore | None]]:
    def make() -> tuple[BindingsApp, RunBefore | None]:
        built = build()
        identity = identity_with_several(built)

        async def run(pilot: Pilot[Any]) -> None:
            await wait_loaded(pilot)
            await pilot.press("slash")
            await type_text(pilot, f"^{identity}$")
            await pilot.press("enter", "down")
            if raw:
                await pilot.press("v")
            await pilot.pause()

        return built.app, run

    return make


def _delete_modal() -> tuple[BindingsApp, RunBefore | None]:
    built = build()

    async def run(pilot: Pilot[Any]) -> None:
        await wait_loaded(pilot)
        await pilot.press("down", "down", "d")
        await pilot.pause()

    return built.app, run


def _bulk_modal() -> tuple[BindingsApp, RunBefore | None]:
    built = build()

    async def run(pilot: Pilot[Any]) -> None:
        await wait_loaded(pilot)
        await pilot.press("space", "space", "space", "space")  # marks 4 rows
        await pilot.press("slash")
        await type_text(pilot, "!apn")  # hides the marked apn rows
        await pilot.press("enter", "d")
        await pilot.pause()

    return built.app, run


PRODUCTION = Guard(
    WritePolicy(True, "profile prod (read_only = true)"), label="PRODUCTION", color="red"
)


def _read_only() -> tuple[BindingsApp, RunBefore | None]:
    built = build(guard=PRODUCTION)

    async def run(pilot: Pilot[Any]) -> None:
        await wait_loaded(pilot)

    return built.app, run


def _labelled_delete_modal() -> tuple[BindingsApp, RunBefore | None]:
    built = build(guard=Guard(label="STAGING", color="yellow"))

    async def run(pilot: Pilot[Any]) -> None:
        await wait_loaded(pilot)
        await pilot.press("down", "d")
        await pilot.pause()

    return built.app, run


def _error() -> tuple[BindingsApp, RunBefore | None]:
    built = build(fail_after=2)

    async def run(pilot: Pilot[Any]) -> None:
        screen = await wait_loaded(pilot)
        assert screen.browse.load_state.error is not None

    return built.app, run


def _help() -> tuple[BindingsApp, RunBefore | None]:
    built = build()

    async def run(pilot: Pilot[Any]) -> None:
        await wait_loaded(pilot)
        await pilot.press("question_mark")
        await pilot.pause()

    return built.app, run


def _hostile() -> tuple[BindingsApp, RunBefore | None]:
    built = build()

    async def run(pilot: Pilot[Any]) -> None:
        await wait_loaded(pilot)
        await pilot.press("slash")
        await type_text(pilot, "hostile|\\\\x1b|bob|\\[|\\\\u")
        await pilot.press("enter")
        await pilot.pause()

    return built.app, run


def _findings_filter() -> tuple[BindingsApp, RunBefore | None]:
    built = build()

    async def run(pilot: Pilot[Any]) -> None:
        await wait_loaded(pilot)
        await pilot.press("f")  # rows with errors or warnings, markers beside them
        await pilot.pause()

    return built.app, run


def _detail_findings() -> tuple[BindingsApp, RunBefore | None]:
    built = build()
    service = built.fake.service_sids()[0]
    missing = seeded_anomalies(built.fake, service).missing_credential
    sid = min(missing)

    async def run(pilot: Pilot[Any]) -> None:
        await wait_loaded(pilot)
        await pilot.press("slash")
        await type_text(pilot, sid.lower())
        await pilot.press("enter")
        await pilot.pause()

    return built.app, run


def _alert_evidence() -> tuple[BindingsApp, RunBefore | None]:
    built = build()

    async def run(pilot: Pilot[Any]) -> None:
        screen = await wait_loaded(pilot)
        await pilot.press("f", "f")  # every problem, then the rows Twilio's alerts name
        await wait_for(
            pilot, lambda: screen.browse.finding_choice == ALERT_FINDINGS, "the alerts step"
        )
        pilot.app.clear_notifications()  # the toasts would cover the detail pane
        await pilot.pause()

    return built.app, run


PILE_UP_IDENTITY = "qa-tester-ios"  # seeded: many stale apn bindings of one user


def _user_view() -> tuple[BindingsApp, RunBefore | None]:
    built = build()

    async def run(pilot: Pilot[Any]) -> None:
        await wait_loaded(pilot)
        await pilot.press("slash")
        await type_text(pilot, f"^{PILE_UP_IDENTITY}$")
        await pilot.press("enter", "u")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, UserScreen), "the user")
        screen = pilot.app.screen
        assert isinstance(screen, UserScreen)
        await wait_for(pilot, lambda: screen.user_read, "the user's reachability")
        await pilot.pause()

    return built.app, run


FIND_IDENTITIES = "liam.johnson@example.com, olivia.chen@example.com"  # in two services


def _find() -> tuple[BindingsApp, RunBefore | None]:
    from bindings_tui.tui.screens.find import FindScreen

    built = build()

    async def run(pilot: Pilot[Any]) -> None:
        await wait_loaded(pilot)
        await pilot.press("F")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, FindScreen), "find")
        screen = pilot.app.screen
        assert isinstance(screen, FindScreen)
        await type_text(pilot, FIND_IDENTITIES)
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.report is not None, "the search")
        await pilot.press("down", "down", "down", "down")
        await pilot.pause()

    return built.app, run


def _export_modal() -> tuple[BindingsApp, RunBefore | None]:
    built = build()

    async def run(pilot: Pilot[Any]) -> None:
        screen = await wait_loaded(pilot)
        await pilot.press("space", "space", "e")
        await wait_for(pilot, lambda: pilot.app.screen is not screen, "the export modal")
        await pilot.pause()

    return built.app, run


WATCH_NEW_SID = "BS" + "0e" * 16


def _watching() -> tuple[BindingsApp, RunBefore | None]:
    """`w` on an identity query, after another client added, touched and deleted one."""
    from tui.watch_stepper import Stepper

    built = build()
    stepper = Stepper()
    built.app.ctx.watch_sleep = stepper.sleep
    built.fake.admin_now = FAKE_NOW.timestamp
    service = built.fake.service_sids()[0]
    identity = identity_with_several(built)

    async def run(pilot: Pilot[Any]) -> None:
        screen = await wait_loaded(pilot)
        await pilot.press("i")
        await type_text(pilot, identity)
        await pilot.press("enter")
        browse = screen.browse
        await wait_for(pilot, lambda: browse.identity_state.done, "the identity query")
        await pilot.press("w")
        state = browse.watching
        assert state is not None
        await wait_for(pilot, lambda: state.last_refresh is not None, "the baseline")
        first, second = browse.active_rows.loaded()[:2]
        auth = (built.fake.config.account_sid, built.fake.config.auth_token)
        async with httpx.AsyncClient(
            transport=built.fake.transport(), base_url=FAKE_BASE_URL, auth=auth
        ) as other:
            await other.post(
                "/_fake/bindings",
                data={"Identity": identity, "Sid": WATCH_NEW_SID, "Endpoint": "fresh-device"},
            )
            await other.post(f"/_fake/bindings/{second.sid}", data={"Endpoint": "rotated"})
            await other.delete(f"/v1/Services/{service}/Bindings/{first.sid}")
        stepper.step()
        await wait_for(pilot, lambda: WATCH_NEW_SID in state.new, "the refresh")
        pilot.app.clear_notifications()

    return built.app, run


SCENARIOS: list[Scenario] = [
    Scenario("login", _login, "login screen with inline validation"),
    Scenario("service_picker", _picker, "the service picker"),
    Scenario("loading", _loading, "rows shown while pages are still loading"),
    Scenario("loaded", _loaded, "the bindings of the first demo service"),
    Scenario("filtered", _filtered, "a live filter"),
    Scenario("empty_result", _empty, "a filter that matches nothing"),
    Scenario("detail_pane", _detail(raw=False), "one user's binding in the detail pane"),
    Scenario("raw_json", _detail(raw=True), "the raw JSON of a binding"),
    Scenario("delete_modal", _delete_modal, "delete confirmation, focus on Cancel"),
    Scenario("bulk_delete_modal", _bulk_modal, "bulk delete with marks hidden by the filter"),
    Scenario("error_state", _error, "a failed page: Twilio code and link, rows kept"),
    Scenario("read_only", _read_only, "a read-only production profile: label, READ-ONLY, no d"),
    Scenario(
        "labelled_delete_modal",
        _labelled_delete_modal,
        "the confirmation names the account, profile and label in its colour",
    ),
    Scenario("help", _help, "the help screen"),
    Scenario("hostile_identities", _hostile, "hostile identities rendered literally"),
    Scenario("findings_filter", _findings_filter, "f: only rows with push findings, marked"),
    Scenario("detail_findings", _detail_findings, "a binding's findings and its credential"),
    Scenario("user_view", _user_view, "u: one user's verdict, devices and clean-ups"),
    Scenario("export_modal", _export_modal, "e: export the marked rows to a file"),
    Scenario(
        "alert_evidence",
        _alert_evidence,
        "f, f: rows Twilio's alerts name; the alerts, docs and action in the detail pane",
    ),
    Scenario("find_everywhere", _find, "F: two users in every service of both APIs"),
    Scenario("watching", _watching, "w: new, changed and gone rows while watching a user"),
]

# Drawn (and snapshot-tested) at every size in SIZES, not only SIZE.
SIZED = ("loaded", "detail_pane", "delete_modal", "user_view", "help", "read_only")


def size_name(size: tuple[int, int]) -> str:
    return f"{size[0]}x{size[1]}"
