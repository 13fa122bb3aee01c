"""The one delete routine: every delete (CLI, TUI, clean-ups) goes through `delete_many`.

A Binding cannot be recreated (only the device can register again), so a delete says
exactly what happened:
- deleted: this run's DELETE was answered 2xx;
- deleted (the first answer was lost): an earlier attempt got no answer (or a 5xx) and
  the binding is now gone, so that attempt did it;
- binding not found: 404 for the binding while its service exists;
- service not found: 404 because the service itself does not exist (a typo);
- not deleted: nothing was sent (connection refused), or the server said no, or the
  binding is still there after every try;
- outcome unknown: an attempt may have landed and the binding could not be checked.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from bindings_tui.errors import (
    AuthError,
    BindingsError,
    ConnectFailed,
    NetworkError,
    NotFoundError,
    ReadOnlyError,
    UnsafeUrlError,
)

if TYPE_CHECKING:
    from bindings_tui.audit import AuditTrail
    from bindings_tui.client import TwilioClient
    from bindings_tui.models import JsonDict


class DeleteOutcome(enum.Enum):
    DELETED = "deleted"
    DELETED_EARLIER = "deleted-earlier"
    BINDING_NOT_FOUND = "binding-not-found"
    SERVICE_NOT_FOUND = "service-not-found"
    NOT_DELETED = "not-deleted"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def deleted(self) -> bool:
        """This run deleted the binding."""
        return self in (DeleteOutcome.DELETED, DeleteOutcome.DELETED_EARLIER)

    @property
    def gone(self) -> bool:
        """The binding does not exist now (a list showing it should drop it)."""
        return self.deleted or self is DeleteOutcome.BINDING_NOT_FOUND


_LABELS = {
    DeleteOutcome.DELETED: "deleted",
    DeleteOutcome.DELETED_EARLIER: "deleted",
    DeleteOutcome.BINDING_NOT_FOUND: "binding not found",
    DeleteOutcome.SERVICE_NOT_FOUND: "not deleted",
    DeleteOutcome.NOT_DELETED: "not deleted",
    DeleteOutcome.UNKNOWN: "outcome unknown",
}


@dataclass(frozen=True, slots=True)
class DeleteResult:
    """What happened to one binding. `reason` is one inert line (may be empty)."""

    sid: str
    outcome: DeleteOutcome
    reason: str = ""
    error: BindingsError | None = None

    def line(self) -> str:
        """`BS…: deleted`, `BS…: not deleted (connection refused …)`."""
        text = f"{self.sid}: {self.outcome.label}"
        return f"{text} ({self.reason})" if self.reason else text


ResultCallback = Callable[[DeleteResult, int, int], None]
Presence = Literal["gone", "there", "unclear", "silent"]


async def delete_many(
    client: TwilioClient,
    service_sid: str,
    binding_sids: Sequence[str],
    on_result: ResultCallback | None = None,
    *,
    audit: AuditTrail | None = None,
) -> list[DeleteResult]:
    """Delete each binding in turn; `on_result(result, done, total)` after each one.

    Nothing is sent when the client's policy is read-only (ReadOnlyError, one error for the
    whole run) or when `audit` is given and its log cannot be written (AuditError). With
    `audit`, every result is one line of the audit log, with the binding's JSON as it was
    just before (the caller's, else one GET without retries: only for the record).

    After "service not found", an authentication error or a server that stopped answering
    nothing more is sent: the other bindings are reported "not attempted" without a request.
    """
    client.write_policy.check()
    if audit is not None:
        audit.check()
    results: list[DeleteResult] = []
    stop: DeleteResult | None = None
    total = len(binding_sids)
    for done, sid in enumerate(binding_sids, start=1):
        before: JsonDict | None = None
        note: str | None = None
        if audit is not None:
            before = audit.known(sid)
        if stop is None:
            if audit is not None and before is None:
                before, note = await _read_before(client, service_sid, sid)
            result = await delete_one(client, service_sid, sid)
            if result.outcome in (
                DeleteOutcome.SERVICE_NOT_FOUND,
                DeleteOutcome.UNKNOWN,
            ) or isinstance(result.error, AuthError):
                stop = result
        else:
            # Nothing is sent: the service is missing, the credentials are refused, or the
            # server stopped answering (this binding is certainly still there then).
            outcome = (
                DeleteOutcome.NOT_DELETED if stop.outcome is DeleteOutcome.UNKNOWN else stop.outcome
            )
            result = DeleteResult(
                sid, outcome, f"not attempted: {stop.reason or stop.outcome.label}", stop.error
            )
        if audit is not None:
            audit.record(service_sid, result, before, binding_note=note)
        results.append(result)
        if on_result is not None:
            on_result(result, done, total)
    return results


async def _read_before(
    client: TwilioClient, service_sid: str, binding_sid: str
) -> tuple[JsonDict | None, str | None]:
    """The binding's JSON for the audit record (one GET, no retries), or why there is none.
    Only for the record: the delete that follows reports the outcome as it always does."""
    try:
        return await client.read_binding_once(service_sid, binding_sid), None
    except NotFoundError:
        return None, "not found before the delete"
    except BindingsError as exc:
        return None, f"could not be read before the delete: {exc.user_message()}"


async def delete_one(client: TwilioClient, service_sid: str, binding_sid: str) -> DeleteResult:
    """DELETE one binding with bounded retries and report what happened."""
    try:
        path = client.binding_path(service_sid, binding_sid)
    except BindingsError as exc:
        return DeleteResult(binding_sid, DeleteOutcome.NOT_DELETED, exc.user_message(), exc)
    if client.write_policy.read_only:  # the client would refuse it too: nothing is sent
        refused = ReadOnlyError(client.write_policy.refusal())
        return DeleteResult(binding_sid, DeleteOutcome.NOT_DELETED, str(refused), refused)
    policy = client.retry
    # Why an earlier attempt may have deleted it (None: no attempt can have landed).
    uncertain: str | None = None
    checked: Presence = "unclear"  # what the last existence check found
    looked = False  # whether the last attempt was followed by a check
    last: BindingsError | None = None
    for attempt in range(1, policy.max_attempts + 1):
        retry_after: str | None = None
        checked, looked = "unclear", False
        try:
            status, headers, error = await client.send_once("DELETE", path)
        except (ConnectFailed, UnsafeUrlError) as exc:
            last = exc
            if uncertain is None:  # nothing was ever sent: nothing happened
                return DeleteResult(binding_sid, DeleteOutcome.NOT_DELETED, exc.user_message(), exc)
        except (NetworkError, BindingsError) as exc:
            # No (readable) answer: the DELETE may have landed. Look.
            last = exc
            uncertain = uncertain or "the first answer was lost"
            checked, looked = await _presence(client, service_sid, binding_sid), True
            if checked == "gone":
                return DeleteResult(binding_sid, DeleteOutcome.DELETED_EARLIER, uncertain)
            if checked == "silent":
                break  # neither the DELETE nor the check got an answer: stop hammering
        else:
            if error is None:
                return DeleteResult(binding_sid, DeleteOutcome.DELETED)
            if isinstance(error, NotFoundError):
                if uncertain is not None:
                    return DeleteResult(binding_sid, DeleteOutcome.DELETED_EARLIER, uncertain)
                return await _not_found(client, service_sid, binding_sid, error)
            last = error
            if status == 429:  # rate limited: not processed
                retry_after = headers.get("Retry-After")
            elif status >= 500:  # the work may have been done before the error
                uncertain = uncertain or (
                    f"an earlier attempt answered HTTP {status} but went through"
                )
                retry_after = headers.get("Retry-After")
            else:  # 400, 401, 403...: the server said no
                outcome = DeleteOutcome.NOT_DELETED if uncertain is None else DeleteOutcome.UNKNOWN
                return DeleteResult(binding_sid, outcome, error.user_message(), error)
        if attempt < policy.max_attempts:
            await client.sleep(policy.delay(attempt, retry_after))
    reason = last.user_message() if last is not None else "no answer"
    if uncertain is None:
        return DeleteResult(binding_sid, DeleteOutcome.NOT_DELETED, reason, last)
    if not looked:  # the last answer was a 5xx: look once before saying anything
        checked = await _presence(client, service_sid, binding_sid)
    if checked == "gone":
        return DeleteResult(binding_sid, DeleteOutcome.DELETED_EARLIER, uncertain)
    if checked == "there":
        return DeleteResult(
            binding_sid, DeleteOutcome.NOT_DELETED, f"{reason}; the binding is still there", last
        )
    return DeleteResult(
        binding_sid,
        DeleteOutcome.UNKNOWN,
        f"{reason}; it could not be checked whether the binding still exists",
        last,
    )


async def _presence(client: TwilioClient, service_sid: str, binding_sid: str) -> Presence:
    """One GET of the binding: 404 is gone, 200 is there; no answer at all is silent."""
    try:
        _status, _headers, error = await client.send_once(
            "GET", client.binding_path(service_sid, binding_sid)
        )
    except NetworkError:
        return "silent"
    except BindingsError:
        return "unclear"
    if error is None:
        return "there"
    return "gone" if isinstance(error, NotFoundError) else "unclear"


async def _not_found(
    client: TwilioClient, service_sid: str, binding_sid: str, error: NotFoundError
) -> DeleteResult:
    """404 for a binding: is it the binding, or the whole service (a typo)?"""
    label = client.api.label
    try:
        await client.fetch_service(service_sid)
    except NotFoundError:
        return DeleteResult(
            binding_sid,
            DeleteOutcome.SERVICE_NOT_FOUND,
            f"service {service_sid} not found in {label}",
            error,
        )
    except BindingsError as exc:
        return DeleteResult(
            binding_sid,
            DeleteOutcome.BINDING_NOT_FOUND,
            f"404; the service could not be checked: {exc.user_message()}",
            error,
        )
    return DeleteResult(
        binding_sid,
        DeleteOutcome.BINDING_NOT_FOUND,
        f"no such binding in {service_sid} ({label}); deleted before, or never there",
        error,
    )


__all__ = ["DeleteOutcome", "DeleteResult", "delete_many", "delete_one"]
