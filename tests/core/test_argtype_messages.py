"""The number options say which of two things is wrong: not a number, or out of range."""

from __future__ import annotations

import argparse
from collections.abc import Callable

import pytest

from bindings_tui.cli import argtypes


@pytest.mark.parametrize(
    ("parse", "text", "expected"),
    [
        (
            argtypes.watch_interval,
            "1",
            "1 is out of range: use 2..86400 (seconds between refreshes)",
        ),
        (argtypes.watch_interval, "abc", "'abc' is not a number (seconds between refreshes)"),
        (argtypes.watch_interval, "inf", "'inf' is not a number (seconds between refreshes)"),
        (
            argtypes.timeout_seconds,
            "0",
            "0 is out of range: use more than 0 and at most 600 (seconds)",
        ),
        (argtypes.timeout_seconds, "nan", "'nan' is not a number (seconds)"),
    ],
)
def test_number_option_messages(parse: Callable[[str], float], text: str, expected: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError) as caught:
        parse(text)
    assert str(caught.value) == expected


def test_number_in_range_is_returned() -> None:
    assert argtypes.watch_interval("2.5") == 2.5
    assert argtypes.timeout_seconds("600") == 600.0
