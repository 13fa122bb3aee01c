"""bindings-tui: a terminal browser for Twilio push-notification Bindings."""

import importlib.util
import sys

__version__ = "0.1.0"

# Two imports of httpx's that cost every run of this program time for nothing (measured
# in benchmarks/README.md, "Choices the numbers made"); None in sys.modules makes an
# import raise ImportError at once, which both places catch:
# - httpx's package imports its own command-line client (`httpx._main`: click, rich,
#   pygments) whenever those are installed: about 60 ms of every start-up, for a command
#   never run here (httpx's `main` becomes its stub);
# - httpcore tries `import sniffio` each time it sets up a lock, about four times a
#   request, and uses asyncio when it is missing (anyio 4 no longer installs it): each
#   try searched sys.path again (~45 us). Only a sniffio that is not installed is marked.
if "httpx" not in sys.modules:
    sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
if "sniffio" not in sys.modules and importlib.util.find_spec("sniffio") is None:
    sys.modules["sniffio"] = None  # type: ignore[assignment]
