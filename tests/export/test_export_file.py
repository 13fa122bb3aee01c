"""`bindings_tui.export`: the file is what `list -o FORMAT` prints, never replaced
silently, written atomically with mode 0600; the selection respects filter, sort, marks."""

from __future__ import annotations

import csv
import io
import json
import stat
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cli_process import run_cli

from bindings_tui.client import TwilioClient
from bindings_tui.errors import InputError
from bindings_tui.export import (
    ExportError,
    ExportFormat,
    FileExistsExportError,
    default_file_name,
    format_of,
    render,
    resolve_path,
    selection_of,
    write_export,
)
from bindings_tui.fake_twilio import (
    FakeConfig,
    serve_in_background,
)
from bindings_tui.filtering import TypeFilter, parse_query
from bindings_tui.models import Binding
from bindings_tui.rows import BindingRows, Column, Sort


def _binding(i: int, identity: str, binding_type: str = "apn", **extra: Any) -> Binding:
    raw = {
        "sid": f"BS{i:032x}",
        "identity": identity,
        "binding_type": binding_type,
        "endpoint": f"endpoint-{i}",
        "message_types": ["new_message"],
        "credential_sid": "CR" + "0" * 32,
        "date_updated": f"2025-01-{i % 28 + 1:02d}T00:00:00Z",
        **extra,
    }
    return Binding.from_json(raw)


async def _cli(base_url: str, *args: str) -> str:
    result = await run_cli(base_url, *args)
    assert result.code == 0, result.err
    return result.out


async def test_the_file_is_what_list_prints_for_every_format(tmp_path: Path) -> None:
    """Over a real socket: the fake's bindings (hostile identities among them) exported
    to .json, .jsonl and .csv hold byte for byte what `list -o FORMAT` prints."""
    async with serve_in_background(FakeConfig(seed=5, bindings=180)) as (fake, base_url):
        service = fake.service_sids()[0]
        async with TwilioClient(fake.credentials(), base_url=base_url) as client:
            bindings = await client.list_bindings(service)
        assert len(bindings) > 100
        for fmt in ExportFormat:
            printed = await _cli(
                base_url, "list", "--service", service, "--server-order", "-o", fmt.value
            )
            path = write_export(tmp_path / f"out.{fmt.value}", bindings)
            assert path.read_bytes().decode("utf-8") == printed, fmt
    rows = list(csv.reader(io.StringIO((tmp_path / "out.csv").read_text(), newline="")))
    assert rows[0] == [
        "sid",
        "identity",
        "binding_type",
        "endpoint",
        "message_types",
        "credential_sid",
        "date_updated",
    ]
    # The fake's hostile identities: no formula, no raw control character in any cell.
    cells = [cell for row in rows for cell in row]
    assert not any(c.startswith(("=", "+", "-", "@")) for c in cells)
    assert not any(ch in c for c in cells for ch in "\x1b\x07\u202e")
    exact = json.loads((tmp_path / "out.json").read_text())
    assert [b["sid"] for b in exact] == [b.sid for b in bindings]
    assert exact == [b.raw for b in bindings]  # JSON keeps the data exact


def test_format_comes_from_the_extension() -> None:
    assert format_of(Path("a.csv")) is ExportFormat.CSV
    assert format_of(Path("a.JSON")) is ExportFormat.JSON
    assert format_of(Path("x/y.jsonl")) is ExportFormat.JSONL
    for name in ("a.txt", "a", "a.csv.bak", "a.json~"):
        with pytest.raises(ExportError) as caught:
            format_of(Path(name))
        message = caught.value.user_message()
        assert "\n" not in message and ".csv, .json or .jsonl" in message
        assert isinstance(caught.value, InputError)


