"""bindings-tui: a terminal browser for Twilio push-notification Bindings."""

import sys

__version__ = "0.1.0"

# httpx's package imports its own command-line client (`httpx._main`: click, rich,
# pygments) whenever those are installed: about 60 ms of every start-up here, for a
# command this program never runs. None in sys.modules makes that one import raise
# ImportError, which httpx catches (its `main` becomes a stub); the library is unchanged.
if "httpx" not in sys.modules:
    sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
