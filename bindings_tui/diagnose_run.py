"""Headless push diagnosis: the reads `diagnostics` needs, then its pure functions.

`run_diagnostics` lists a service's bindings (or takes the ones already loaded), fetches
each distinct credential SID once (concurrently, bounded), reads the service's whole push
configuration, Twilio Monitor's alerts for a window (default 7 days, bounded in count)
and, for the identities asked about, their User resources; it returns every finding
plus what it read. A read that fails (Monitor refused to a restricted key, say) is a
line in `problems`, never the end of the diagnosis. No textual import.

Thresholds come from the optional `[diagnostics]` table of `<config dir>/config.toml`
(config dir: env BINDINGS_TUI_CONFIG_DIR, else platformdirs' user config path), and a
profile may set its own:

    [diagnostics]
    pile_up_threshold = 5   # more than this many bindings of one type per identity
    stale_days = 60         # more than this many days without an update

    [profiles.prod.diagnostics]
    stale_days = 30         # for the profile named prod only
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Final

from bindings_tui.client import TwilioClient
from bindings_tui.config import CONFIG_FILE, config_path, read_config
from bindings_tui.diagnostics import (
    DiagnosticsSettings,
    Finding,
    compute_binding_findings,
    credential_findings,
    distinct_credential_sids,
    service_findings,
)
from bindings_tui.errors import BindingsError, ConfigError, InputError, NotFoundError
from bindings_tui.evidence.alert_findings import alert_findings
from bindings_tui.evidence.alerts import Alert, AlertMatches, AlertWindow, match_alerts
from bindings_tui.evidence.push_config import describe_config, push_type_findings
from bindings_tui.evidence.users import UserReachability, identity_findings
from bindings_tui.evidence.verdict import Verdict, build_verdict
from bindings_tui.models import ApiFlavor, Binding, Credential, JsonDict, Page
from bindings_tui.sids import is_sid
from bindings_tui.streams import stream_bindings_in_type_order

SETTINGS_TABLE: Final = "diagnostics"
DEFAULT_CONCURRENCY: Final = 8
_SETTING_KEYS: Final = ("pile_up_threshold", "stale_days")
DEFAULT_ALERT_WINDOW: Final = AlertWindow()


@dataclass(frozen=True, slots=True)
class DiagnosisReport:
    """Everything one diagnosis found and read.

    - `credentials`: credential SID -> Credential, or None when it does not exist
      (404, or a malformed SID that cannot exist);
    - `unresolved_credentials`: credential SID -> why it could not be read (no finding);
    - `notification_config`: the service's push settings, None when unreadable;
    - `problems`: one line per read that failed without stopping the diagnosis;
    - `alert_window`: the alerts asked for (None: not read); `alerts`: every alert read
      (push or not; only push codes ever become findings); `alerts_truncated`: the
      window held more than `alert_window.max_alerts`; `alert_matches`: what each push
      alert names among the bindings (recomputed by `rediagnose`);
    - `identities`: identities asked about; `users`: their User resources (absent: the
      read failed).
    """

    service_sid: str
    api: ApiFlavor
    now: datetime
    settings: DiagnosticsSettings
    bindings: Sequence[Binding]
    findings: list[Finding]
    credentials: dict[str, Credential | None]
    unresolved_credentials: dict[str, str] = field(default_factory=dict)
    notification_config: JsonDict | None = None
    problems: list[str] = field(default_factory=list)
    alert_window: AlertWindow | None = None
    alerts: list[Alert] = field(default_factory=list)
    alerts_truncated: bool = False
    alert_matches: AlertMatches | None = None
    identities: tuple[str, ...] = ()
    users: dict[str, UserReachability] = field(default_factory=dict)

    def verdict(self, identity: str) -> Verdict:
        """The ranked answer for one identity, with what was checked."""
        mine = [b for b in self.bindings if b.identity == identity]
        return build_verdict(identity, mine, self.findings, self.checked(identity))

    def checked(self, identity: str | None = None) -> list[str]:
        """What this diagnosis looked at, one line each (for "nothing is wrong" too)."""
        lines = [
            f"{len(self.bindings)} binding(s) of the service ({self.api.label})",
            f"{len(self.credentials)} credential(s) resolved",
            describe_config(self.notification_config, self.api),
        ]
        if self.alert_window is None:
            lines.append("Twilio alerts: not read")
        elif self.alert_matches is None:
            lines.append("Twilio alerts: could not be read")
        else:
            push = len(self.alert_matches.all_push_alerts())
            more = (
                " (the limit was reached: older alerts not read)" if self.alerts_truncated else ""
            )
            lines.append(
                f"Twilio alerts of the last {self.alert_window.days} day(s): {len(self.alerts)} "
                f"read, {push} about push for this service{more}"
            )
        if identity is not None:
            user = self.users.get(identity)
            lines.append(user.describe() if user else "User resource: could not be read")
        return lines


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


async def run_diagnostics(
    client: TwilioClient,
    service_sid: str,
    settings: DiagnosticsSettings,
    now: datetime,
    *,
    bindings: Sequence[Binding] | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
    alerts: AlertWindow | None = DEFAULT_ALERT_WINDOW,
    identities: Sequence[str] = (),
) -> DiagnosisReport:
    """Diagnose one service. Pass `bindings` when they are already loaded (the TUI).

    `alerts`: the Monitor window to read (None: no alerts); `identities`: whose User
    resources to read (and who may have no binding at all).

    Every read runs at once: the push settings, the alerts and the users from the start
    (beside the listing, when there is one), each credential as soon as a page names it.
    Listing errors propagate (nothing to diagnose without bindings; the other reads are
    cancelled); credential, push-settings, alerts and user read errors other than 404 are
    reported in the result, in that order.
    """
    wanted = tuple(dict.fromkeys(i for i in identities if i))
    credential_reads = _CredentialReads(client, concurrency)
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
            bindings = await list_bindings_by_type(
                client, service_sid, credential_reads.start_named
            )
        # The passes over the bindings take about a second at 100k: run them off the
        # event loop so a TUI stays responsive (the reads still run on the loop).
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

    report = DiagnosisReport(
        service_sid=service_sid,
        api=client.api,
        now=now,
        settings=settings,
        bindings=bindings,
        findings=[],
        credentials=credentials,
        unresolved_credentials=unresolved,
        notification_config=None if isinstance(config, str) else config,
        problems=problems,
        alert_window=alerts,
        alerts=alerts_read.alerts,
        alerts_truncated=alerts_read.truncated,
        # An empty match until rediagnose ties the alerts (None: they could not be read).
        alert_matches=AlertMatches() if alerts_read.read else None,
        identities=wanted,
        users=users,
    )
    return await asyncio.to_thread(rediagnose, report, bindings, now)


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


def rediagnose(
    report: DiagnosisReport, bindings: Sequence[Binding], now: datetime
) -> DiagnosisReport:
    """The findings for `bindings` (say, after some were deleted), reusing the report's
    resolved credentials, push settings, alerts and users: no network. Pure; fine to run
    in a thread. Alerts are tied again, so a deleted binding's alerts move to the service."""
    findings = compute_binding_findings(bindings, report.settings, now)
    findings += credential_findings(bindings, report.credentials)
    if report.notification_config is not None:
        findings += service_findings(report.notification_config, report.api)
        findings += push_type_findings(report.notification_config, report.api, bindings)
    matches = report.alert_matches
    if matches is not None and report.alert_window is not None:
        matches = match_alerts(report.alerts, bindings, report.service_sid, report.credentials)
        findings += alert_findings(matches, bindings, report.alert_window.days)
    if report.identities:
        by_identity: dict[str, list[Binding]] = {i: [] for i in report.identities}
        for b in bindings:
            if b.identity in by_identity:
                by_identity[b.identity].append(b)
        for identity, mine in by_identity.items():
            findings += identity_findings(identity, mine, report.users.get(identity), report.api)
    return replace(report, now=now, bindings=bindings, findings=findings, alert_matches=matches)


