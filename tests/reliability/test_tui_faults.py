"""The TUI's load of a multi-page service against the fake over a real socket, under faults.

Transient faults: the table ends with exactly the server's SIDs. Fatal faults: the status
line names the Twilio code, what was loaded stays, `r` retries. No timing asserts: the
waits are bounded polls that fail when something hangs.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator
from typing import Any

import pytest
from textual.pilot import Pilot

from bindings_tui.ages import fixed_clock
from bindings_tui.fake_twilio import FAKE_NOW, FakeConfig, FakeTwilio, serve_in_background
from bindings_tui.fake_twilio.faults import FaultInjector
from bindings_tui.models import ApiFlavor
from bindings_tui.retry import RetryPolicy
from bindings_tui.tui.app import BindingsApp
from bindings_tui.tui.context import AppContext, Backend
from bindings_tui.tui.screens.browser import BrowserScreen

SIZE = (120, 40)
PAGE = 50
FAST_RETRY = RetryPolicy(max_attempts=6, base_delay=0.01, max_delay=0.05, max_retry_after=0.05)
# With 40% of requests faulted, six tries fail in a row with p = 0.4**6 = 0.4% per page: over
# the ~20 requests of a load that flaked about once in 12 runs. Twelve tries make it ~1e-5.
PATIENT_RETRY = dataclasses.replace(FAST_RETRY, max_attempts=12)


def make_app(
    fake: FakeTwilio, url: str, *, timeout: float = 10.0, retry: RetryPolicy = FAST_RETRY
) -> BindingsApp:
    ctx = AppContext(
        api=ApiFlavor.CONVERSATIONS,
        credentials=fake.credentials(),
        profile_name="test",
        service_sid=fake.service_sids()[0],
        backend=Backend(base_url=url, timeout=timeout, retry=retry),
        clock=fixed_clock(FAKE_NOW),
        page_size=PAGE,
        remember=False,
    )
    return BindingsApp(ctx, cursor_blink=False)


async def settle(pilot: Pilot[Any]) -> BrowserScreen:
    """Bounded poll until the browser's load is done or stopped (fails if it hangs)."""
    for _ in range(3000):
        await pilot.pause(0.01)
        screen = pilot.app.screen
        if isinstance(screen, BrowserScreen) and (
            screen.browse.load_state.done or screen.browse.load_state.error is not None
        ):
            await pilot.pause()
            return screen
    raise AssertionError("the load neither finished nor failed: hung")


def assert_no_secret(app: BindingsApp, fake: FakeTwilio) -> None:
    """The secret is on no screen, in no notification and in no error the app holds."""
    secret = fake.credentials().secret.reveal()
    texts = [app.export_screenshot()]
    texts += [str(n.message) + str(n.title) for n in app._notifications]
    for screen in app.screen_stack:
        if isinstance(screen, BrowserScreen) and screen.browse.load_state.error is not None:
            texts.append(str(screen.browse.load_state.error) + repr(screen.browse.load_state.error))
    assert all(secret not in text for text in texts)


def loaded_sids(screen: BrowserScreen) -> list[str]:
    return [b.sid for b in screen.browse.rows.in_view()]


def status_text(screen: BrowserScreen) -> str:
    return str(screen.query_one("#status-left").render())


@pytest.fixture
async def served() -> AsyncIterator[tuple[FakeTwilio, str]]:
    async with serve_in_background(FakeConfig(seed=5, bindings=600)) as pair:
        yield pair


async def test_transient_faults_load_exactly_the_servers_set(
    served: tuple[FakeTwilio, str],
) -> None:
    fake, url = served
    fake.faults = FaultInjector(
        "429:0.1,429-retry-after:0.05,500:0.05,502:0.05,503:0.05,drop:0.05,truncate:0.05", seed=9
    )
    app = make_app(fake, url, retry=PATIENT_RETRY)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(pilot)
        assert screen.browse.load_state.error is None, status_text(screen)
        sids = loaded_sids(screen)
        assert len(sids) == len(set(sids))
        assert set(sids) == fake.binding_sids(ApiFlavor.CONVERSATIONS, fake.service_sids()[0])
        assert fake.faults.fired, "no fault fired: the test proves nothing"
        assert_no_secret(app, fake)


async def test_a_slow_response_times_out_and_is_retried(served: tuple[FakeTwilio, str]) -> None:
    fake, url = served
    fake.faults.script("slow", path_contains="PageToken", times=1, seconds=4)
    app = make_app(fake, url, timeout=1.0)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(pilot)
        assert screen.browse.load_state.error is None, status_text(screen)
        assert set(loaded_sids(screen)) == fake.binding_sids(
            ApiFlavor.CONVERSATIONS, fake.service_sids()[0]
        )


@pytest.mark.parametrize(
    ("kind", "needle"),
    [
        ("21481", "21481"),
        ("503", "503"),
        ("html-error", "non-JSON"),
        ("next-page-same", "same next_page_url"),
    ],
)
async def test_fatal_fault_keeps_rows_names_the_code_and_r_retries(
    served: tuple[FakeTwilio, str], kind: str, needle: str
) -> None:
    fake, url = served
    service = fake.service_sids()[0]
    # Pages 1 and 2 load; from page 3 on the fault repeats past every retry.
    fake.faults.script(kind, path_contains="Page=2", times=100)
    app = make_app(fake, url)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settle(pilot)
        assert screen.browse.load_state.error is not None
        assert needle in status_text(screen)
        kept = loaded_sids(screen)
        assert_no_secret(app, fake)
        assert len(kept) >= 2 * PAGE, "what was loaded must stay on screen"
        assert len(kept) == len(set(kept))
        fake.faults.clear()
        await pilot.press("r")
        await pilot.pause(0.05)
        screen = await settle(pilot)
        assert screen.browse.load_state.error is None, status_text(screen)
        assert set(loaded_sids(screen)) == fake.binding_sids(ApiFlavor.CONVERSATIONS, service)


async def test_401_mid_listing_goes_to_login_with_rows_kept(served: tuple[FakeTwilio, str]) -> None:
    from bindings_tui.tui.screens.login import LoginScreen

    fake, url = served
    fake.faults.script("401", path_contains="Page=2", times=1)
    app = make_app(fake, url)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(3000):
            await pilot.pause(0.01)
            if isinstance(pilot.app.screen, LoginScreen):
                break
        assert isinstance(pilot.app.screen, LoginScreen)
        browsers = [s for s in pilot.app.screen_stack if isinstance(s, BrowserScreen)]
        assert browsers and browsers[0].browse.rows.loaded_count >= 2 * PAGE
        assert_no_secret(app, fake)


async def test_foreign_next_page_url_gets_nothing_from_the_tui(
    served: tuple[FakeTwilio, str],
) -> None:
    fake, url = served
    port = int(url.rsplit(":", 1)[1])
    received = bytearray()

    async def record(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        received.extend(await reader.read(65536))
        writer.close()

    try:
        server = await asyncio.start_server(record, "127.0.0.2", port)
    except OSError as exc:
        pytest.skip(f"cannot listen on 127.0.0.2:{port} on this machine ({exc})")
    try:
        fake.faults.script("next-page-foreign-host", path_contains="/Bindings", times=4)
        app = make_app(fake, url)
        async with app.run_test(size=SIZE) as pilot:
            screen = await settle(pilot)
            assert screen.browse.load_state.error is None, status_text(screen)
            assert set(loaded_sids(screen)) == fake.binding_sids(
                ApiFlavor.CONVERSATIONS, fake.service_sids()[0]
            )
    finally:
        server.close()
        await server.wait_closed()
    assert bytes(received) == b""
