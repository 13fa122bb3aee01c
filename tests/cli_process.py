"""`python -m bindings_tui ...` as a real process, for tests that drive the CLI over a
socket. Every run checks what every CLI promise needs: no token in any output, no
traceback, no raw control character on stderr, and no hang."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from dataclasses import dataclass

from core.cli_kit import RAW_CONTROL

from bindings_tui.fake_twilio import DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN

HANG_GUARD_S = 120


@dataclass
class Result:
    code: int
    out: str
    err: str

    def sids(self) -> list[str]:
        """The `sid` of each JSON line of stdout (`-o jsonl`)."""
        return [json.loads(line)["sid"] for line in self.out.splitlines() if line.strip()]


async def run_bindings_tui(
    *args: str, env_extra: dict[str, str] | None = None, with_env_credentials: bool = True
) -> Result:
    """The CLI with ARGS; the environment is this process's (the test's isolated dirs),
    plus the fake's credentials unless `with_env_credentials` is False."""
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
        await proc.communicate()
        raise AssertionError(f"bindings-tui {' '.join(args)} hung") from None
    result = Result(proc.returncode or 0, out.decode(), err.decode())
    # Secret hygiene: the token never reaches the user's screen or a pipe.
    assert DEMO_AUTH_TOKEN not in result.out + result.err
    assert "Traceback" not in result.err, result.err
    assert not RAW_CONTROL.search(result.err), repr(result.err)
    return result


async def run_cli(base_url: str, *args: str) -> Result:
    """The CLI against the server at `base_url` with the fake's credentials."""
    return await run_bindings_tui("--base-url", base_url, *args)
