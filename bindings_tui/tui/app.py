"""The Textual app: screens, the shared client, and moves between login, picker and browser."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.app import App
from textual.binding import Binding as KeyBinding
from textual.binding import BindingType

from bindings_tui.client import TwilioClient
from bindings_tui.credentials import ApiCredentials
from bindings_tui.errors import AuthError, BindingsError, ConfigError
from bindings_tui.models import ApiFlavor
from bindings_tui.sids import shorten_sid
from bindings_tui.tui.commands import ActionsProvider
from bindings_tui.tui.context import AppContext
from bindings_tui.tui.screens.browser import BrowserScreen
from bindings_tui.tui.screens.help import HelpScreen
from bindings_tui.tui.screens.service_picker import ServicePickerScreen

if TYPE_CHECKING:
    from bindings_tui.tui.screens.login import LoginScreen


class BindingsApp(App[int]):
    CSS_PATH = "app.tcss"
    TITLE = "bindings-tui"
    COMMANDS = App.COMMANDS | {ActionsProvider}
    BINDINGS: ClassVar[list[BindingType]] = [
        KeyBinding("q", "quit", "Quit", id="app.quit"),
        KeyBinding(
            "ctrl+p",
            "command_palette",
            "Commands",
            show=False,
            id="app.palette",
        ),
    ]

    def __init__(self, ctx: AppContext, *, cursor_blink: bool = True) -> None:
        super().__init__()
        self.ctx = ctx
        self.cursor_blink = cursor_blink
        self._client: TwilioClient | None = None

    # ---- the shared client ---------------------------------------------------------------

    @property
    def client(self) -> TwilioClient:
        if self._client is None:
            if self.ctx.credentials is None:
                raise ConfigError("not logged in")
            self._client = self.ctx.backend.client(self.ctx.credentials, self.ctx.api)
        return self._client

    def reset_client(self) -> None:
        old, self._client = self._client, None
        if old is not None:
            self.run_worker(old.aclose(), group="close-client")

    async def on_unmount(self) -> None:
        if self._client is not None:
            await self._client.aclose()

    def account_label(self) -> str:
        creds = self.ctx.credentials
        if creds is None:
            return "not logged in"
        who = "demo" if self.ctx.demo else (self.ctx.profile_name or creds.source)
        return f"{who} · {shorten_sid(creds.account_sid)}"

    # ---- flow ----------------------------------------------------------------------------

    def on_mount(self) -> None:
        self.start()

    def start(self) -> None:
        if self.ctx.credentials is None:
            self.push_screen(_login_screen(), self._logged_in)
        elif self.ctx.service_sid:
            self.open_service(self.ctx.service_sid)
        else:
            self.pick_service(can_go_back=False)

    def _logged_in(self, credentials: ApiCredentials | None) -> None:
        if credentials is None:
            return
        self.ctx.credentials = credentials
        self.reset_client()
        browsers = [s for s in self.screen_stack if isinstance(s, BrowserScreen)]
        if browsers:
            browsers[-1].reload()
        else:
            self.start()

    def handle_auth_error(self, error: AuthError) -> None:
        """20003 during use: back to the login screen; what was loaded stays underneath."""
        if any(type(s).__name__ == "LoginScreen" for s in self.screen_stack):
            return
        reason = f"Twilio refused the credentials ({error.user_message()}). Log in again."
        self.push_screen(_login_screen(reason), self._logged_in)

    def pick_service(self, *, can_go_back: bool) -> None:
        def chosen(sid: str | None) -> None:
            if sid:
                self.open_service(sid)

        self.push_screen(ServicePickerScreen(can_go_back=can_go_back), chosen)

    def open_service(self, service_sid: str) -> None:
        self.ctx.service_sid = service_sid
        self._remember(service_sid)
        if isinstance(self.screen, BrowserScreen):
            self.switch_screen(BrowserScreen(service_sid))
        else:
            self.push_screen(BrowserScreen(service_sid))

    def _remember(self, service_sid: str) -> None:
        if self.ctx.demo or not self.ctx.remember or not self.ctx.profile_name:
            return
        try:
            from bindings_tui.credentials.profiles import ProfileStore

            ProfileStore().remember_service(self.ctx.profile_name, self.ctx.api.value, service_sid)
        except BindingsError:
            pass  # remembering is a convenience; never fail the session for it

    def switch_api(self) -> None:
        self.ctx.api = (
            ApiFlavor.CHAT if self.ctx.api is ApiFlavor.CONVERSATIONS else ApiFlavor.CONVERSATIONS
        )
        self.reset_client()

    def show_help(self) -> None:
        rows: list[tuple[str, str]] = []
        seen: set[str] = set()
        screen = self.screen
        nodes = [screen, *screen.query("BindingsTable"), self]
        for node in nodes:
            for bindings in node._bindings.key_to_bindings.values():
                for binding in bindings:
                    if binding.id is None or binding.action in seen or not binding.description:
                        continue  # only our own keys (each has an id), not Textual's generic ones
                    seen.add(binding.action)
                    key = binding.key_display or binding.key
                    keys = [
                        b.key_display or b.key
                        for bs in node._bindings.key_to_bindings.values()
                        for b in bs
                        if b.action == binding.action
                    ]
                    label = ", ".join(dict.fromkeys(keys)) or key
                    rows.append((_pretty_keys(label), binding.description))
        self.push_screen(HelpScreen(rows))


def _pretty_keys(keys: str) -> str:
    names = {"question_mark": "?", "slash": "/", "space": "space", "pageup": "pgup"}
    return ", ".join(names.get(k.strip(), k.strip()) for k in keys.split(","))


def _login_screen(reason: str | None = None) -> LoginScreen:
    """Imported on first use: the login screen pulls in keyring, which the demo and a
    session with working credentials never need before their first frame."""
    from bindings_tui.tui.screens.login import LoginScreen

    return LoginScreen(reason=reason)
