"""The delete audit log: what a record holds, rotation, file mode, corrupt lines, a write
that fails, and read-only refusing before any request (delete_many on the in-process fake)."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from bindings_tui.audit import AuditContext, AuditLog, AuditTrail
from bindings_tui.client import TwilioClient
from bindings_tui.deletes import DeleteOutcome, delete_many
from bindings_tui.errors import AuditError, ReadOnlyError
from bindings_tui.fake_twilio import DEMO_AUTH_TOKEN, FAKE_BASE_URL, FakeConfig, FakeTwilio
from bindings_tui.models import ApiFlavor
from bindings_tui.write_policy import WritePolicy, resolve_write_policy

from .helpers import busy_service


def _client(fake: FakeTwilio, policy: WritePolicy | None = None) -> TwilioClient:
    return TwilioClient(
        fake.credentials(),
        ApiFlavor.CONVERSATIONS,
        base_url=FAKE_BASE_URL,
        transport=fake.transport(),
        **({"write_policy": policy} if policy else {}),
    )


def _context(**changes: object) -> AuditContext:
    values: dict[str, object] = {
        "profile": "prod",
        "account_sid": "AC" + "1" * 32,
        "api": "conversations",
        "source": "tui",
    }
    values.update(changes)
    return AuditContext(**values)  # type: ignore[arg-type]


async def test_every_result_is_one_record_with_the_binding_as_it_was(tmp_path: Path) -> None:
    fake = FakeTwilio(FakeConfig(seed=2, bindings=30))
    service = busy_service(fake)
    sids = sorted(fake.binding_sids(ApiFlavor.CONVERSATIONS, service))[:2]
    missing = "BS" + "0" * 32
    log = AuditLog(tmp_path)
    async with _client(fake) as client:
        shown = (await client.fetch_binding(service, sids[0])).raw  # the TUI passes its rows
        trail = AuditTrail(
            _context(cleanup_reason="rejected tokens", bindings={sids[0]: shown}), log
        )
        before = len(fake.requests)
        results = await delete_many(client, service, [*sids, missing], audit=trail)
    assert [r.outcome for r in results] == [
        DeleteOutcome.DELETED,
        DeleteOutcome.DELETED,
        DeleteOutcome.BINDING_NOT_FOUND,
    ]
    methods = [r.method for r in fake.requests[before:]]
    # sids[0]'s JSON was given: no GET for it; the others are read once before the DELETE.
    assert methods[:3] == ["DELETE", "GET", "DELETE"], methods
    records = list(log.read(pytest.fail))
    assert [r["binding_sid"] for r in records] == [*sids, missing]
    first, second, third = records
    assert first["binding"] == shown and first["outcome"] == "deleted"
    assert second["binding"]["sid"] == sids[1] and second["binding"]["identity"] is not None
    assert third["binding"] is None and third["outcome"] == "binding-not-found"
    assert third["binding_note"] == "not found before the delete"
    for record in records:
        assert record["profile"] == "prod" and record["source"] == "tui"
        assert record["cleanup_reason"] == "rejected tokens"
        assert record["service_sid"] == service and record["time"].endswith("Z")
    assert stat.S_IMODE(os.stat(log.path).st_mode) == 0o600
    assert DEMO_AUTH_TOKEN not in log.path.read_text("utf-8")


async def test_read_only_refuses_the_run_before_any_request(tmp_path: Path) -> None:
    fake = FakeTwilio(FakeConfig(seed=2, bindings=30))
    service = busy_service(fake)
    sids = sorted(fake.binding_sids(ApiFlavor.CONVERSATIONS, service))[:3]
    policy = resolve_write_policy(True)
    async with _client(fake, policy) as client:
        with pytest.raises(ReadOnlyError, match=r"read-only \(--read-only\)"):
            await delete_many(
                client, service, sids, audit=AuditTrail(_context(), AuditLog(tmp_path))
            )
        # The client itself refuses any non-GET, whoever calls it (the one chokepoint).
        with pytest.raises(ReadOnlyError):
            await client.send_once("DELETE", client.binding_path(service, sids[0]))
        result = await client.delete_binding(service, sids[0])
        assert result.outcome is DeleteOutcome.NOT_DELETED and "read-only" in result.reason
    assert fake.requests == []
    assert not (tmp_path / "audit.jsonl").exists()
    assert sids[0] in fake.binding_sids(ApiFlavor.CONVERSATIONS, service)


async def test_an_unwritable_log_deletes_nothing(tmp_path: Path) -> None:
    fake = FakeTwilio(FakeConfig(seed=2, bindings=30))
    service = busy_service(fake)
    sid = sorted(fake.binding_sids(ApiFlavor.CONVERSATIONS, service))[0]
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    async with _client(fake) as client:
        with pytest.raises(AuditError, match="nothing deleted"):
            await delete_many(
                client, service, [sid], audit=AuditTrail(_context(), AuditLog(blocker))
            )
    assert fake.requests == []


async def test_a_failed_write_mid_run_keeps_every_result(tmp_path: Path) -> None:
    fake = FakeTwilio(FakeConfig(seed=2, bindings=30))
    service = busy_service(fake)
    sids = sorted(fake.binding_sids(ApiFlavor.CONVERSATIONS, service))[:2]
    log = AuditLog(tmp_path)

    def full(_record: object) -> None:
        raise AuditError("cannot write audit.jsonl: No space left on device")

    log.append = full  # type: ignore[method-assign]
    trail = AuditTrail(_context(), log)
    async with _client(fake) as client:
        results = await delete_many(client, service, sids, audit=trail)
    assert all(r.outcome is DeleteOutcome.DELETED for r in results)
    assert trail.failure is not None and "No space left" in trail.failure
    assert trail.written == 0


def test_rotation_keeps_the_newest_files_and_reads_oldest_first(tmp_path: Path) -> None:
    log = AuditLog(tmp_path, max_bytes=600, keep=2)
    for n in range(40):
        log.append({"binding_sid": f"BS{n:032d}", "n": n, "pad": "x" * 60})
    names = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("audit.jsonl"))
    assert names == ["audit.jsonl", "audit.jsonl.1", "audit.jsonl.2", "audit.jsonl.lock"]
    for path in log.files_oldest_first():
        assert path.stat().st_size <= 600
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    numbers = [r["n"] for r in log.read(pytest.fail)]
    assert numbers == sorted(numbers) and numbers[-1] == 39
    assert numbers[0] > 0  # the oldest went with the third rotation
    assert numbers == list(range(numbers[0], 40))  # nothing lost between the kept files


def test_corrupt_lines_are_skipped_with_one_warning_each(tmp_path: Path) -> None:
    log = AuditLog(tmp_path)
    log.append({"binding_sid": "BS" + "1" * 32})
    with log.path.open("ab") as handle:
        handle.write(b"{not json\n\xff\xfe\n[1, 2]\n" + b"[" * 100_000 + b"\n")
    log.append({"binding_sid": "BS" + "2" * 32})
    warnings: list[str] = []
    records = list(log.read(warnings.append))
    assert [r["binding_sid"][2] for r in records] == ["1", "2"]
    assert len(warnings) == 4 and all("skipped" in w for w in warnings)


def test_records_are_json_lines_a_script_can_read(tmp_path: Path) -> None:
    log = AuditLog(tmp_path)
    log.append({"binding_sid": "BS" + "1" * 32, "identity": "bob\x1b]52;c;x\x07\n"})
    [line] = log.path.read_text("utf-8").splitlines()
    assert json.loads(line)["identity"] == "bob\x1b]52;c;x\x07\n"
