"""The delete audit log: one JSON line per delete result, from the CLI and the TUI alike.

A record, not an undo: a deleted Binding cannot be recreated (the device has to register
again), but the log says what was deleted, when, by which profile and account, and what the
binding held just before.

Where: `audit.jsonl` in the data directory (env BINDINGS_TUI_DATA_DIR, else platformdirs'
user data path). Each append holds `audit.jsonl.lock` (filelock, across processes), is one
`write` on an O_APPEND descriptor, then fsync; the file is mode 0600. At `MAX_AUDIT_BYTES`
it rotates to audit.jsonl.1 (older ones move up to .KEEP_ROTATED, the oldest is dropped).

A record is built from named fields (`audit_record`), never from a credentials object, so
the secret cannot reach it.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

import filelock
from platformdirs import user_data_path

from bindings_tui.errors import AuditError
from bindings_tui.models import JsonDict
from bindings_tui.textsafe import clip, make_visible

if TYPE_CHECKING:
    from bindings_tui.deletes import DeleteResult

DATA_DIR_ENV: Final = "BINDINGS_TUI_DATA_DIR"
AUDIT_FILE: Final = "audit.jsonl"
MAX_AUDIT_BYTES: Final = 5 * 1024 * 1024
KEEP_ROTATED: Final = 3
LOCK_TIMEOUT: Final = 10.0
MAX_LINE_BYTES: Final = 4 * 1024 * 1024  # a longer line is not ours: skipped as corrupt

Source = Literal["cli", "tui"]


def data_dir(env: Mapping[str, str] | None = None) -> Path:
    """BINDINGS_TUI_DATA_DIR, else platformdirs' user data path for bindings-tui."""
    env = os.environ if env is None else env
    override = env.get(DATA_DIR_ENV, "").strip()
    if override:
        return Path(override).expanduser()
    return user_data_path("bindings-tui")


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso_utc(moment: datetime) -> str:
    """`2025-01-31T12:00:00.123Z`."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True, slots=True)
class AuditContext:
    """Who deletes, where, and why; `bindings`: each binding's JSON as shown, by SID."""

    profile: str | None
    account_sid: str
    api: str
    source: Source
    cleanup_reason: str | None = None
    bindings: Mapping[str, JsonDict] = field(default_factory=dict)


def audit_record(
    context: AuditContext,
    service_sid: str,
    result: DeleteResult,
    binding: JsonDict | None,
    moment: datetime,
    *,
    binding_note: str | None = None,
) -> dict[str, Any]:
    """One line of the log, from named fields only (never a credentials object)."""
    return {
        "time": iso_utc(moment),
        "source": context.source,
        "profile": context.profile,
        "account_sid": context.account_sid,
        "api": context.api,
        "service_sid": service_sid,
        "binding_sid": result.sid,
        "outcome": result.outcome.value,
        "outcome_label": result.outcome.label,
        "reason": result.reason or None,
        "cleanup_reason": context.cleanup_reason,
        "binding": dict(binding) if binding is not None else None,
        "binding_note": binding_note,
    }


def _where(path: Path) -> str:
    return make_visible(str(path))


def _os_reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


