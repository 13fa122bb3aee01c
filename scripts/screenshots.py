"""Write SVG screenshots of the main states into a directory (default: screenshots/),
the layout-sensitive ones at 80x24 and 200x50 too.

Same code path as the snapshot tests: the scenarios in tests/tui/scenarios.py, drawn
with Textual's own `take_svg_screenshot` (what pytest-textual-snapshot calls).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
os.environ.pop("COLUMNS", None)
os.environ.pop("LINES", None)


def main(argv: list[str]) -> int:
    from textual._doc import take_svg_screenshot
    from tui.scenarios import SCENARIOS, SIZE, SIZED, SIZES, size_name

    out = Path(argv[0]) if argv else REPO / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    for scenario in SCENARIOS:
        # Every state at SIZE as `name.svg`; the SIZED ones also as `name-80x24.svg`, ...
        for size in SIZES if scenario.name in SIZED else (SIZE,):
            app, run_before = scenario.make()
            svg = take_svg_screenshot(
                app=app, terminal_size=size, run_before=run_before, title="bindings-tui"
            )
            suffix = "" if size == SIZE else f"-{size_name(size)}"
            path = out / f"{scenario.name}{suffix}.svg"
            path.write_text(svg, encoding="utf-8", newline="\n")
            shown = path.relative_to(REPO) if path.is_relative_to(REPO) else path
            print(f"{shown}: {scenario.description} ({size_name(size)})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
