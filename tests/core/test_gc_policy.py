"""The GC policy the TUI applies while a big list loads (bindings_tui.gc_policy)."""

from __future__ import annotations

import gc

from bindings_tui.gc_policy import frozen_count, release_loaded, settle_loaded


class Node:
    def __init__(self) -> None:
        self.me = self  # a reference cycle: only the cyclic collector frees it


def test_settle_freezes_what_is_alive_and_release_hands_it_back() -> None:
    try:
        kept = [Node() for _ in range(100)]
        settle_loaded()
        assert frozen_count() >= len(kept)  # later full passes skip them
        release_loaded()
        assert frozen_count() == 0
        del kept
        assert gc.collect() >= 100  # unfrozen cycles are collectable again
    finally:
        release_loaded()


def test_settle_frees_young_garbage_cycles_instead_of_freezing_them() -> None:
    try:
        gc.collect()
        for _ in range(50):
            Node()  # unreachable at once, but kept alive by its cycle
        settle_loaded()
        release_loaded()
        assert gc.collect() == 0  # settle already collected them
    finally:
        release_loaded()
