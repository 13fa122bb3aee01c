"""Fixtures of the hostile kit: a hostile server per test, and the CLI bound to it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.hostile.runner import CliResult, run_cli
from tests.hostile.servers import HostileServer

Cli = Callable[..., CliResult]


@pytest.fixture
def hostile() -> Iterator[HostileServer]:
    server = HostileServer().start()
    try:
        yield server
    finally:
        server.stop()
    assert not server.scenario_errors, f"kit bug in a scenario: {server.scenario_errors}"


@pytest.fixture
def cli(hostile: HostileServer, tmp_path: Path) -> Cli:
    """`cli(*args, base_url=None, measure_rss=False)`: the CLI against the hostile server."""
    config_dir = tmp_path / "config"
    config_dir.mkdir()

    def run(*args: str, base_url: str | None = None, measure_rss: bool = False) -> CliResult:
        return run_cli(config_dir, base_url or hostile.base_url, *args, measure_rss=measure_rss)

    return run
