"""The Textual app: screens, the session (credentials, API, service), one client per API,
and the one error handler every handler and worker ends in."""

from __future__ import annotations

import contextlib
import io
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.console import Console
from rich.text import Text
from textual.app import App
from textual.binding import Binding as KeyBinding
from textual.binding import BindingType
from textual.notifications import SeverityLevel
from textual.reactive import reactive

from bindings_tui.browse import error_line
from bindings_tui.client import TwilioClient
from bindings_tui.credentials import ApiCredentials
from bindings_tui.errors import AuthError, BindingsError, ConfigError
from bindings_tui.models import ApiFlavor
from bindings_tui.rows import Origin
from bindings_tui.sids import shorten_sid
from bindings_tui.tui.commands import ActionsProvider
from bindings_tui.tui.context import AppContext, Guard, Session, guard_for
from bindings_tui.tui.guard import as_bindings_error, guarded, guarded_callback
from bindings_tui.tui.inert import inert_str
from bindings_tui.tui.key_list import help_rows
from bindings_tui.tui.keymap import binding_ids, load_keymap
from bindings_tui.tui.screens.browser import BrowserScreen
from bindings_tui.tui.screens.confirm import ConfirmModal
from bindings_tui.tui.screens.export import ExportModal
from bindings_tui.tui.screens.find import FindChoice, FindScreen
from bindings_tui.tui.screens.help import HelpScreen
from bindings_tui.tui.screens.login_keys import LoginKeys
from bindings_tui.tui.screens.service_picker import ServicePickerScreen
from bindings_tui.tui.screens.user import UserScreen
from bindings_tui.tui.widgets.bindings_table import BindingsTable
from bindings_tui.tui.widgets.filter_bar import FilterInput

if TYPE_CHECKING:
    from bindings_tui.tui.screens.login import LoginScreen

TOAST_WIDTH = 300  # characters of one notification line (error bodies can be long)


