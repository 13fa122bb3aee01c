"""The screen goes first: a pass over the rows in a background thread (the push
diagnosis) waits while the user is typing a filter or a filter is still running.

Python threads share one interpreter lock. The diagnosis of a million bindings runs
about a minute in a thread right after the list loads; meanwhile every turn of the
screen's event loop waited for the lock (up to the switch interval, 5 ms, each time it
woke) and then ran at about half speed: filter keystrokes at 1M took twice as long
(p95 about 110 ms against about 60 ms once the diagnosis had ended; benchmarks/README.md).

The screen's thread calls `busy()` on each filter edit or slice; the background pass
calls `wait()` now and then (`BindingsView` does, every few thousand rows), which
sleeps until the screen has been quiet for `HOLD_S`. It never waits on the screen's
own thread, and never longer than `MAX_WAIT_S` at a time, so findings are late at
worst, never lost.

No textual import here: this module is core.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Final

HOLD_S: Final = 0.25  # quiet time after the last keystroke or slice before a pass goes on
MAX_WAIT_S: Final = 2.0  # one wait, at most (a pass is never starved for good)
_NAP_S: Final = 0.02


class ScreenFirst:
    """Made on the screen's thread; `wait()` from any other thread."""

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._screen_thread = threading.get_ident()
        self._quiet_from = 0.0  # a float write: atomic under the interpreter lock

    def busy(self) -> None:
        """The screen is working for the user now (a keystroke, a filter slice)."""
        self._quiet_from = self._clock() + HOLD_S

    def wait(self) -> float:
        """From a background pass: sleep while the screen is busy. Returns the time slept."""
        if threading.get_ident() == self._screen_thread:
            return 0.0
        began = now = self._clock()
        while now < self._quiet_from and now - began < MAX_WAIT_S:
            self._sleep(min(self._quiet_from - now, _NAP_S))
            now = self._clock()
        return now - began
