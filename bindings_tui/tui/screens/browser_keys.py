"""The main screen's keys. Each has an id (`browser.*`), so `[keymap]` in config.toml can
remap it; help and the command palette show the keys in force."""

from __future__ import annotations

from textual.binding import Binding as KeyBinding
from textual.binding import BindingType

BROWSER_KEYS: list[BindingType] = [
    KeyBinding("slash", "focus_filter", "Filter", key_display="/", id="browser.filter"),
    KeyBinding("i", "focus_identity", "Identity", id="browser.identity"),
    KeyBinding("1", "toggle_type(1)", "apn", show=False, id="browser.type1"),
    KeyBinding("2", "toggle_type(2)", "gcm", show=False, id="browser.type2"),
    KeyBinding("3", "toggle_type(3)", "fcm", show=False, id="browser.type3"),
    KeyBinding("4", "toggle_type(4)", "twilsock", show=False, id="browser.type4"),
    KeyBinding("f", "cycle_findings", "Findings", id="browser.findings"),
    KeyBinding("u", "user", "User", id="browser.user"),
    KeyBinding("d,delete", "delete", "Delete", id="browser.delete"),
    KeyBinding(
        "space",
        "mark",
        "Mark",
        tooltip="Mark the row and move down (d deletes the marked rows)",
        id="browser.mark",
    ),
    KeyBinding("v", "toggle_raw", "JSON", show=False, id="browser.raw"),
    KeyBinding("o", "cycle_sort", "Sort", show=False, id="browser.sort"),
    KeyBinding("O", "reverse_sort", "Reverse sort", show=False, id="browser.reverse"),
    KeyBinding("r", "reload", "Reload", id="browser.reload"),
    KeyBinding("w", "toggle_watch", "Watch", show=False, id="browser.watch"),
    KeyBinding("c", "copy_sid", "Copy SID", show=False, id="browser.copy_sid"),
    KeyBinding("C", "copy_endpoint", "Copy endpoint", show=False, id="browser.copy_endpoint"),
    KeyBinding("e", "export", "Export", show=False, id="browser.export"),
    KeyBinding("x", "copy_curl", "Copy as curl", show=False, id="browser.copy_curl"),
    KeyBinding("X", "copy_twilio", "Copy as twilio CLI", show=False, id="browser.copy_twilio"),
    KeyBinding("p", "toggle_detail", "Detail pane", show=False, id="browser.detail"),
    KeyBinding("tab", "focus_detail", "Focus detail", show=False, id="browser.focus_detail"),
    KeyBinding("s", "switch_service", "Service", id="browser.service"),
    KeyBinding("a", "switch_api", "API", show=False, id="browser.api"),
    KeyBinding("escape", "clear", "Clear filter", show=False, id="browser.clear"),
    KeyBinding("question_mark", "help", "Help", key_display="?", id="browser.help"),
]
