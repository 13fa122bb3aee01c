"""21. Bad input never reaches the server: exit 2, one line, zero requests."""

from __future__ import annotations

import pytest

from tests.hostile.conftest import Cli
from tests.hostile.runner import assert_failed
from tests.hostile.servers import HostileServer
from tests.hostile.twilio import SERVICE, TwilioLike

CASES = {
    "userinfo-in-base-url": ("http://user:pw@127.0.0.1:{port}", ()),
    "port-out-of-range": ("http://127.0.0.1:99999", ()),
    "timeout-nan": (None, ("--timeout", "nan")),
    "timeout-inf": (None, ("--timeout", "inf")),
    "identity-100KB": (None, ("--identity", "x" * 100_000)),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_is_one_line_and_sends_nothing(
    hostile: HostileServer, cli: Cli, case: str
) -> None:
    base, extra = CASES[case]
    hostile.serve(TwilioLike())
    base_url = base.format(port=hostile.port) if base else None
    result = cli("list", "--service", SERVICE, "-o", "jsonl", *extra, base_url=base_url)
    assert_failed(result, code=2)
    assert hostile.requests == [], f"the server saw {len(hostile.requests)} request(s)"
    assert hostile.foreign.received == b""