def test_names_expand_home_and_are_relative_to_the_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert resolve_path("~/x.csv") == tmp_path / "home" / "x.csv"
    assert resolve_path("  out.json ", tmp_path) == tmp_path / "out.json"
    assert resolve_path("sub/../b.csv", tmp_path) == tmp_path / "b.csv"
    assert resolve_path("/abs/c.csv", tmp_path) == Path("/abs/c.csv")
    monkeypatch.chdir(tmp_path)
    assert resolve_path("d.csv") == tmp_path / "d.csv"
    for bad in ("", "   ", "a\x1b]52;c;x\x07.csv", "a\nb.csv"):
        with pytest.raises(ExportError) as caught:
            resolve_path(bad, tmp_path)
        assert "\x1b" not in caught.value.user_message()
        assert "\n" not in caught.value.user_message()


def test_an_existing_file_is_refused_unless_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("keep me")
    bindings = [_binding(1, "alice")]
    with pytest.raises(FileExistsExportError) as caught:
        write_export(target, bindings)
    assert "exists already" in caught.value.user_message()
    assert target.read_text() == "keep me"
    write_export(target, bindings, overwrite=True)
    assert target.read_text().startswith("sid,identity")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]  # no temp file left


def test_the_file_is_private_and_the_write_leaves_no_temp_files(tmp_path: Path) -> None:
    path = write_export(tmp_path / "b.json", [_binding(1, "alice"), _binding(2, "bob")])
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [b["identity"] for b in json.loads(path.read_text())] == ["alice", "bob"]
    assert [p.name for p in tmp_path.iterdir()] == ["b.json"]
    empty = write_export(tmp_path / "empty.json", [])
    assert json.loads(empty.read_text()) == []


def test_os_errors_are_one_line_naming_the_file(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="does not exist"):
        write_export(tmp_path / "missing" / "a.csv", [])
    (tmp_path / "file").write_text("")
    with pytest.raises(ExportError, match="does not exist"):
        write_export(tmp_path / "file" / "a.csv", [])
    folder = tmp_path / "dir.csv"  # a folder where the file would go
    folder.mkdir()
    with pytest.raises(ExportError, match="cannot write") as caught:
        write_export(folder, [], overwrite=True)
    assert "\n" not in caught.value.user_message()
    assert folder.is_dir() and list(folder.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dir.csv", "file"]


def test_default_name_names_the_service_and_the_moment() -> None:
    name = default_file_name(
        "IS" + "a" * 32, datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC), ExportFormat.CSV
    )
    assert name == "bindings-IS" + "a" * 32 + "-20250102-030405.csv"
    assert format_of(Path(name)) is ExportFormat.CSV


def _rows() -> BindingRows:
    rows = BindingRows()
    rows.append(
        [
            _binding(1, "carol"),
            _binding(2, "alice", "fcm"),
            _binding(3, "bob"),
            _binding(4, "dave", "fcm"),
            _binding(5, "erin"),
        ]
    )
    return rows


def test_selection_is_the_view_filtered_and_sorted() -> None:
    rows = _rows()
    rows.set_sort(Sort(Column.IDENTITY, descending=True))
    rows.set_filter(parse_query(""), TypeFilter(frozenset({"apn"})))
    selection = selection_of(rows)
    assert [b.identity for b in selection.bindings] == ["erin", "carol", "bob"]
    assert not selection.marked
    assert selection.describe() == "3 bindings in view"
    assert render(selection.bindings, ExportFormat.JSONL).count("\n") == 3


def test_marks_win_in_view_order_and_hidden_marks_follow() -> None:
    rows = _rows()
    rows.set_sort(Sort(Column.IDENTITY))
    for sid in (_binding(5, "x").sid, _binding(2, "x").sid, _binding(4, "x").sid):
        rows.toggle_mark(sid)
    selection = selection_of(rows)
    assert [b.identity for b in selection.bindings] == ["alice", "dave", "erin"]
    assert selection.describe() == "3 marked bindings"
    rows.set_filter(parse_query("!dave"))  # dave is marked but hidden now
    selection = selection_of(rows)
    assert [b.identity for b in selection.bindings] == ["alice", "erin", "dave"]
    assert selection.describe() == "3 marked bindings (1 hidden by the filter)"
    rows.toggle_mark(_binding(4, "x").sid)
    rows.toggle_mark(_binding(2, "x").sid)
    assert selection_of(rows).describe() == "1 marked binding"
