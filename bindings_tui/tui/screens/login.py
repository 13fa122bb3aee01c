"""Log in: account SID, optional API key SID, secret. Validated inline, verified with one call."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, ClassVar, cast

from rich.text import Text
from textual import on
from textual.app import ComposeResult
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
from bindings_tui.credentials.secret import Secret, as_secret
from bindings_tui.tui.guard import as_bindings_error, background, guarded
from bindings_tui.tui.inert import inert, title
from bindings_tui.tui.screens.login_keys import LoginKeys
from bindings_tui.tui.widgets.inputs import AppInput
from bindings_tui.tui.widgets.key_footer import KeyFooter

if TYPE_CHECKING:
    from bindings_tui.tui.app import BindingsApp

PLAIN_FIELDS = ("profile", "account_sid", "api_key_sid")
FIELDS = (*PLAIN_FIELDS, "secret")


class LoginScreen(Screen[tuple[ApiCredentials, str] | None]):
    """Dismisses with the verified credentials and the profile name (the secret is then
    in the OS keyring). The typed secret is a `Secret` from the moment it is read."""

    BINDINGS: ClassVar[list[BindingType]] = LoginKeys.BINDINGS

    def __init__(self, reason: str | None = None) -> None:
        super().__init__()
        self.reason = reason

    @property
    def bt_app(self) -> BindingsApp:
        return cast("BindingsApp", self.app)

    def compose(self) -> ComposeResult:
        with Vertical(id="login-dialog") as box:
            box.border_title = title("Log in to Twilio")
            yield Static(
                inert(
                    self.reason
                    or "No credentials found. They are checked with one API call, then the "
                    "secret goes to the OS keyring (never to a file).",
                    style="italic",
                ),
                id="login-reason",
            )
            yield Label("Profile name")
            yield AppInput(value=self.bt_app.session.profile_name or "default", id="profile")
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

    @guarded
    def on_mount(self) -> None:
        self.query_one("#account_sid", Input).focus()

    def _fields(self) -> dict[str, str]:
        """The fields that are not secret."""
        return {name: self.query_one(f"#{name}", Input).value for name in PLAIN_FIELDS}

    def _secret(self) -> Secret:
        """The typed secret, wrapped as it is read: a traceback, log or repr shows ****."""
        return as_secret(self.query_one("#secret", Input).value)

    def _validate(self, *, show_all: bool) -> bool:
        values = self._fields()
        secret = self._secret()
        problems = validate_login_fields(
            values["account_sid"],
            values["api_key_sid"] or None,
            secret,
            profile_name=values["profile"],
        )
        by_field = {p.field: p.message for p in problems}
        for name in FIELDS:
            touched = show_all or bool(secret if name == "secret" else values[name])
            message = by_field.get(name, "") if touched else ""
            self.query_one(f"#{name}-error", Static).update(inert(message, style="red"))
        return not problems

    def _status(self, text: Text) -> None:
        self.query_one("#login-status", Static).update(text)

    @on(Input.Changed)
    @guarded
    def _changed(self, event: Input.Changed) -> None:
        self._validate(show_all=False)

    @on(Input.Submitted)
    @guarded
    def _submitted(self, event: Input.Submitted) -> None:
        self.action_submit()

    @on(Button.Pressed, "#submit")
    @guarded
    def _pressed(self, event: Button.Pressed) -> None:
        self.action_submit()

    @guarded
    def action_submit(self) -> None:
        if not self._validate(show_all=True):
            return
        self._status(Text("Checking with Twilio…"))
        self._verify(self._fields(), self._secret())

    @background(exclusive=True, group="login", description="verify the login")
    async def _verify(self, values: dict[str, str], secret: Secret) -> None:
        """One call to Twilio. Any failure, expected or not, is one line under the form
        and the form stays usable (never a traceback: its locals would hold the secret)."""
        backend = self.bt_app.ctx.backend
        try:
            profile = build_profile(
                values["profile"].strip(),
                values["account_sid"],
                values["api_key_sid"] or None,
                api=self.bt_app.session.api.value,
            )
            result = await verify_and_save(
                profile,
                secret,
                base_url=backend.base_url,
                transport=backend.transport(),
            )
            credentials = profile_credentials(result.profile, secret, "login")
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # one line, the form stays
            error = as_bindings_error(exc, "the login check")
            self._status(inert(error.user_message(), style="bold red"))
            return
        self.dismiss((credentials, result.profile.name))