class AuditLog:
    """`audit.jsonl` (and its rotated files) in one directory."""

    def __init__(
        self,
        directory: Path | None = None,
        *,
        max_bytes: int = MAX_AUDIT_BYTES,
        keep: int = KEEP_ROTATED,
    ) -> None:
        self.directory = data_dir() if directory is None else directory
        self.path = self.directory / AUDIT_FILE
        self.max_bytes = max_bytes
        self.keep = keep
        self._lock = filelock.FileLock(
            str(self.directory / (AUDIT_FILE + ".lock")), timeout=LOCK_TIMEOUT
        )

    def __repr__(self) -> str:
        return f"AuditLog(path={str(self.path)!r})"

    def rotated(self, n: int) -> Path:
        return self.directory / f"{AUDIT_FILE}.{n}"

    def files_oldest_first(self) -> list[Path]:
        """The rotated files (oldest first), then the current one; only those that exist."""
        candidates = [self.rotated(n) for n in range(self.keep, 0, -1)] + [self.path]
        return [p for p in candidates if p.is_file()]

    # ---- writing ---------------------------------------------------------------------------

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        try:
            self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            self._lock.acquire()
        except filelock.Timeout:
            raise AuditError(
                f"{_where(self.path)} is locked by another bindings-tui process "
                f"(waited {LOCK_TIMEOUT:g} s)"
            ) from None
        except OSError as exc:
            raise AuditError(f"cannot write {_where(self.path)}: {_os_reason(exc)}") from None
        try:
            yield
        finally:
            self._lock.release()

    def check_writable(self) -> None:
        """AuditError unless a record could be appended now (before any delete is sent)."""
        with self._locked():
            try:
                fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
                os.close(fd)
            except OSError as exc:
                raise AuditError(f"cannot write {_where(self.path)}: {_os_reason(exc)}") from None

    def append(self, record: Mapping[str, Any]) -> None:
        """Append one record (one line), rotating first when it would pass the size limit."""
        line = (json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n").encode()
        with self._locked():
            try:
                self._rotate_if_needed(len(line))
                fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
                try:
                    os.fchmod(fd, 0o600)
                    os.write(fd, line)
                    os.fsync(fd)
                finally:
                    os.close(fd)
            except OSError as exc:
                raise AuditError(f"cannot write {_where(self.path)}: {_os_reason(exc)}") from None

    def _rotate_if_needed(self, incoming: int) -> None:
        try:
            size = self.path.stat().st_size
        except FileNotFoundError:
            return
        if size == 0 or size + incoming <= self.max_bytes:
            return
        # audit.jsonl.(keep-1) -> .keep, ..., audit.jsonl -> .1 (the oldest is replaced).
        for n in range(self.keep - 1, 0, -1):
            if self.rotated(n).exists():
                os.replace(self.rotated(n), self.rotated(n + 1))
        if self.keep >= 1:
            os.replace(self.path, self.rotated(1))
        else:
            os.unlink(self.path)

    # ---- reading ---------------------------------------------------------------------------

    def read(self, on_bad_line: Callable[[str], None]) -> Iterator[dict[str, Any]]:
        """Every record, oldest first; a corrupt line is skipped with `on_bad_line(message)`."""
        for path in self.files_oldest_first():
            try:
                handle = path.open("rb")
            except OSError as exc:
                on_bad_line(f"cannot read {_where(path)}: {_os_reason(exc)}")
                continue
            with handle:
                number = 0
                while True:
                    raw = handle.readline(MAX_LINE_BYTES + 1)
                    if not raw:
                        break
                    number += 1
                    if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
                        while raw and not raw.endswith(b"\n"):  # skip the rest of the line
                            raw = handle.readline(MAX_LINE_BYTES + 1)
                        on_bad_line(f"{_where(path)} line {number}: too long, skipped")
                        continue
                    if not raw.strip():
                        continue
                    record = _parse_line(raw)
                    if record is None:
                        on_bad_line(f"{_where(path)} line {number}: not a record, skipped")
                        continue
                    yield record


def _parse_line(raw: bytes) -> dict[str, Any] | None:
    try:
        value = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    if not isinstance(value, dict) or not isinstance(value.get("binding_sid"), str):
        return None
    return value


class AuditTrail:
    """What `deletes.delete_many` writes through: the context and the log.

    `record` never raises: a delete has happened whether or not its line could be written,
    so the first failure is kept in `failure` (one line) for the caller to report.
    """

    def __init__(
        self,
        context: AuditContext,
        log: AuditLog | None = None,
        *,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.context = context
        self.log = AuditLog() if log is None else log
        self.clock = clock
        self.failure: str | None = None
        self.written = 0

    def check(self) -> None:
        """AuditError when the log cannot be written: then nothing is deleted."""
        try:
            self.log.check_writable()
        except AuditError as exc:
            raise AuditError(
                f"nothing deleted: the audit log cannot be written ({exc.user_message()}); "
                f"fix it or point {DATA_DIR_ENV} at a writable directory"
            ) from None

    def known(self, sid: str) -> JsonDict | None:
        return self.context.bindings.get(sid)

    def record(
        self,
        service_sid: str,
        result: DeleteResult,
        binding: JsonDict | None,
        *,
        binding_note: str | None = None,
    ) -> None:
        record = audit_record(
            self.context, service_sid, result, binding, self.clock(), binding_note=binding_note
        )
        try:
            self.log.append(record)
        except AuditError as exc:
            if self.failure is None:
                self.failure = clip(exc.user_message(), 300)
            return
        self.written += 1


__all__ = [
    "AUDIT_FILE",
    "DATA_DIR_ENV",
    "KEEP_ROTATED",
    "MAX_AUDIT_BYTES",
    "AuditContext",
    "AuditLog",
    "AuditTrail",
    "audit_record",
    "data_dir",
    "iso_utc",
]
