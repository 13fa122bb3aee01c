"""Log in: account SID, optional API key SID, secret. Validated inline, verified with one call."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding as KeyBinding
from textual.binding import BindingType
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Button, Input, Label, Static

from bindings_tui.credentials import ApiCredentials
from bindings_tui.credentials.login import (
    build_profile,
    profile_credentials,
    validate_login_fields,
    verify_and_save,
)
from bindings_tui.errors import BindingsError
from bindings_tui.tui.widgets.inputs import AppInput
from bindings_tui.tui.widgets.key_footer import KeyFooter

if TYPE_CHECKING:
    from bindings_tui.tui.app import BindingsApp

FIELDS = ("profile", "account_sid", "api_key_sid", "secret")


class LoginScreen(Screen[ApiCredentials | None]):
    """Dismisses with the verified credentials (the secret is then in the OS keyring)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        KeyBinding("ctrl+s", "submit", "Verify and save", id="login.submit"),
    ]

    def __init__(self, reason: str | None = None) -> None:
        super().__init__()
        self.reason = reason

    @property
    def bt_app(self) -> BindingsApp:
        return cast("BindingsApp", self.app)

    def compose(self) -> ComposeResult:
        with Vertical(id="login-dialog") as box:
            box.border_title = "Log in to Twilio"
            yield Static(
                Text(
                    self.reason
                    or "No credentials found. They are checked with one API call, then the "
                    "secret goes to the OS keyring (never to a file).",
                    style="italic",
                ),
                id="login-reason",
            )
            yield Label("Profile name")
            yield AppInput(value=self.bt_app.ctx.profile_name or "default", id="profile")
            yield Static(classes="field-error", id="profile-error")
            yield Label("Account SID")
            yield AppInput(placeholder="AC + 32 hex digits", id="account_sid")
            yield Static(classes="field-error", id="account_sid-error")
            yield Label("API key SID (optional; empty = use the auth token)")
            yield AppInput(placeholder="SK + 32 hex digits", id="api_key_sid")
            yield Static(classes="field-error", id="api_key_sid-error")
            yield Label("API key secret or auth token")
            yield AppInput(password=True, id="secret")
            yield Static(classes="field-error", id="secret-error")
            yield Button("Verify and save (ctrl+s)", id="submit", variant="primary")
            yield Static(id="login-status")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#account_sid", Input).focus()

    def _values(self) -> dict[str, str]:
        return {name: self.query_one(f"#{name}", Input).value for name in FIELDS}

    def _validate(self, *, show_all: bool) -> bool:
        values = self._values()
        problems = validate_login_fields(
            values["account_sid"],
            values["api_key_sid"] or None,
            values["secret"],
            profile_name=values["profile"],
        )
        by_field = {p.field: p.message for p in problems}
        for name in FIELDS:
            touched = show_all or bool(values[name])
            message = by_field.get(name, "") if touched else ""
            self.query_one(f"#{name}-error", Static).update(Text(message, style="red"))
        return not problems

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        self._validate(show_all=False)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        self.action_submit()

    @on(Button.Pressed, "#submit")
    def _pressed(self, event: Button.Pressed) -> None:
        self.action_submit()

    def action_submit(self) -> None:
        if not self._validate(show_all=True):
            return
        self.query_one("#login-status", Static).update(Text("Checking with Twilio…"))
        self._verify()

    @work(exclusive=True, group="login")
    async def _verify(self) -> None:
        values = self._values()
        backend = self.bt_app.ctx.backend
        try:
            profile = build_profile(
                values["profile"].strip(),
                values["account_sid"],
                values["api_key_sid"] or None,
                api=self.bt_app.ctx.api.value,
            )
            result = await verify_and_save(
                profile,
                values["secret"],
                base_url=backend.base_url,
                transport=backend.transport(),
            )
        except BindingsError as exc:
            self.query_one("#login-status", Static).update(
                Text(exc.user_message(), style="bold red")
            )
            return
        self.bt_app.ctx.profile_name = result.profile.name
        self.dismiss(profile_credentials(result.profile, values["secret"], "login"))