class BindingsApp(App[int]):
    CSS_PATH = "app.tcss"
    TITLE = "bindings-tui"
    COMMANDS = App.COMMANDS | {ActionsProvider}
    # Size classes on every screen, for app.tcss: at 80x24 the detail pane gets smaller and
    # stacks its columns, and below 20 lines it steps aside (`p` brings it back).
    HORIZONTAL_BREAKPOINTS = [  # noqa: RUF012 (App declares it without ClassVar)
        (0, "-narrow"),
        (100, "-normal"),
        (160, "-wide"),
    ]
    VERTICAL_BREAKPOINTS = [  # noqa: RUF012 (as above)
        (0, "-tiny"),
        (20, "-short"),
        (30, "-tall"),
    ]
    BINDINGS: ClassVar[list[BindingType]] = [
        KeyBinding("q", "quit", "Quit", id="app.quit"),
        KeyBinding("F", "find", "Find user", show=False, id="app.find"),
        KeyBinding(
            "ctrl+p",
            "command_palette",
            "Commands",
            show=False,
            id="app.palette",
        ),
    ]

    # The one place credentials, API and service change (`set_session`); screens watch it.
    session: reactive[Session] = reactive(
        Session(None, None, ApiFlavor.CONVERSATIONS, None), always_update=False, init=False
    )

    def __init__(self, ctx: AppContext, *, cursor_blink: bool = True) -> None:
        super().__init__()
        self.ctx = ctx
        self.cursor_blink = cursor_blink
        self._clients: dict[ApiFlavor, TwilioClient] = {}
        self._retired: list[TwilioClient] = []
        self.errors_reported = 0
        self.last_error: str | None = None
        self.set_reactive(
            BindingsApp.session,
            Session(ctx.credentials, ctx.profile_name, ctx.api, ctx.service_sid, ctx.guard),
        )
        self.keymap_in_force: dict[str, str] = {}
        # Last line of defence: should an exception still reach Textual, its traceback
        # (printed WITH LOCALS, the typed secret among them) goes nowhere. `cli_tui` then
        # prints one line and exits non-zero (`return_code`).
        self.error_console = Console(file=io.StringIO(), markup=False, highlight=False)

    # ---- the session and the clients -----------------------------------------------------

    def set_session(self, **changes: Any) -> None:
        """Replace the session (never mutate it). New credentials close every client."""
        new = replace(self.session, **changes)
        if new.credentials != self.session.credentials or new.guard != self.session.guard:
            self._close_clients()  # a client carries its credentials and write policy
        self.session = new

    def client_for(self, api: ApiFlavor) -> TwilioClient:
        """The client for `api` with the session's credentials (one per API, kept)."""
        client = self._clients.get(api)
        if client is None:
            credentials = self.session.credentials
            if credentials is None:
                raise ConfigError("not logged in")
            client = self.ctx.backend.client(credentials, api, self.session.guard.policy)
            self._clients[api] = client
        return client

    def _close_clients(self) -> None:
        old, self._clients = list(self._clients.values()), {}
        self._retired.extend(old)
        for client in old:
            # The method, not `client.aclose()`: a coroutine made now would never be awaited
            # (and warn on exit) if the app quits before the worker starts.
            self.run_worker(
                guarded_callback(self, client.aclose), group="close-client", exit_on_error=False
            )

    @guarded
    async def on_unmount(self) -> None:
        # Closing twice is harmless; a retired client whose worker never ran is closed here.
        for client in [*self._retired, *self._clients.values()]:
            with contextlib.suppress(Exception):  # on the way out; nothing to report
                await client.aclose()

    @property
    def guard(self) -> Guard:
        return self.session.guard

    def account_label(self) -> Text:
        """`PRODUCTION prod · AC12…cdef READ-ONLY`: the label in its colour, inert."""
        creds = self.session.credentials
        if creds is None:
            return Text("not logged in")
        who = "demo" if self.ctx.demo else (self.session.profile_name or creds.source)
        text = Text()
        guard = self.session.guard
        if guard.label:
            text.append(f" {inert_str(guard.label)} ", style=f"bold reverse {guard.color or ''}")
            text.append(" ")
        text.append(inert_str(f"{who} · {shorten_sid(creds.account_sid)}"))
        if guard.policy.read_only:
            text.append(" ")
            text.append(" READ-ONLY ", style="bold reverse")
        return text

    def delete_account_line(self) -> Text:
        """For the delete confirmation: the full account SID, the profile and its label in
        its colour (what is about to be changed, said once more)."""
        creds = self.session.credentials
        text = Text()
        text.append("Account ", style="bold")
        text.append(inert_str(creds.account_sid if creds else "?"))
        profile = "demo" if self.ctx.demo else self.session.profile_name
        if profile:
            text.append("  profile ", style="bold")
            text.append(inert_str(profile))
        guard = self.session.guard
        if guard.label:
            text.append("  ")
            text.append(f" {inert_str(guard.label)} ", style=f"bold reverse {guard.color or ''}")
        return text

    def read_only_refusal(self) -> str | None:
        """The one line a refused delete shows in the TUI, or None when deletes are on."""
        policy = self.session.guard.policy
        return policy.refusal() if policy.read_only else None

    def delete_keys(self) -> set[str]:
        """The keys bound to `browser.delete` (the keymap's, else d and delete)."""
        keys = self.keymap_in_force.get("browser.delete", "d,delete")
        return {k.strip() for k in keys.split(",") if k.strip()}

    # ---- the one error handler and the one toast -------------------------------------------

    def report_error(self, error: BaseException, where: str) -> None:
        """Every unexpected exception of a handler or worker ends here: one inert line."""
        self.errors_reported += 1
        line = error_line(as_bindings_error(error, where))
        self.last_error = line
        self.notify(line, title="Error (the app is still running)", severity="error", timeout=10)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Every toast (from any screen: `Widget.notify` lands here) is inert text: markup
        is never parsed and control characters are shown as escapes."""
        super().notify(
            inert_str(message, TOAST_WIDTH),
            title=inert_str(title, 80),
            severity=severity,
            timeout=timeout,
            markup=False,
        )

    # ---- flow ----------------------------------------------------------------------------

    @guarded
    def on_mount(self) -> None:
        self.apply_keymap()
        self.start()

    def apply_keymap(self, directory: Path | None = None) -> None:
        """The `[keymap]` of config.toml (tui.keymap); what is wrong there is one line."""
        keymap, problem = load_keymap(binding_ids(KEYED_CLASSES), directory)
        if keymap:
            self.set_keymap(keymap)
            self.keymap_in_force = dict(keymap)
        if problem is not None:
            self.notify(problem, title="Keymap", severity="warning", timeout=10)

    def start(self) -> None:
        session = self.session
        if session.credentials is None:
            self.push_screen(_login_screen(), guarded_callback(self, self._logged_in))
        elif session.service_sid:
            self.open_service(session.service_sid)
        else:
            self.pick_service(can_go_back=False)

    def _logged_in(self, result: tuple[ApiCredentials, str] | None) -> None:
        if result is None:
            return
        credentials, profile_name = result
        had_browser = any(isinstance(s, BrowserScreen) for s in self.screen_stack)
        # Browsers watch the session and reload with the new credentials; the new
        # profile brings its own guard (read_only, label), the flag and env still apply.
        guard = (
            self.session.guard
            if self.ctx.demo
            else guard_for(self.ctx.read_only_flag, profile_name)
        )
        self.set_session(credentials=credentials, profile_name=profile_name, guard=guard)
        if not had_browser:
            self.start()

    def handle_auth_error(self, error: AuthError) -> None:
        """20003 during use: back to the login screen; what was loaded stays underneath."""
        from bindings_tui.tui.screens.login import LoginScreen

        if any(isinstance(s, LoginScreen) for s in self.screen_stack):
            return
        reason = f"Twilio refused the credentials ({error.user_message()}). Log in again."
        self.push_screen(_login_screen(reason), guarded_callback(self, self._logged_in))

    def pick_service(self, *, can_go_back: bool) -> None:
        """The picker changes nothing until a service is chosen; escape leaves all as is."""

        def chosen(origin: Origin | None) -> None:
            if origin is not None:
                self.open_service(origin.service_sid, origin.api)

        picker = ServicePickerScreen(self.session.api, can_go_back=can_go_back)
        self.push_screen(picker, guarded_callback(self, chosen))

    def open_service(
        self,
        service_sid: str,
        api: ApiFlavor | None = None,
        *,
        carry_from: BrowserScreen | None = None,
        identities: tuple[str, ...] = (),
    ) -> None:
        """Open a service (of `api`, default the session's): the session records it and a
        browser bound to exactly that API and service shows it (with `identities` in its
        identity query, when given)."""
        origin = Origin(api or self.session.api, service_sid)
        self.set_session(api=origin.api, service_sid=service_sid)
        self._remember(origin)
        browser = BrowserScreen(origin, carry_from=carry_from, identities=identities)
        if isinstance(self.screen, BrowserScreen):
            self.switch_screen(browser)
        else:
            self.push_screen(browser)

    def _remember(self, origin: Origin) -> None:
        profile = self.session.profile_name
        if self.ctx.demo or not self.ctx.remember or not profile:
            return
        try:
            from bindings_tui.credentials.profiles import ProfileStore

            ProfileStore().remember_service(profile, origin.api.value, origin.service_sid)
        except BindingsError:
            pass  # remembering is a convenience; never fail the session for it

    # ---- find a user everywhere ------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # `F` works over the main screens (browser, picker, user view), not over a dialog,
        # help or the login screen, and not while logged out.
        if action != "find":
            return True
        try:
            screen = self.screen
        except Exception:  # no screen yet, or shutting down: Textual asks anyway
            return False
        return self.session.credentials is not None and isinstance(screen, FIND_FROM_SCREENS)

    @guarded
    def action_find(self) -> None:
        """`F`: search identities in every service of both APIs; a chosen row opens its
        service (through `open_service`, like the picker) with the identity query set."""
        if isinstance(self.screen, FindScreen):
            self.screen.action_focus_input()
            return

        def chosen(choice: FindChoice | None) -> None:
            if choice is not None:
                self.open_service(choice.service_sid, choice.api, identities=choice.identities)

        self.push_screen(FindScreen(), guarded_callback(self, chosen))

    def show_help(self) -> None:
        """`?`: the keys in force on the current screen, as bound (keymap included)."""
        self.push_screen(HelpScreen(help_rows(self.screen)))


# The screens `F` opens the find screen over (and the find screen itself, to refocus).
FIND_FROM_SCREENS: tuple[type, ...] = (BrowserScreen, ServicePickerScreen, UserScreen, FindScreen)


def _login_screen(reason: str | None = None) -> LoginScreen:
    """Imported on first use: the login screen pulls in keyring, which the demo and a
    session with working credentials never need before their first frame."""
    from bindings_tui.tui.screens.login import LoginScreen

    return LoginScreen(reason=reason)


# Every class that declares bindings, for checking the ids of a keymap (the login screen
# is not imported here: it pulls in keyring; its one binding id is listed by hand).
KEYED_CLASSES: tuple[type, ...] = (
    BindingsApp,
    BrowserScreen,
    ServicePickerScreen,
    HelpScreen,
    UserScreen,
    FindScreen,
    ConfirmModal,
    ExportModal,
    BindingsTable,
    FilterInput,
    LoginKeys,
)
