"""What the main screen's lines say, built from the browse session (rich `Text`, inert).

The header, the status line and the delete confirmation: pure functions of session state,
so the screen only puts them into widgets.
"""

from __future__ import annotations

from rich.text import Text

from bindings_tui.browse import BrowseSession, LoadState, error_line
from bindings_tui.deletes import DeleteOutcome, DeleteResult
from bindings_tui.models import Binding
from bindings_tui.rows import Origin
from bindings_tui.textsafe import clip
from bindings_tui.tui.cells import field_text
from bindings_tui.tui.inert import inert_str


def load_line(state: LoadState, loaded: int, what: str, *, kept: int | None = None) -> Text:
    """One list request's progress. `kept`: a reload is under way (or failed) and the
    table still shows the `kept` bindings of the previous list."""
    if state.error is not None:
        if kept is not None:
            text = Text(f"✗ {what}: reload failed after {state.pages} page(s): ", "bold red")
            text.append(error_line(state.error), style="red")
            text.append(f"; showing the {kept:,} binding(s) loaded before (stale)", "bold")
            return text
        text = Text(f"✗ {what}: stopped after {state.pages} page(s): ", style="bold red")
        text.append(error_line(state.error), style="red")
        return text
    if state.done:
        return Text(f"✓ {what}: loaded {loaded:,} binding(s) in {state.pages} page(s)")
    if kept is not None:
        return Text(
            f"… {what}: reloading, {state.pages} page(s), {loaded:,} binding(s) so far; "
            f"showing the {kept:,} loaded before",
            style="italic",
        )
    return Text(
        f"… {what}: loading, {state.pages} page(s), {loaded:,} binding(s) so far",
        style="italic",
    )


def watch_line(session: BrowseSession) -> Text | None:
    """`watching qa-tester · last refresh 12:03:04 · +1 −1 ~0` (None: not watching)."""
    state = session.watching
    if state is None:
        return None
    who = inert_str(",".join(state.identities), 60) if state.identities else "the service"
    text = Text("◉ watching ", style="bold green")
    text.append(who, style="bold")
    if state.paused:
        text.append(" · paused while a dialog is open", style="yellow")
    elif state.last_refresh is None:
        text.append(" · first refresh…", style="italic")
    else:
        text.append(f" · last refresh {state.last_refresh.astimezone():%H:%M:%S}")
    text.append(f" · +{len(state.new)} −{len(state.gone)} ~{len(state.changed)}")
    if state.notice:
        text.append(" · ")
        text.append(inert_str(state.notice), style="bold yellow")
    return text


def status_left(session: BrowseSession) -> Text:
    """Load progress (the identity query's, when there is one), delete progress, or
    the watch."""
    watching = watch_line(session)
    reloading = session.listing.reloading or (
        session.identity_listing is not None and session.identity_listing.reloading
    )
    if session.delete_progress:
        left = Text(session.delete_progress, style="bold yellow")
    elif watching is not None and not reloading:
        left = watching
    elif (identity := session.identity_listing) is not None:
        who = inert_str(",".join(session.identities), 60)
        left = load_line(
            identity.state, identity.target.loaded_count, f"identity {who}", kept=identity.kept()
        )
        state = session.load_state
        if not state.done and state.error is None:
            loading = session.listing.target.loaded_count
            left.append(f"  (full list still loading: {loading:,})", style="dim")
    else:
        listing = session.listing
        left = load_line(listing.state, listing.target.loaded_count, "service", kept=listing.kept())
    left.no_wrap = True
    left.overflow = "ellipsis"
    return left


HINT_WIDTH = 36  # the filter's hint on the status line (the help says what it means)


def status_right(session: BrowseSession) -> Text:
    """The filter's hint, marks, a sort under way, and `shown of loaded`."""
    rows = session.active_rows
    right = Text(no_wrap=True, end="")
    hint = rows.query.hint
    if hint:
        # Clipped: a long regex error pushed the load status off the line.
        right.append(inert_str(hint, HINT_WIDTH) + "  ", style="yellow")
    if rows.marks:
        right.append(f"{len(rows.marks)} marked  ", style="bold")
    pending = rows.pending_sort
    if pending is not None and pending.column is not None:  # the old order shows meanwhile
        right.append(f"sorting… by {pending.column.value}  ", style="yellow")
    if rows.filtering:  # a filter over many rows, still under way
        right.append(f"filtering… {rows.shown_count:,} so far of {rows.loaded_count:,}")
    else:
        right.append(f"{rows.shown_count:,} of {rows.loaded_count:,}", style="bold")
    return right


