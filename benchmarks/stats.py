"""Summaries of repeated timings: median with min and max, and how they were taken."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Stat:
    """Median, min and max of `n` samples (seconds unless `unit` says otherwise).

    `method` is "measured" for full runs, or "extrapolated" when each sample timed only
    the first `pages_timed` of `pages_total` pages and was scaled by the page ratio.
    """

    median: float
    low: float
    high: float
    n: int
    unit: str = "s"
    method: str = "measured"
    pages_timed: int | None = None
    pages_total: int | None = None

    @classmethod
    def of(cls, samples: Sequence[float], unit: str = "s", **extra: Any) -> Stat:
        if not samples:
            raise ValueError("no samples")
        return cls(
            median=statistics.median(samples),
            low=min(samples),
            high=max(samples),
            n=len(samples),
            unit=unit,
            **extra,
        )

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}

    def brief(self) -> str:
        """`12.3 s (11.9-12.8, n=3)`; milliseconds and megabytes read naturally."""
        mark = "~" if self.method == "extrapolated" else ""
        return (
            f"{mark}{fmt(self.median, self.unit)} "
            f"({fmt(self.low, self.unit, bare=True)}-{fmt(self.high, self.unit, bare=True)}, "
            f"n={self.n})"
        )


def fmt(value: float, unit: str, *, bare: bool = False) -> str:
    if unit == "s":
        if value < 1:
            text, shown = f"{value * 1000:.0f}", "ms"
        else:
            text, shown = f"{value:.2f}", "s"
    elif unit == "MB":
        text, shown = f"{value:.0f}", "MB"
    else:
        text, shown = f"{value:.3g}", unit
    return text if bare else f"{text} {shown}"


def percentile(samples: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty sample."""
    ordered = sorted(samples)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]
