"""Running the real CLI (a subprocess) against the fake Twilio over a loopback socket."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from cli_process import Result, run_bindings_tui

from bindings_tui.fake_twilio import FakeTwilio

PLUGIN = Path(__file__).resolve().parents[1] / "credentials" / "keyring_plugin"


def data_dir() -> Path:
    return Path(os.environ["BINDINGS_TUI_DATA_DIR"])


def audit_lines() -> list[dict[str, Any]]:
    path = data_dir() / "audit.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def deletes_seen(fake: FakeTwilio, since: int = 0) -> int:
    return [r.method for r in fake.requests[since:]].count("DELETE")


async def run_cli(
    *args: str, env_extra: dict[str, str] | None = None, with_env_credentials: bool = True
) -> Result:
    """`python -m bindings_tui ARGS`, env from this process (the test's isolated dirs)."""
    return await run_bindings_tui(
        *args, env_extra=env_extra, with_env_credentials=with_env_credentials
    )


def busy_service(fake: FakeTwilio) -> str:
    """The fake's service with the most Conversations bindings (one of them is empty)."""
    from bindings_tui.models import ApiFlavor

    return max(
        fake.service_sids(), key=lambda s: len(fake.binding_sids(ApiFlavor.CONVERSATIONS, s))
    )
