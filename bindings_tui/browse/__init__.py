"""The headless browse session (no Textual): what the main screen shows, kept in one place.

- `session`: `BrowseSession`, the service listing plus an identity overlay, load states,
  request tickets, diagnosis timing, delete bookkeeping; observers are told what changed.
- `listing`: one list request's rows (kept through a reload) and its `LoadState`.
- `loading`: `list_pages`, a list request run to its end with callbacks.
- `findings_choice`: `f`'s choice of rows by finding.
- `watching`: `w`'s watch: new, changed and gone rows, the last refresh.
"""

from bindings_tui.browse.findings_choice import ALERT_FINDINGS, ALL_FINDINGS, FindingChoice
from bindings_tui.browse.listing import Listing, LoadState
from bindings_tui.browse.session import (
    BrowseSession,
    Change,
    DiagnosisRequest,
    Scope,
    Ticket,
    error_line,
    parse_identities,
)
from bindings_tui.browse.watching import WATCH_MAX_ROWS, WatchState

__all__ = [
    "ALERT_FINDINGS",
    "ALL_FINDINGS",
    "WATCH_MAX_ROWS",
    "BrowseSession",
    "Change",
    "DiagnosisRequest",
    "FindingChoice",
    "Listing",
    "LoadState",
    "Scope",
    "Ticket",
    "WatchState",
    "error_line",
    "parse_identities",
]
