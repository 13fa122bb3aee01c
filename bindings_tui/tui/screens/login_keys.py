"""The login screen's keys, apart from the screen: the app checks keymap ids against them
without importing the login screen (it pulls in keyring, which a start with working
credentials never needs)."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding as KeyBinding
from textual.binding import BindingType


class LoginKeys:
    BINDINGS: ClassVar[list[BindingType]] = [
        KeyBinding("ctrl+s", "submit", "Verify and save", id="login.submit"),
    ]
