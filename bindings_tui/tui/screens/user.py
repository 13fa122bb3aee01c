"""One user's devices: the verdict for the identity, every binding with its findings,
and clean-ups.

The verdict ("why does X get no push?") leads: the ranked reasons with their evidence and
action, then information and what was checked. The User resource (`is_notifiable`) is
read by a worker when the screen opens; until then, or when it fails, one line says so.
Dismisses with a `DeleteRequest` (the browser asks for confirmation as for any delete),
or None.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar, cast

from rich.console import RenderableType
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding as KeyBinding
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option, OptionDoesNotExist

from bindings_tui.ages import relative_age
from bindings_tui.diagnose_run import DiagnosisReport
from bindings_tui.diagnostics import (
    Finding,
    FindingKind,
    cleanup_targets,
    newest_first,
    sort_findings,
)
from bindings_tui.errors import BindingsError, NotFoundError
from bindings_tui.evidence.users import UserReachability, identity_findings
from bindings_tui.evidence.verdict import Verdict, build_verdict
from bindings_tui.findings import EvidenceSource
from bindings_tui.models import Binding
from bindings_tui.textsafe import clip
from bindings_tui.tui.cells import field_text, short_message_types
from bindings_tui.tui.guard import background, guarded
from bindings_tui.tui.inert import inert_str
from bindings_tui.tui.screens.browser_text import no_bindings_line
from bindings_tui.tui.widgets.detail_pane import credential_text
from bindings_tui.tui.widgets.evidence_text import verdict_text
from bindings_tui.tui.widgets.findings_bar import SEVERITY_GLYPHS, SEVERITY_STYLES
from bindings_tui.tui.widgets.key_footer import KeyFooter

if TYPE_CHECKING:
    from bindings_tui.tui.app import BindingsApp

# What a clean-up of each kind deletes, said to the user before the confirmation.
CLEANUP_LABELS: dict[FindingKind, str] = {
    FindingKind.SHARED_ENDPOINT: "on endpoints that other identities also use",
    FindingKind.CREDENTIAL_MISSING: "whose credential does not exist",
    FindingKind.CREDENTIAL_TYPE_MISMATCH: "whose credential is for another push type",
    FindingKind.PILE_UP: "piled up (older than the newest of their type)",
    FindingKind.DEAD_TOKEN: "whose token Twilio reported dead or is past its expiry",
    FindingKind.NO_NEW_MESSAGE: "not subscribed to new_message",
}


def device_prompt(
    binding: Binding,
    findings: Sequence[Finding],
    report: DiagnosisReport | None,
    now: datetime,
) -> Text:
    """A device line (type, endpoint, messages, age, credential, SID), then its findings."""
    text = Text(no_wrap=True, overflow="ellipsis")
    ordered = sort_findings(findings)
    if ordered:
        worst = ordered[0].severity
        text.append(SEVERITY_GLYPHS[worst] + " ", style=SEVERITY_STYLES[worst])
    else:
        text.append("  ")
    text.append(f"{field_text(binding.binding_type):<9}", style="bold")
    text.append(f"{clip(field_text(binding.endpoint), 24):<25}")
    text.append(f"{short_message_types(binding.message_types):<11}")
    age = relative_age(binding.date_updated or binding.date_created, now)
    text.append(f"updated {age:<5}", style="dim")
    text.append(inert_str(binding.sid), style="dim")
    text.append("\n    credential ")
    text.append_text(credential_text(binding, report))
    for finding in ordered:
        text.append("\n    ")
        text.append(
            f"{SEVERITY_GLYPHS[finding.severity]} {finding.kind.label}",
            style=SEVERITY_STYLES[finding.severity],
        )
        if finding.evidence is not None:
            strong = finding.evidence.source is EvidenceSource.ALERTS
            text.append(f" · {inert_str(finding.evidence.text)}", style="" if strong else "dim")
    return text


def user_verdict(
    report: DiagnosisReport,
    identity: str,
    bindings: Sequence[Binding],
    user: UserReachability | None,
    user_line: str,
) -> Verdict:
    """The report's verdict for `identity`, with its User resource when the diagnosis did
    not read it (the TUI diagnoses the whole list, not one user): `user` read apart, or
    `user_line` saying why there is none yet."""
    if identity in report.users:
        return report.verdict(identity)
    extra = identity_findings(identity, bindings, user, report.api) if user else []
    checked = [*report.checked(None), user.describe() if user else user_line]
    return build_verdict(identity, bindings, [*report.findings, *extra], checked)


@dataclass(frozen=True, slots=True)
class DeleteRequest:
    """What the user chose to delete, and how to name it in the confirmation."""

    bindings: list[Binding]
    reason: str


class UserScreen(Screen[DeleteRequest | None]):
    """Everything about one identity's devices, on one screen."""

    BINDINGS: ClassVar[list[BindingType]] = [
        KeyBinding("escape,u", "back", "Back", id="user.back"),
        KeyBinding("d,delete", "delete", "Delete", id="user.delete"),
        KeyBinding("question_mark", "help", "Help", key_display="?", id="user.help"),
    ]

    def __init__(
        self,
        identity: str,
        bindings: Sequence[Binding],
        findings_by_sid: Mapping[str, Sequence[Finding]],
        report: DiagnosisReport | None,
        now: datetime,
        *,
        service_label: str,
        diagnosis_note: str | None = None,
        read_only: str | None = None,
        start_at: str | None = None,
    ) -> None:
        super().__init__()
        self.identity = identity
        self.start_at = start_at  # the option id the cursor starts on
        self.chosen_key: str | None = None
        # The read-only refusal line (None: deletes are on): no clean-ups, no delete key.
        self.read_only = read_only
        # The one newest-first order: the pile-up clean-up agrees on which device is newest.
        self.bindings = newest_first(bindings)
        self.findings_by_sid = findings_by_sid
        self.report = report
        self.now = now
        self.service_label = service_label
        self.diagnosis_note = diagnosis_note
        self._targets: dict[str, DeleteRequest] = {}
        self.user: UserReachability | None = None
        self.user_line = "User resource: reading…"
        self.user_read = False  # the worker has answered (read, 404 or failed)
        # Built here, not in compose: the browser's guarded action builds this screen, so
        # data that breaks the rendering is one line there, never a crash in compose.
        self._context_text = self._context_line()
        self._summary_text = self._summary()
        self._note_text = self._devices_note()
        self._option_list = self._options()

    def show_devices(
        self,
        bindings: Sequence[Binding],
        findings_by_sid: Mapping[str, Sequence[Finding]],
        report: DiagnosisReport | None,
        diagnosis_note: str | None,
    ) -> None:
        """The browser's rows changed (a delete ended, a page, a diagnosis): show them,
        the cursor on the same device or clean-up when it is still there."""
        self.bindings = newest_first(bindings)
        self.findings_by_sid = findings_by_sid
        self.report = report
        self.diagnosis_note = diagnosis_note
        self._targets = {}
        self._context_text = self._context_line()
        self._note_text = self._devices_note()
        self._option_list = self._options()
        if not self.is_mounted:
            return
        self.query_one("#context", Static).update(self._context_text)
        self.query_one("#user-summary", Static).update(self._summary())
        self.query_one("#user-note", Static).update(self._note_text)
        options = self.query_one(OptionList)
        kept = self.request_key()
        options.clear_options()
        options.add_options(self._option_list)
        self.highlight(kept)

    def request_key(self) -> str | None:
        """The id of the device or clean-up under the cursor."""
        option = self.query_one(OptionList).highlighted_option
        return None if option is None else option.id

    def highlight(self, key: str | None) -> None:
        """The cursor on option `key` when it is there (else the first)."""
        options = self.query_one(OptionList)
        if key is not None:
            try:
                options.highlighted = options.get_option_index(key)
                return
            except OptionDoesNotExist:
                pass
        options.highlighted = 0 if options.option_count else None

    def compose(self) -> ComposeResult:
        yield Static(self._context_text, id="context")
        with VerticalScroll(id="user-verdict"):
            yield Static(self._summary_text, id="user-summary")
        yield Static(self._note_text, id="user-note")
        yield OptionList(*self._option_list, id="user-devices", markup=False)
        yield KeyFooter()

    @guarded
    def on_mount(self) -> None:
        self.query_one(OptionList).focus()
        if self.start_at is not None:  # back after a delete's confirmation
            self.highlight(self.start_at)
        if self.report is not None and self.identity not in self.report.users:
            self.read_user()
        else:
            self.user_read = True  # nothing to read: no diagnosis yet, or it read the user

    @background(group="user", description="read the user's reachability", exclusive=True)
    async def read_user(self) -> None:
        """`is_notifiable` from the service's User resource, then the verdict again."""
        report = self.report
        if report is None:
            return
        app = cast("BindingsApp", self.app)
        try:
            raw = await app.client_for(report.api).fetch_user(report.service_sid, self.identity)
            self.user = UserReachability.from_json(self.identity, raw)
        except NotFoundError:
            self.user = UserReachability.missing(self.identity)
        except BindingsError as exc:  # one line in what was checked, not an error
            reason = clip(inert_str(exc.user_message()), 100)
            self.user_line = f"User resource: could not be read: {reason}"
        self.user_read = True
        self.query_one("#user-summary", Static).update(self._summary())

    def _context_line(self) -> Text:
        text = Text(no_wrap=True, end="", overflow="ellipsis")
        text.append(" User ", style="bold")
        text.append(field_text(self.identity), style="bold reverse")
        text.append(f"  ·  {len(self.bindings)} device(s)  ·  ")
        text.append(inert_str(self.service_label))
        return text

    def _summary(self) -> RenderableType:
        """The verdict for the identity (or why there is none yet)."""
        if self.report is None:
            note = self.diagnosis_note or "Findings appear once the list has loaded."
            return Text(inert_str(note), style="italic dim")
        verdict = user_verdict(self.report, self.identity, self.bindings, self.user, self.user_line)
        return verdict_text(verdict)

    def _devices_note(self) -> Text:
        """Above the devices: how many findings they carry, what d does, and the line of
        reads that failed (say, no Monitor permission): information, not an error."""
        text = Text()
        if not self.bindings:
            text.append(no_bindings_line((self.identity,)), style="bold")
            return text
        if self.report is not None:
            mine = {b.sid for b in self.bindings}
            findings = {
                id(f): f
                for sid in mine
                for f in self.findings_by_sid.get(sid, ())
                if f.binding_sids
            }
            if not findings:
                text.append("No findings for this user's devices.", style="green")
            elif self.read_only is not None:
                text.append(f"{len(findings)} finding(s) on these devices. ", style="bold")
                text.append("Read-only: clean-ups and deletes are off.", style="bold yellow")
            else:
                text.append(f"{len(findings)} finding(s) on these devices. ", style="bold")
                text.append("d or enter deletes the device or clean-up under the cursor ")
                text.append("(after a confirmation).", style="dim")
            if self.diagnosis_note:
                text.append(f"\n{inert_str(self.diagnosis_note)}", style="dim italic")
        return text

    def _options(self) -> list[Option | None]:
        """Clean-ups first (what the user came for), then every device, newest first."""
        options: list[Option | None] = []
        by_sid = {b.sid: b for b in self.bindings}
        if self.report is not None and self.read_only is None:
            findings = [f for sid in by_sid for f in self.findings_by_sid.get(sid, ())]
            unique = list({id(f): f for f in findings}.values())
            for kind, sids in cleanup_targets(unique, by_sid).items():
                key = f"cleanup:{kind.value}"
                reason = f"of {field_text(self.identity)} {CLEANUP_LABELS[kind]}"
                self._targets[key] = DeleteRequest([by_sid[s] for s in sids], reason)
                prompt = Text(no_wrap=True, overflow="ellipsis")
                prompt.append("Delete ", style="bold")
                prompt.append(f"the {len(sids)} binding(s) of {field_text(self.identity)} ")
                prompt.append(CLEANUP_LABELS[kind])
                prompt.append(f"  ({kind.value})", style="dim")
                options.append(Option(prompt, id=key))
            if options:
                options.append(None)
        for binding in self.bindings:
            mine = self.findings_by_sid.get(binding.sid, ())
            prompt = device_prompt(binding, mine, self.report, self.now)
            options.append(Option(prompt, id=f"device:{binding.sid}"))
            self._targets[f"device:{binding.sid}"] = DeleteRequest([binding], "")
        return options

    def request_at_cursor(self) -> DeleteRequest | None:
        option = self.query_one(OptionList).highlighted_option
        if option is None or option.id is None:
            return None
        return self._targets.get(option.id)

    @on(OptionList.OptionSelected)
    @guarded
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_delete()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Under read-only, `delete` is not in force (footer, help and palette drop it)."""
        return not (action == "delete" and self.read_only is not None)

    @guarded
    def action_delete(self) -> None:
        if self.read_only is not None:
            self.notify(self.read_only, title="Read-only", severity="warning", timeout=4)
            return
        request = self.request_at_cursor()
        if request is not None:
            self.chosen_key = self.request_key()  # where the cursor returns after the dialog
            self.dismiss(request)

    @guarded
    def action_back(self) -> None:
        self.dismiss(None)

    @guarded
    def action_help(self) -> None:
        cast("BindingsApp", self.app).show_help()
