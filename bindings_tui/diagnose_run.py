"""Headless push diagnosis: the reads `diagnostics` needs, then its pure functions.

`run_diagnostics` lists a service's bindings (or takes the ones already loaded), fetches
each distinct credential SID once (concurrently, bounded), reads the service's push
settings, and returns every finding plus what it resolved. No textual import.

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
from collections.abc import Iterable, Sequence
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
from bindings_tui.models import ApiFlavor, Binding, Credential, JsonDict
from bindings_tui.sids import is_sid

SETTINGS_TABLE: Final = "diagnostics"
DEFAULT_CONCURRENCY: Final = 8
_SETTING_KEYS: Final = ("pile_up_threshold", "stale_days")


@dataclass(frozen=True, slots=True)
class DiagnosisReport:
    """Everything one diagnosis found and read.

    - `credentials`: credential SID -> Credential, or None when it does not exist
      (404, or a malformed SID that cannot exist);
    - `unresolved_credentials`: credential SID -> why it could not be read (no finding);
    - `notification_config`: the service's push settings, None when unreadable;
    - `problems`: one line per read that failed without stopping the diagnosis.
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
    if concurrency < 1:
        raise InputError("concurrency must be at least 1")
    sids = list(dict.fromkeys(credential_sids))
    resolved: dict[str, Credential | None] = {}
    unresolved: dict[str, str] = {}
    gate = asyncio.Semaphore(concurrency)

    async def one(sid: str) -> None:
        if not is_sid("CR", sid.strip()):
            resolved[sid] = None
            return
        async with gate:
            try:
                resolved[sid] = await client.fetch_credential(sid)
            except NotFoundError:
                resolved[sid] = None
            except BindingsError as exc:
                unresolved[sid] = exc.user_message()

    async with asyncio.TaskGroup() as group:
        for sid in sids:
            group.create_task(one(sid))
    # Keep first-seen order whatever order the answers came in.
    ordered = {sid: resolved[sid] for sid in sids if sid in resolved}
    return ordered, {sid: unresolved[sid] for sid in sids if sid in unresolved}


async def run_diagnostics(
    client: TwilioClient,
    service_sid: str,
    settings: DiagnosticsSettings,
    now: datetime,
    *,
    bindings: Sequence[Binding] | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
) -> DiagnosisReport:
    """Diagnose one service. Pass `bindings` when they are already loaded (the TUI).

    Listing errors propagate (nothing to diagnose without bindings); credential and
    push-settings read errors other than 404 are reported in the result instead.
    """
    if bindings is None:
        bindings = await client.list_bindings(service_sid)
    problems: list[str] = []

    # The passes over the bindings take about a second at 100k: run them off the event
    # loop so a TUI stays responsive (the reads below still run on the loop).
    credential_sids = await asyncio.to_thread(distinct_credential_sids, bindings)
    credentials, unresolved = await fetch_credentials(
        client, credential_sids, concurrency=concurrency
    )
    for sid, message in unresolved.items():
        problems.append(f"credential {sid} could not be read: {message}")

    config: JsonDict | None
    try:
        config = await client.fetch_notification_config(service_sid)
    except BindingsError as exc:
        config = None
        problems.append(f"push settings could not be read: {exc.user_message()}")

    report = DiagnosisReport(
        service_sid=service_sid,
        api=client.api,
        now=now,
        settings=settings,
        bindings=bindings,
        findings=[],
        credentials=credentials,
        unresolved_credentials=unresolved,
        notification_config=config,
        problems=problems,
    )
    return await asyncio.to_thread(rediagnose, report, bindings, now)


def rediagnose(
    report: DiagnosisReport, bindings: Sequence[Binding], now: datetime
) -> DiagnosisReport:
    """The findings for `bindings` (say, after some were deleted), reusing the report's
    resolved credentials and push settings: no network. Pure; fine to run in a thread."""
    findings = compute_binding_findings(bindings, report.settings, now)
    findings += credential_findings(bindings, report.credentials)
    if report.notification_config is not None:
        findings += service_findings(report.notification_config, report.api)
    return replace(report, now=now, bindings=bindings, findings=findings)


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
    "DEFAULT_CONCURRENCY",
    "DiagnosisReport",
    "fetch_credentials",
    "load_settings",
    "rediagnose",
    "run_diagnostics",
    "settings_path",
]