# ---- settings ---------------------------------------------------------------------------------


def settings_path(directory: Path | None = None) -> Path:
    """config.toml, where the thresholds live (`config.config_path`)."""
    return config_path(directory)


def load_settings(
    directory: Path | None = None,
    *,
    profile: str | None = None,
    pile_up_threshold: int | None = None,
    stale_days: int | None = None,
) -> DiagnosticsSettings:
    """Defaults, then `[diagnostics]` of config.toml, then the profile's own
    `[profiles.NAME.diagnostics]` there, then the given overrides.

    A missing file or table means defaults; anything else wrong is a ConfigError naming
    the file (unknown keys included, so a typo does not silently do nothing).
    """
    path = settings_path(directory)
    data = read_config(directory)
    values: dict[str, Any] = {}
    values.update(_settings_from(path, data.get(SETTINGS_TABLE), f"[{SETTINGS_TABLE}]"))
    profiles = data.get("profiles")
    if (
        profile is not None
        and isinstance(profiles, dict)
        and isinstance(profiles.get(profile), dict)
    ):
        where = f"[profiles.{profile}.{SETTINGS_TABLE}]"
        values.update(_settings_from(path, profiles[profile].get(SETTINGS_TABLE), where))
    if pile_up_threshold is not None:
        values["pile_up_threshold"] = pile_up_threshold
    if stale_days is not None:
        values["stale_days"] = stale_days
    return DiagnosticsSettings(**values)


def _settings_from(path: Path, table: object, where: str) -> dict[str, int]:
    """The thresholds one table sets, checked strictly (None: nothing set)."""
    if table is None:
        return {}
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: {where} must be a table")
    unknown = sorted(set(table) - set(_SETTING_KEYS))
    if unknown:
        raise ConfigError(
            f"{path}: {where} has unknown keys {', '.join(unknown)} "
            f"(known: {', '.join(_SETTING_KEYS)})"
        )
    values: dict[str, int] = {}
    for key in _SETTING_KEYS:
        if key in table:
            value = table[key]
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigError(
                    f"{path}: {where} {key} must be a whole number of at least 1, got {value!r}"
                )
            values[key] = value
    return values


__all__ = [
    "CONFIG_FILE",
    "DEFAULT_ALERT_WINDOW",
    "DEFAULT_CONCURRENCY",
    "AlertWindow",
    "DiagnosisReport",
    "fetch_credentials",
    "load_settings",
    "rediagnose",
    "run_diagnostics",
    "settings_path",
]
