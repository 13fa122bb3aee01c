"""The reads a push diagnosis needs, all at once: the list, credentials, push settings,
alerts and users (`read_service`). Network only: the rules over what was read live in
`diagnostics` and `evidence`, and `diagnose_run` joins the two; so the CLI can send its
first requests before it imports the rules. No textual import.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from bindings_tui.binding_facts import distinct_credential_sids
from bindings_tui.client import TwilioClient
from bindings_tui.errors import BindingsError, InputError, NotFoundError
from bindings_tui.evidence.alerts import Alert, AlertWindow
from bindings_tui.evidence.users import UserReachability
from bindings_tui.models import Binding, Credential, JsonDict, Page
from bindings_tui.sids import is_sid
from bindings_tui.streams import stream_bindings_in_type_order

DEFAULT_CONCURRENCY: Final = 8
DEFAULT_ALERT_WINDOW: Final = AlertWindow()


# What one credential read gave: the Credential, None (404, or a SID that cannot exist),
# or why it could not be read.
_CredentialRead = Credential | None | BindingsError


class _CredentialReads:
    """Each distinct credential SID read once, at most `concurrency` at a time, started as
    soon as the SID is known (`start`: from each page while the list loads)."""

    def __init__(self, client: TwilioClient, concurrency: int) -> None:
        if concurrency < 1:
            raise InputError("concurrency must be at least 1")
        self._client = client
        self._gate = asyncio.Semaphore(concurrency)
        self._tasks: dict[str, asyncio.Task[_CredentialRead]] = {}

    def start(self, sid: str) -> None:
        if sid not in self._tasks:
            self._tasks[sid] = asyncio.create_task(self._read(sid))

    def start_named(self, bindings: Sequence[Binding]) -> None:
        """Start reading each credential these bindings name (once per SID)."""
        for binding in bindings:
            if binding.credential_sid:
                self.start(binding.credential_sid)

    async def _read(self, sid: str) -> _CredentialRead:
        if not is_sid("CR", sid.strip()):
            return None
        async with self._gate:
            try:
                return await self._client.fetch_credential(sid)
            except NotFoundError:
                return None
            except BindingsError as exc:
                return exc

    async def results(
        self, sids: Iterable[str]
    ) -> tuple[dict[str, Credential | None], dict[str, str]]:
        """(resolved, unresolved) for `sids`, in their first-seen order."""
        ordered = list(dict.fromkeys(sids))
        for sid in ordered:
            self.start(sid)
        resolved: dict[str, Credential | None] = {}
        unresolved: dict[str, str] = {}
        for sid in ordered:
            read = await self._tasks[sid]
            if isinstance(read, BindingsError):
                unresolved[sid] = read.user_message()
            else:
                resolved[sid] = read
        return resolved, unresolved

    async def cancel(self) -> None:
        await _cancel(self._tasks.values())


async def _cancel(tasks: Iterable[asyncio.Task[Any]]) -> None:
    """Cancel the reads and wait for them to end (what they raise is not asked for)."""
    pending = list(tasks)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)


async def fetch_credentials(
    client: TwilioClient,
    credential_sids: Iterable[str],
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
) -> tuple[dict[str, Credential | None], dict[str, str]]:
    """Fetch each distinct SID once, at most `concurrency` at a time.

    Returns (resolved, unresolved): resolved maps a SID to its Credential, or None when
    the server says 404 or the SID is malformed; unresolved maps a SID to the error
    message of any other failure (auth, network, server).
    """
    reads = _CredentialReads(client, concurrency)
    try:
        return await reads.results(credential_sids)
    finally:
        await reads.cancel()


@dataclass(slots=True)
class _AlertsRead:
    alerts: list[Alert] = field(default_factory=list)
    truncated: bool = False
    read: bool = False
    problem: str | None = None


async def _read_config(client: TwilioClient, service_sid: str) -> JsonDict | str:
    """The service's push settings, or why they could not be read."""
    try:
        return await client.fetch_notification_config(service_sid)
    except BindingsError as exc:
        return f"push settings could not be read: {exc.user_message()}"


async def _read_alerts(client: TwilioClient, window: AlertWindow, now: datetime) -> _AlertsRead:
    try:
        alert_list, truncated = await client.list_alerts(
            window.start(now), now, limit=window.max_alerts
        )
    except BindingsError as exc:
        return _AlertsRead(problem=f"Twilio alerts could not be read: {exc.user_message()}")
    return _AlertsRead(alert_list, truncated, read=True)


