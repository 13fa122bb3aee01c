"""Fixtures shared by every test area. Area-specific fixtures live in tests/<area>/conftest.py."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
# CI puts shared/ beside the clone; a user's own clone has none.
SHARED_DIR = Path(os.environ.get("BINDINGS_TUI_SHARED", REPO_ROOT.parent / "shared"))
OPENAPI_DIR = SHARED_DIR / "reference" / "openapi"


def _load_reference(name: str) -> dict[str, Any]:
    path = OPENAPI_DIR / name
    if not path.is_file():
        pytest.skip(
            f"reference file {path} is missing: the OpenAPI specs live in ../shared beside "
            "the clone (CI has it; a plain user clone does not)"
        )
    data: dict[str, Any] = json.loads(path.read_text())
    return data


@pytest.fixture(scope="session")
def conversations_spec() -> dict[str, Any]:
    return _load_reference("twilio_conversations_v1.json")


@pytest.fixture(scope="session")
def chat_spec() -> dict[str, Any]:
    return _load_reference("twilio_chat_v2.json")


@pytest.fixture(scope="session")
def error_bodies() -> dict[str, Any]:
    return _load_reference("twilio_error_bodies.json")


@pytest.fixture(autouse=True)
def _isolated_user_dirs(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Never touch the developer's real config, keyring or Twilio env during tests."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("BINDINGS_TUI_CONFIG_DIR", str(home / "config"))
    monkeypatch.setenv("BINDINGS_TUI_DATA_DIR", str(home / "data"))  # the delete audit log
    monkeypatch.delenv("BINDINGS_TUI_READ_ONLY", raising=False)
    for var in (
        "TWILIO_ACCOUNT_SID",
        "TWILIO_AUTH_TOKEN",
        "TWILIO_API_KEY",
        "TWILIO_API_SECRET",
        "TWILIO_REGION",
        "TWILIO_EDGE",
        "TWILIO_CONFIG_DIR",
    ):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def small_sorts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Sorts of more than a few rows take the sliced path a million rows take, a few rows
    a step."""
    from bindings_tui import rows, sort_pass

    monkeypatch.setattr(rows, "SYNC_SORT_ROWS", 3)
    monkeypatch.setattr(sort_pass, "CHUNK_ROWS", 3)
    monkeypatch.setattr(sort_pass, "MERGE_ROWS", 3)


@pytest.fixture
def tiny_slices(monkeypatch: pytest.MonkeyPatch) -> None:
    """Slices of a few rows, so small lists take the sliced path a million rows take."""
    from bindings_tui import filter_pass, rows

    monkeypatch.setattr(rows, "_SYNC_ROWS", 3)
    monkeypatch.setattr(filter_pass, "FIRST_MATCHES", 2)
    monkeypatch.setattr(filter_pass, "HEAD_ROWS", 3)
    monkeypatch.setattr(filter_pass, "SLICE_ROWS", 4)
    monkeypatch.setattr(filter_pass, "TEST_ROWS", 3)
    monkeypatch.setattr(filter_pass, "WALK_ROWS", 5)
    # A restriction's rows (the findings `f` shows) found a few at a time as well.
    from bindings_tui import restriction_rows

    monkeypatch.setattr(restriction_rows, "PACK_SIDS", 50)
    monkeypatch.setattr(restriction_rows, "SCAN_ROWS", 3)
