"""Issue 12 for the TUI: one error handler, one inert text path, state that cannot desync.

Every entry point (load, reload, identity query, service picker, service name, diagnosis,
delete, user view, login) is hit with exceptions the code does not expect; every screen is
walked with server text that carries escapes and markup; the API switch and a failing
reload are checked against the requests the server saw.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from credentials.memory_keyring import MemoryKeyring, installed_memory_keyring
from textual.dom import DOMNode

import bindings_tui.tui
from bindings_tui.credentials.secret import Secret
from bindings_tui.fake_twilio.constants import DEMO_AUTH_TOKEN
from bindings_tui.models import ApiFlavor
from bindings_tui.tui.guard import is_guarded
from bindings_tui.tui.screens.browser import BrowserScreen
from bindings_tui.tui.screens.confirm import ConfirmModal
from bindings_tui.tui.screens.login import LoginScreen
from bindings_tui.tui.screens.service_picker import ServicePickerScreen
from bindings_tui.tui.screens.user import UserScreen
from bindings_tui.tui.widgets.bindings_table import BindingsTable
from tui.scenarios import SIZE, browser, build, type_text, wait_for, wait_loaded
from tui.trust_kit import (
    CLICK,
    CLOSE,
    HOSTILE_ERROR,
    HOSTILE_SID,
    SID_ROW,
    Trapped,
    add_hostile_records,
    build_trapped,
    list_bindings,
    list_services,
    notifications,
    path_has,
    raw_controls,
    screen_text,
    still_alive,
    twilio_error,
)

TUI_DIR = Path(bindings_tui.tui.__file__).parent
UNEXPECTED = [OverflowError("date value out of range"), RecursionError("too deep")]
IDS = ["OverflowError", "RecursionError"]


# ---- by construction: every entry point Textual calls is guarded -----------------------


def _tui_classes() -> Iterator[type]:
    for info in pkgutil.walk_packages([str(TUI_DIR)], prefix="bindings_tui.tui."):
        module = importlib.import_module(info.name)
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ == module.__name__ and issubclass(cls, DOMNode):
                yield cls


def test_every_handler_action_and_worker_is_guarded() -> None:
    """A new `on_*`, `action_*`, `watch_*`, `@on` handler or worker that is not wrapped
    would end the app with a traceback (and its locals) on the first surprise."""
    unguarded = []
    checked = 0
    for cls in _tui_classes():
        for name, member in vars(cls).items():
            handler = (
                name.startswith(("on_", "action_", "watch_"))
                or hasattr(member, "_textual_on")
                or name in {"bindings_changed"}
            )
            if callable(member) and handler:
                checked += 1
                if not is_guarded(member):
                    unguarded.append(f"{cls.__name__}.{name}")
    assert checked > 40
    assert unguarded == []


def _calls(tree: ast.AST, name: str) -> Iterator[ast.Call]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if called == name:
                yield node


def test_no_unguarded_worker_markup_toast_or_str_title_in_the_tui() -> None:
    problems = []
    for path in TUI_DIR.rglob("*.py"):
        tree = ast.parse(path.read_text())
        for call in _calls(tree, "work"):
            if path.name != "guard.py":
                problems.append(f"{path.name}:{call.lineno} uses @work (use guard.background)")
        for call in _calls(tree, "run_worker"):
            flags = {k.arg: k.value for k in call.keywords}
            value = flags.get("exit_on_error")
            if not (isinstance(value, ast.Constant) and value.value is False):
                problems.append(f"{path.name}:{call.lineno} run_worker without exit_on_error")
        for call in _calls(tree, "notify"):
            for keyword in call.keywords:
                if keyword.arg == "markup" and not (
                    isinstance(keyword.value, ast.Constant) and keyword.value.value is False
                ):
                    problems.append(f"{path.name}:{call.lineno} notify with markup")
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Attribute) and target.attr in (
                        "border_title",
                        "border_subtitle",
                        "sub_title",
                    ):
                        value = node.value
                        ok = isinstance(value, ast.Call) and getattr(value.func, "id", "") in (
                            "title",
                            "inert",
                        )
                        if not ok:
                            problems.append(f"{path.name}:{node.lineno} {target.attr} not inert")
    assert problems == []


async def test_app_notify_never_parses_markup_and_shows_escapes() -> None:
    built = build()
    async with built.app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_loaded(pilot)
        pilot.app.notify(f"{CLOSE} {CLICK} \x1b]52;c;eA==\x07", title=CLOSE, markup=True)
        await pilot.pause()
        text = screen_text(pilot.app)
        assert CLOSE in text and CLICK in text
        assert raw_controls(text) == []
        await still_alive(pilot)


# ---- unexpected exceptions at every entry point ----------------------------------------


async def _alive_with_one_line(pilot: Any, trapped: Trapped, needle: str) -> None:
    app = pilot.app
    assert app.is_running
    shown = screen_text(app) + "\n".join(notifications(app))
    assert needle in shown, shown[-2000:]
    assert "Traceback" not in shown
    await still_alive(pilot)


@pytest.mark.parametrize("error", UNEXPECTED, ids=IDS)
async def test_unexpected_error_in_the_first_load(error: Exception) -> None:
    trapped = build_trapped()
    trapped.arm(list_bindings(), error=error)
    async with trapped.app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await wait_loaded(pilot)
        assert screen.browse.load_state.error is not None
        findings = str(screen.query_one("#findings").render())
        assert "not available" in findings  # never "after the list has loaded" forever
        await _alive_with_one_line(pilot, trapped, f"unexpected {type(error).__name__}")


@pytest.mark.parametrize("error", UNEXPECTED, ids=IDS)
async def test_unexpected_error_in_a_reload_keeps_the_rows(error: Exception) -> None:
    trapped = build_trapped()
    async with trapped.app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await wait_loaded(pilot)
        before = sorted(b.sid for b in screen.browse.rows.in_view())
        trapped.arm(list_bindings(), error=error)
        await pilot.press("r")
        await wait_for(
            pilot, lambda: screen.browse.load_state.error is not None, "the reload to fail"
        )
        assert sorted(b.sid for b in screen.browse.rows.in_view()) == before
        status = str(screen.query_one("#status-left").render())
        assert "reload failed" in status and "stale" in status
        await _alive_with_one_line(pilot, trapped, f"unexpected {type(error).__name__}")


@pytest.mark.parametrize("error", UNEXPECTED, ids=IDS)
async def test_unexpected_error_in_the_identity_query(error: Exception) -> None:
    trapped = build_trapped()
    async with trapped.app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await wait_loaded(pilot)
        trapped.arm(path_has("Identity="), error=error)
        await pilot.press("i")
        await type_text(pilot, "alice")
        await wait_for(pilot, lambda: screen.browse.identity_state.error is not None, "the failure")
        await pilot.press("escape")  # leave the identity box, back to the table
        await _alive_with_one_line(pilot, trapped, f"unexpected {type(error).__name__}")


@pytest.mark.parametrize("error", UNEXPECTED, ids=IDS)
async def test_unexpected_error_in_the_service_picker(error: Exception) -> None:
    trapped = build_trapped(open_picker=True)
    trapped.arm(list_services(), error=error)
    async with trapped.app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_for(
            pilot,
            lambda: "Could not list" in str(pilot.app.screen.query_one("#picker-status").render()),
            "the picker's error line",
        )
        assert isinstance(pilot.app.screen, ServicePickerScreen)
        text = screen_text(pilot.app)
        assert f"unexpected {type(error).__name__}" in text
        await pilot.press("r")  # still answers keys
        await pilot.pause()
        assert pilot.app.is_running


@pytest.mark.parametrize("error", UNEXPECTED, ids=IDS)
async def test_unexpected_error_fetching_the_service_name(error: Exception) -> None:
    trapped = build_trapped()
    service = trapped.built.fake.service_sids()[0]
    trapped.arm(lambda r: r.method == "GET" and r.url.path.endswith(service), error=error)
    async with trapped.app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, BrowserScreen), "browser")
        screen = browser(pilot)
        await wait_for(pilot, lambda: screen.browse.load_state.done, "the list")
        await wait_for(pilot, lambda: bool(notifications(pilot.app)), "the error toast")
        await _alive_with_one_line(pilot, trapped, f"unexpected {type(error).__name__}")


@pytest.mark.parametrize("error", UNEXPECTED, ids=IDS)
async def test_unexpected_error_in_the_diagnosis(error: Exception) -> None:
    trapped = build_trapped()
    trapped.arm(path_has("/Credentials/"), error=error)
    async with trapped.app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, BrowserScreen), "browser")
        screen = browser(pilot)
        await wait_for(
            pilot,
            lambda: (screen.browse.diagnosis_status or "").startswith("not available"),
            "the findings line to say the diagnosis failed",
        )
        await _alive_with_one_line(pilot, trapped, f"unexpected {type(error).__name__}")


@pytest.mark.parametrize("error", UNEXPECTED, ids=IDS)
async def test_unexpected_error_in_a_delete(error: Exception) -> None:
    trapped = build_trapped()
    async with trapped.app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await wait_loaded(pilot)
        target = screen.table.current
        assert target is not None
        trapped.arm(lambda r: r.method == "DELETE", error=error)
        await pilot.press("d", "y")
        await wait_for(pilot, lambda: bool(notifications(pilot.app)), "the toast")
        await wait_for(pilot, lambda: target.sid not in screen.browse.rows.pending, "the undim")
        assert target.sid in screen.browse.rows
        # An exception that is not an answer: whether the DELETE went out is unknown.
        assert any("outcome unknown" in n for n in notifications(pilot.app))
        await _alive_with_one_line(pilot, trapped, f"unexpected {type(error).__name__}")


@pytest.mark.parametrize("error", UNEXPECTED, ids=IDS)
async def test_unexpected_error_building_the_user_view(
    error: Exception, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise error

    monkeypatch.setattr("bindings_tui.tui.screens.user.device_prompt", broken)
    trapped = build_trapped()
    async with trapped.app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_loaded(pilot)
        await pilot.press("u")
        await wait_for(pilot, lambda: bool(notifications(pilot.app)), "the toast")
        assert isinstance(pilot.app.screen, BrowserScreen)
        await _alive_with_one_line(pilot, trapped, f"unexpected {type(error).__name__}")


# ---- the login: the secret is nowhere after any failure ---------------------------------


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    with installed_memory_keyring() as backend:
        yield backend


LOGIN_SECRET = DEMO_AUTH_TOKEN  # what the fake accepts once the trap is gone


@pytest.mark.parametrize(
    "fault",
    [
        OverflowError("Retry-After date out of range"),
        RecursionError("maximum recursion depth exceeded"),
        ValueError(f"leaks {LOGIN_SECRET}"),
        twilio_error(500),
        httpx.Response(429, headers={"Retry-After": "Fri, 31 Dec 99999 23:59:59 GMT"}),
    ],
    ids=["OverflowError", "RecursionError", "ValueError-with-secret", "500-markup", "retry-after"],
)
async def test_login_failure_is_one_line_and_the_secret_is_nowhere(
    fault: Any, memory_keyring: MemoryKeyring
) -> None:
    trapped = build_trapped(logged_out=True)
    account = trapped.built.fake.credentials().account_sid
    if isinstance(fault, httpx.Response):
        trapped.arm(list_services(), respond=fault)
    else:
        trapped.arm(list_services(), error=fault)
    async with trapped.app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, LoginScreen), "login")
        login = pilot.app.screen
        assert isinstance(login, LoginScreen)
        await type_text(pilot, account)
        await pilot.press("tab", "tab")
        await type_text(pilot, LOGIN_SECRET)
        secret = login._secret()
        assert isinstance(secret, Secret) and LOGIN_SECRET not in f"{secret!r}{secret}"
        await pilot.press("ctrl+s")

        def status() -> str:
            return str(login.query_one("#login-status").render())

        await wait_for(pilot, lambda: "Checking" not in status() and status() != "", "result")
        assert pilot.app.is_running and pilot.app.screen is login
        shown = screen_text(pilot.app) + "\n".join(notifications(pilot.app)) + status()
        assert LOGIN_SECRET not in shown
        assert "Traceback" not in shown
        assert raw_controls(shown) == []
        assert not memory_keyring.entries  # nothing saved after a failed check
        trapped.disarm()
        await pilot.press("ctrl+s")  # the form is still usable: now it logs in
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, BrowserScreen), "browser")


# ---- untrusted text on every screen -----------------------------------------------------


async def _check_screen(pilot: Any, what: str, *literal: str) -> str:
    await pilot.pause()
    app = pilot.app
    assert app.is_running, what
    text = screen_text(app) + "\n".join(notifications(app))
    assert raw_controls(text) == [], f"{what}: raw control characters reached the screen"
    for needle in literal:
        assert needle in text, f"{what}: {needle!r} is not shown literally"
    return text


async def test_a_record_with_a_hostile_sid_fails_the_load_in_one_inert_line() -> None:
    """The parse boundary refuses a record whose own sid is not a SID: the load stops with
    one line (the escape shown, not run), the app lives on."""
    trapped = build_trapped()
    service = trapped.built.fake.service_sids()[0]
    store = trapped.built.fake.store
    template = trapped.built.fake.bindings(service)[0]
    store.bindings[service].add(template._replace(sid=HOSTILE_SID, identity="sid-x"))
    async with trapped.app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await wait_loaded(pilot)
        assert screen.browse.load_state.error is not None
        await _check_screen(pilot, "error status", "no valid sid", "\\x1b]52")
        await still_alive(pilot)


async def test_hostile_server_text_is_inert_on_every_screen() -> None:
    trapped = build_trapped()
    add_hostile_records(trapped.built)
    async with trapped.app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await wait_loaded(pilot)
        await _check_screen(pilot, "header", "svc\\x1b]0;pwned\\x07", CLICK)
        await pilot.press("slash")
        await type_text(pilot, "who")
        await pilot.press("enter")
        await _check_screen(pilot, "table", CLOSE, CLICK, "\\x1b]52;c;")
        # the hostile SID's row: table cell, detail pane and its border title
        await pilot.press("slash", "escape", "slash")
        await type_text(pilot, "sid-")
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.table.current is not None, "the row")
        assert screen.table.current is not None and screen.table.current.sid == SID_ROW
        await pilot.pause()
        text = await _check_screen(pilot, "detail", f"Detail · {SID_ROW}", "CR\\x1b]52;c;", CLICK)
        await pilot.press("v")
        await _check_screen(pilot, "raw JSON", f"Raw JSON · {SID_ROW}", "CR\\x1b]52")
        await pilot.press("v", "u")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, UserScreen), "user view")
        await _check_screen(pilot, "user view", CLICK, SID_ROW)
        await pilot.press("escape", "question_mark")
        await _check_screen(pilot, "help")
        await pilot.press("escape", "d")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmModal), "modal")
        await _check_screen(pilot, "delete modal", CLICK, SID_ROW)
        await pilot.press("n")
        # a delete that succeeds, of a row whose identity is markup
        await pilot.press("slash", "escape", "slash")
        await type_text(pilot, "bob")
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: (
                screen.table.current is not None and CLOSE in (screen.table.current.identity or "")
            ),
            "the bob[/b] row",
        )
        doomed = screen.table.current
        assert doomed is not None
        await pilot.press("d", "y")
        await wait_for(pilot, lambda: doomed.sid not in screen.browse.rows, "the delete")
        await _check_screen(pilot, "delete toast", f"Deleted {doomed.sid}", CLOSE)
        # a delete that fails with a hostile error body
        await pilot.press("slash", "escape", "slash")
        await type_text(pilot, "who")
        await pilot.press("enter")
        trapped.arm(lambda r: r.method == "DELETE", respond=twilio_error(500))
        await pilot.press("d", "y")
        await wait_for(
            pilot, lambda: any("not deleted" in n for n in notifications(pilot.app)), "failure"
        )
        await _check_screen(pilot, "failed delete toast", "boom bob[/b]", CLICK)
        # a load that fails with a hostile error body: status line and toast
        trapped.arm(list_bindings(), respond=twilio_error(500))
        await pilot.press("r")
        await wait_for(
            pilot, lambda: screen.browse.load_state.error is not None, "the failed reload"
        )
        await _check_screen(pilot, "error status", "boom bob[/b]")
        # the picker: hostile service name
        trapped.disarm()
        await pilot.press("s")
        await wait_for(
            pilot,
            lambda: (
                isinstance(pilot.app.screen, ServicePickerScreen)
                and "service" in str(pilot.app.screen.query_one("#picker-status").render())
            ),
            "the picker",
        )
        await _check_screen(pilot, "picker", CLICK, "svc\\x1b]0;pwned")
        await pilot.press("escape")
        await wait_for(pilot, lambda: pilot.app.screen is screen, "back")
        assert "[@click" not in HOSTILE_ERROR["message"] or pilot.app.is_running
        assert text  # the walk saw the detail pane
        await still_alive(pilot)


# ---- state that cannot desync -----------------------------------------------------------


def _deletes(built: Any) -> list[str]:
    return [r.path for r in built.fake.requests if r.method == "DELETE"]


async def test_picker_api_switch_then_escape_changes_nothing() -> None:
    built = build()
    async with built.app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await wait_loaded(pilot)
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ServicePickerScreen), "picker")
        await pilot.press("a")
        await pilot.pause()
        picker = pilot.app.screen
        assert isinstance(picker, ServicePickerScreen) and picker.api is ApiFlavor.CHAT
        await pilot.press("escape")
        await wait_for(pilot, lambda: pilot.app.screen is screen, "back to the list")
        assert pilot.app.session.api is ApiFlavor.CONVERSATIONS
        assert screen.browse.origin.api is ApiFlavor.CONVERSATIONS
        assert "Conversations v1" in str(screen.query_one("#context").render())
        target = screen.table.current
        assert target is not None
        await pilot.press("d", "y")
        await wait_for(pilot, lambda: target.sid not in screen.browse.rows, "the delete")
        assert _deletes(built) == [
            f"/v1/Services/{screen.browse.origin.service_sid}/Bindings/{target.sid}"
        ]
        assert target.sid not in built.fake.binding_sids(
            ApiFlavor.CONVERSATIONS, screen.browse.origin.service_sid
        )


async def test_browser_api_switch_opens_a_screen_bound_to_that_api() -> None:
    built = build()
    async with built.app.run_test(size=SIZE, notifications=True) as pilot:
        first = await wait_loaded(pilot)
        await pilot.press("a")
        await wait_for(
            pilot,
            lambda: isinstance(pilot.app.screen, BrowserScreen) and pilot.app.screen is not first,
            "the Chat v2 browser",
        )
        screen = await wait_loaded(pilot)
        assert screen.browse.origin.api is ApiFlavor.CHAT
        assert pilot.app.session.api is ApiFlavor.CHAT
        assert "Chat v2" in str(screen.query_one("#context").render())
        target = screen.table.current
        assert target is not None
        await pilot.press("d", "y")
        await wait_for(pilot, lambda: target.sid not in screen.browse.rows, "the delete")
        assert _deletes(built) == [
            f"/v2/Services/{screen.browse.origin.service_sid}/Bindings/{target.sid}"
        ]


async def test_picker_choice_after_api_switch_opens_that_api() -> None:
    built = build()
    async with built.app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_loaded(pilot)
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ServicePickerScreen), "picker")
        await pilot.press("a")
        picker = pilot.app.screen
        assert isinstance(picker, ServicePickerScreen)
        await wait_for(
            pilot,
            lambda: "Chat v2 service" in str(picker.query_one("#picker-status").render()),
            "list",
        )
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, BrowserScreen), "browser")
        screen = await wait_loaded(pilot)
        assert (
            screen.browse.origin.api is ApiFlavor.CHAT and pilot.app.session.api is ApiFlavor.CHAT
        )


async def test_failed_reload_keeps_rows_marks_them_stale_and_findings_say_so() -> None:
    trapped = build_trapped()
    async with trapped.app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await wait_loaded(pilot)
        before = sorted(b.sid for b in screen.browse.rows.in_view())
        assert screen.browse.report is not None
        trapped.arm(
            list_bindings(),
            respond=twilio_error(503, {"code": 20503, "message": "down", "status": 503}),
        )
        await pilot.press("r")
        # while it runs and once it failed, the rows stay
        await wait_for(
            pilot, lambda: screen.browse.load_state.error is not None, "the failed reload"
        )
        assert sorted(b.sid for b in screen.browse.rows.in_view()) == before
        assert screen.browse.rows.loaded_count == len(before)
        status = str(screen.query_one("#status-left").render())
        assert "reload failed" in status and "stale" in status, status
        findings = str(screen.query_one("#findings").render())
        assert "loaded before" in findings and "diagnosing" not in findings, findings
        assert len(screen.query(BindingsTable)) == 1
        trapped.disarm()
        await pilot.press("r")
        await wait_for(pilot, lambda: screen.browse.load_state.done, "the good reload")
        assert sorted(b.sid for b in screen.browse.rows.in_view()) == before
        assert "stale" not in str(screen.query_one("#status-left").render())