async def _read_users(
    client: TwilioClient, service_sid: str, identities: Sequence[str]
) -> tuple[dict[str, UserReachability], list[str]]:
    users: dict[str, UserReachability] = {}
    problems: list[str] = []
    for identity in identities:
        try:
            users[identity] = UserReachability.from_json(
                identity, await client.fetch_user(service_sid, identity)
            )
        except NotFoundError:
            users[identity] = UserReachability.missing(identity)
        except BindingsError as exc:
            problems.append(f"user {identity!r} could not be read: {exc.user_message()}")
    return users, problems


@dataclass(frozen=True, slots=True)
class ServiceReads:
    """What `read_service` read. `config`: the push settings (None: unreadable);
    `alerts`: None when they were not asked for or could not be read; `problems`: one
    line per read that failed without stopping the diagnosis."""

    bindings: Sequence[Binding]
    credentials: dict[str, Credential | None]
    unresolved_credentials: dict[str, str]
    config: JsonDict | None
    alerts: list[Alert] | None
    alerts_truncated: bool
    users: dict[str, UserReachability]
    problems: list[str] = field(default_factory=list)


async def read_service(
    client: TwilioClient,
    service_sid: str,
    now: datetime,
    *,
    bindings: Sequence[Binding] | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
    alerts: AlertWindow | None = DEFAULT_ALERT_WINDOW,
    identities: Sequence[str] = (),
    pages_seen: Callable[[Sequence[Binding]], None] | None = None,
) -> ServiceReads:
    """Every read of one service's diagnosis. Pass `bindings` when they are already
    loaded (the TUI); `pages_seen` is shown each page's bindings as it arrives.

    Every read runs at once: the push settings, the alerts and the users from the start
    (beside the listing, when there is one), each credential as soon as a page names it.
    Listing errors propagate (nothing to diagnose without bindings; the other reads are
    cancelled); credential, push-settings, alerts and user read errors other than 404 are
    reported in `problems`, in that order.
    """
    wanted = tuple(dict.fromkeys(i for i in identities if i))
    credential_reads = _CredentialReads(client, concurrency)

    def seen(page: Sequence[Binding]) -> None:
        credential_reads.start_named(page)
        if pages_seen is not None:
            pages_seen(page)

    config_task = asyncio.create_task(_read_config(client, service_sid))
    alerts_task = (
        asyncio.create_task(_read_alerts(client, alerts, now)) if alerts is not None else None
    )
    users_task = asyncio.create_task(_read_users(client, service_sid, wanted))
    side: list[asyncio.Task[Any]] = [config_task, users_task]
    if alerts_task is not None:
        side.append(alerts_task)
    try:
        if bindings is None:
            bindings = await list_bindings_by_type(client, service_sid, seen)
        # A pass over every binding (about a second at 100k): off the event loop, so a TUI
        # stays responsive (the reads still run on the loop).
        credential_sids = await asyncio.to_thread(distinct_credential_sids, bindings)
        credentials, unresolved = await credential_reads.results(credential_sids)
        config = await config_task
        alerts_read = await alerts_task if alerts_task is not None else _AlertsRead()
        users, user_problems = await users_task
    finally:
        # Only what is still running: after an error, or credentials no binding kept.
        await credential_reads.cancel()
        await _cancel(task for task in side if not task.done())

    problems = [
        f"credential {sid} could not be read: {message}" for sid, message in unresolved.items()
    ]
    if isinstance(config, str):
        problems.append(config)
    if alerts_read.problem is not None:
        problems.append(alerts_read.problem)
    problems += user_problems
    return ServiceReads(
        bindings=bindings,
        credentials=credentials,
        unresolved_credentials=unresolved,
        config=None if isinstance(config, str) else config,
        alerts=alerts_read.alerts if alerts_read.read else None,
        alerts_truncated=alerts_read.truncated,
        users=users,
        problems=problems,
    )


async def list_bindings_by_type(
    client: TwilioClient,
    service_sid: str,
    seen: Callable[[Sequence[Binding]], None] | None = None,
) -> list[Binding]:
    """The whole list over one stream per binding type (the split's speed), in the
    deterministic grouped order of `streams.stream_bindings_in_type_order`. `seen` is
    shown each page's bindings as soon as the page arrives, whether it is handed out
    then (the current type) or waits for its turn (then it is shown them twice)."""

    def arrived(page: Page[Binding]) -> Page[Binding]:
        if seen is not None:
            seen(page.items)
        return page

    out: list[Binding] = []
    pages = stream_bindings_in_type_order(client, service_sid, prepare=arrived)
    try:
        async for page in pages:
            arrived(page)
            out.extend(page.items)
    finally:
        await pages.aclose()
    return out


__all__ = [
    "DEFAULT_ALERT_WINDOW",
    "DEFAULT_CONCURRENCY",
    "ServiceReads",
    "fetch_credentials",
    "list_bindings_by_type",
    "read_service",
]
