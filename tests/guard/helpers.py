"""Running the real CLI (a subprocess) against the fake Twilio over a loopback socket."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bindings_tui.fake_twilio import DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, FakeTwilio

HANG_GUARD_S = 120
PLUGIN = Path(__file__).resolve().parents[1] / "credentials" / "keyring_plugin"


@dataclass
class Result:
    code: int
    out: str
    err: str


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
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", **(env_extra or {})}
    if with_env_credentials:
        env.update(TWILIO_ACCOUNT_SID=DEMO_ACCOUNT_SID, TWILIO_AUTH_TOKEN=DEMO_AUTH_TOKEN)
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bindings_tui",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        stdin=asyncio.subprocess.DEVNULL,
        env=env,
    )
    try:
        out, err = await asyncio.wait_for(proc.communicate(), HANG_GUARD_S)
    except TimeoutError:
        proc.kill()
        raise AssertionError(f"bindings-tui {' '.join(args)} hung") from None
    result = Result(proc.returncode or 0, out.decode(), err.decode())
    assert DEMO_AUTH_TOKEN not in result.out + result.err
    assert "Traceback" not in result.err, result.err
    return result


def busy_service(fake: FakeTwilio) -> str:
    """The fake's service with the most Conversations bindings (one of them is empty)."""
    from bindings_tui.models import ApiFlavor

    return max(
        fake.service_sids(), key=lambda s: len(fake.binding_sids(ApiFlavor.CONVERSATIONS, s))
    )
