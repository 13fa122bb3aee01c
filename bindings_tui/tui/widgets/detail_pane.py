"""The detail pane: every field of the binding under the cursor, or its raw JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from rich.table import Table
from rich.text import Text
from textual import events
from textual.containers import VerticalScroll
from textual.widgets import Static

from bindings_tui.ages import long_age, relative_age
from bindings_tui.diagnose_run import DiagnosisReport
from bindings_tui.diagnostics import Finding
from bindings_tui.models import Binding
from bindings_tui.textsafe import clip, make_visible
from bindings_tui.tui.cells import MISSING, field_text
from bindings_tui.tui.guard import guarded
from bindings_tui.tui.inert import inert_str, title
from bindings_tui.tui.widgets.evidence_text import findings_text

LABEL_WIDTH = 15
SIDE_WIDTH = 46  # the identity's other bindings, beside the fields
# Below this pane width the other bindings go under the fields: beside them, the fields'
# values folded into 11-character columns at 80 columns.
STACK_BELOW = 100


def raw_json_text(binding: Binding) -> Text:
    """Pretty JSON with control characters made visible line by line (never markup)."""
    dumped = json.dumps(binding.raw, indent=2, ensure_ascii=False, sort_keys=True)
    return Text("\n".join(make_visible(line) for line in dumped.splitlines()), no_wrap=False)


def credential_text(binding: Binding, report: DiagnosisReport | None) -> Text:
    """The credential SID and what the Credentials resource said about it."""
    sid = binding.credential_sid
    text = Text(field_text(sid), style="dim" if not sid else "")
    if not sid:
        return text
    if report is None:
        text.append("  (resolved once the list has loaded)", style="dim italic")
    elif sid in report.credentials:
        credential = report.credentials[sid]
        if credential is None:
            text.append("  does not exist", style="bold red")
        else:
            name = field_text(credential.friendly_name)
            text.append(f"  {name} · {field_text(credential.type)}")
            if credential.sandbox:
                text.append(" · APN sandbox", style="cyan")
            elif credential.type == "apn" and credential.sandbox is False:
                text.append(" · APN production")
    elif sid in report.unresolved_credentials:
        reason = clip(make_visible(report.unresolved_credentials[sid]), 80)
        text.append(f"  could not be read: {reason}", style="yellow")
    return text


def detail_text(
    binding: Binding,
    same_identity: Sequence[Binding],
    now: datetime,
    *,
    findings: Sequence[Finding] = (),
    report: DiagnosisReport | None = None,
    stacked: bool = False,
) -> Table:
    """Findings first, every field (long values fold, never wrap at random), then the
    identity's other bindings: beside the fields, or under them when `stacked`."""
    fields = Table.grid(padding=(0, 1))
    fields.add_column(width=LABEL_WIDTH - 1, no_wrap=True, style="bold")
    fields.add_column(overflow="fold")

    def field(label: str, value: str) -> None:
        fields.add_row(label, Text(value, style="dim" if value == MISSING else ""))

    if findings:
        fields.add_row(Text("findings", style="bold red"), findings_text(findings))
    elif report is not None:
        fields.add_row("findings", Text("none", style="green"))
    field("identity", field_text(binding.identity))
    field("binding type", field_text(binding.binding_type))
    field("endpoint", field_text(binding.endpoint))
    field("message types", ", ".join(map(make_visible, binding.message_types)) or MISSING)
    fields.add_row("credential", credential_text(binding, report))
    field("sid", inert_str(binding.sid))
    field("service", field_text(binding.service_sid))
    field("account", field_text(binding.account_sid))
    field("created", long_age(binding.date_created, now))
    field("updated", long_age(binding.date_updated, now))
    field("url", field_text(binding.url))
    links = binding.raw.get("links")
    if isinstance(links, dict):
        for name, url in sorted(links.items()):
            field(f"link {make_visible(str(name))}", field_text(str(url)))
    others = [b for b in same_identity if b.sid != binding.sid]
    text = Text(no_wrap=True, overflow="ellipsis")
    heading = f"Same identity: {len(others)} other(s) loaded"
    text.append(heading if binding.identity else "No identity", style="bold underline")
    for other in others[:50]:
        age = relative_age(other.date_updated or other.date_created, now)
        text.append("\n")
        text.append(f"{field_text(other.binding_type):<9}")
        text.append(f"{clip(field_text(other.endpoint), 14):<15}")
        text.append(f"{age:>5} ", style="dim")
        text.append(clip(inert_str(other.sid), 13), style="dim")
    if len(others) > 50:
        text.append(f"\n… and {len(others) - 50} more", style="dim")
    layout = Table.grid(padding=(0, 2), expand=True)
    layout.add_column(ratio=1)
    if stacked:
        layout.add_row(fields)
        layout.add_row(Text(""))
        layout.add_row(text)
        return layout
    layout.add_column(width=SIDE_WIDTH, no_wrap=True)
    layout.add_row(fields, text)
    return layout


class DetailPane(VerticalScroll, can_focus=True):
    """Shows one binding. `raw` toggles between the fields and the server's JSON."""

    # What the fields show (None: nothing, or raw JSON), to lay it out again on a resize.
    _shown: (
        tuple[Binding, Sequence[Binding], datetime, Sequence[Finding], DiagnosisReport | None]
        | None
    ) = None
    _stacked = False

    def compose(self):  # type: ignore[no-untyped-def]
        yield Static(Text("No binding selected", style="dim"), id="detail-body")

    def _narrow(self) -> bool:
        return self.size.width < STACK_BELOW

    @guarded
    def on_resize(self, event: events.Resize) -> None:
        """Crossing `STACK_BELOW` moves the other bindings under (or beside) the fields."""
        if self._shown is not None and self._narrow() != self._stacked:
            binding, same_identity, now, findings, report = self._shown
            self.show(binding, same_identity, now, raw=False, findings=findings, report=report)

    def show(
        self,
        binding: Binding | None,
        same_identity: Sequence[Binding],
        now: datetime,
        *,
        raw: bool,
        findings: Sequence[Finding] = (),
        report: DiagnosisReport | None = None,
    ) -> None:
        body = self.query_one("#detail-body", Static)
        if binding is None:
            self._shown = None
            self.border_title = title("Detail")
            body.update(Text("No binding selected", style="dim"))
            return
        # A Text, never a str: a str title is parsed as markup (and the SID is server text).
        self.border_title = title("Raw JSON" if raw else "Detail", binding.sid)
        if raw:
            self._shown = None
            body.update(raw_json_text(binding))
            return
        self._shown = (binding, same_identity, now, findings, report)
        self._stacked = self._narrow()
        body.update(
            detail_text(
                binding,
                same_identity,
                now,
                findings=findings,
                report=report,
                stacked=self._stacked,
            )
        )
