"""No committed screenshot or snapshot carries a secret the tests or the demo use."""

from __future__ import annotations

from pathlib import Path

from bindings_tui.fake_twilio import DEMO_AUTH_TOKEN

REPO = Path(__file__).resolve().parents[2]


def test_no_svg_contains_the_demo_secret() -> None:
    svgs = list(REPO.glob("screenshots/*.svg")) + list(REPO.glob("tests/**/__snapshots__/**/*.svg"))
    assert svgs, "no screenshots or snapshots found: the scan would prove nothing"
    for path in svgs:
        text = path.read_text(encoding="utf-8")
        assert DEMO_AUTH_TOKEN not in text, path
        # Rich's SVG export splits text into spans: check the de-spaced text too.
        assert DEMO_AUTH_TOKEN not in text.replace("&#160;", "").replace(" ", ""), path