def no_bindings_line(identities: tuple[str, ...]) -> str:
    """An identity query (or a user view) with nothing to show, and the likely why."""
    who = inert_str(", ".join(identities), 60)
    return f"no bindings for {who}: the app never registered, or they were removed"


def empty_line(session: BrowseSession) -> str | None:
    """What the table says when it shows no row (None: it shows rows, or is loading)."""
    rows = session.active_rows
    if rows.shown_count:
        return None
    if rows.filtering:
        return f"filtering… no match yet in {rows.loaded_count:,} binding(s)"
    if rows.loaded_count:
        return (
            f"No binding of the {rows.loaded_count:,} loaded matches the filter: escape clears it"
        )
    listing = session.identity_listing or session.listing
    if not listing.state.done:
        return None  # the status line says it is loading (or why it stopped)
    if session.identity_listing is not None:
        return no_bindings_line(session.identities)
    return "This service has no bindings: no device has registered for push here"


def context_line(session: BrowseSession, account: Text | str) -> Text:
    """` bindings-tui · account · API · service name (SID)`."""
    text = Text(no_wrap=True, end="", overflow="ellipsis")
    text.append(" bindings-tui", style="bold")
    text.append("  ·  ")
    text.append(account)
    text.append("  ·  ")
    text.append(session.origin.api.label, style="bold")
    text.append("  ·  ")
    name = session.service_name
    text.append(field_text(name) if name else "…", style="bold")
    text.append(f" ({inert_str(session.origin.service_sid)})", style="dim")
    return text


def dialog_body_width(screen_width: int) -> int:
    """The text width inside the confirmation (#confirm-dialog in app.tcss: 80 wide, 140
    on a -wide screen, never wider than the screen; a thick border and 2 columns of padding
    each side)."""
    dialog = 140 if screen_width >= 160 else min(80, screen_width)
    return max(dialog - 6, 40)


def delete_question(
    targets: list[Binding],
    *,
    reason: str,
    origin: Origin,
    hidden: int,
    account: Text | None = None,
    body_width: int = 74,
) -> tuple[str, Text]:
    """The confirmation's title and body: what goes, from where (`account`: the account,
    profile and label line), and how many of them the filter hides. Identities and
    endpoints get what `body_width` leaves (at 74: 24 and 60)."""
    identity_width = min(max(body_width - 50, 12), 60)
    endpoint_width = max(body_width - 14, 20)
    body = Text()
    if account is not None:
        body.append_text(account)
        body.append("\n\n")
    if len(targets) > 1 or reason == "marked":
        what = "marked binding(s)" if reason == "marked" else f"binding(s) {reason}".rstrip()
        body.append(f"Delete {len(targets)} {inert_str(what)}?\n", style="bold")
        if hidden:
            body.append(f"{hidden} of them are hidden by the current filter.\n", "bold yellow")
        else:
            body.append("All of them are shown in the table.\n")
        for binding in targets[:6]:
            body.append(
                f"  {clip(field_text(binding.identity), identity_width):<{identity_width + 1}}"
                f"{field_text(binding.binding_type):<9}{inert_str(binding.sid)}\n"
            )
        if len(targets) > 6:
            body.append(f"  … and {len(targets) - 6} more\n", style="dim")
        body.append(f"From {origin.api.label} service {inert_str(origin.service_sid)}.\n")
        body.append("This cannot be undone.", style="italic")
        return f"Delete {len(targets)} bindings", body
    current = targets[0]
    body.append("Delete this binding? This cannot be undone.\n\n", style="bold")
    for label, value in (
        ("identity", field_text(current.identity)),
        ("type", field_text(current.binding_type)),
        ("endpoint", clip(field_text(current.endpoint), endpoint_width)),
        ("sid", inert_str(current.sid)),
    ):
        body.append(f"{label:<10}", style="bold")
        body.append(value + "\n")
    body.rstrip()
    return "Delete binding", body


def gone_line(binding: Binding, result: DeleteResult) -> str:
    """The toast for a binding that left the list (deleted now, or found missing)."""
    who = f"{field_text(binding.identity)}, {field_text(binding.binding_type)}"
    if result.outcome is DeleteOutcome.BINDING_NOT_FOUND:
        return f"{binding.sid} ({who}) was not found (deleted before?); removed from the list"
    extra = f" ({result.reason})" if result.reason else ""
    return f"Deleted {binding.sid} ({who}){extra}"
