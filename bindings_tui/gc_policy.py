"""Keep a big loaded list out of the cyclic garbage collector's full passes.

CPython's cyclic GC runs a full collection each time the number of long-lived tracked
objects has grown by a quarter, and a full pass visits every tracked object. 100,000
loaded bindings are about 300,000 tracked objects (each `Binding`, its `raw` dict and
that dict's `message_types` list), so while a big list streams in, the full passes grow
to a quarter of a second each: the longest event-loop stalls of the TUI (see
benchmarks/README.md), and later a random pause while the user types in the filter.

`settle_loaded()`, called after each page is stored, collects the young generations (so fresh
garbage cycles are freed, not kept) and then moves every tracked object to the permanent
generation (`gc.freeze()`), which later passes skip. Frozen objects are still freed by
reference counting as usual (bindings hold no reference cycles); what freezing keeps
alive is an object that later becomes part of an unreachable cycle, such as a closed
screen and everything it holds. `release_loaded()`, called when the screen that loaded the
list goes away, unfreezes everything so the collector sees it again.

No textual import here: this module is core.
"""

from __future__ import annotations

import gc


def settle_loaded() -> None:
    """Free young garbage, then exempt everything alive now from future GC passes."""
    gc.collect(1)
    gc.freeze()


def release_loaded() -> None:
    """Hand every frozen object back to the collector (its oldest generation)."""
    gc.unfreeze()


def frozen_count() -> int:
    return gc.get_freeze_count()
