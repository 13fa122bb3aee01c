"""Run the demo app with hostile server text in every field (for the tmux byte test).

`python tests/tui/hostile_app.py` (with the repo and tests/ on PYTHONPATH): the first demo
service gets a hostile name and bindings whose SID, identity, endpoint and credential
carry OSC 52, OSC 0, CSI, C1 and markup (`tui.trust_kit.add_hostile_records`).
"""

from __future__ import annotations

import sys

from tui.scenarios import build
from tui.trust_kit import add_hostile_records


def main() -> int:
    built = build(bindings=200)
    add_hostile_records(built)
    result = built.app.run()
    return 1 if built.app.return_code else int(result or 0)


if __name__ == "__main__":
    sys.exit(main())
