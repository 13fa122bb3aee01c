"""Command-line entry point (being written; see issue 2)."""

from __future__ import annotations


def main(argv: list[str] | None = None) -> int:
    return 0
