"""The diagnosis's thresholds and where they are read from.

Thresholds come from the optional `[diagnostics]` table of `<config dir>/config.toml`
(config dir: env BINDINGS_TUI_CONFIG_DIR, else platformdirs' user config path), and a
profile may set its own:

    [diagnostics]
    pile_up_threshold = 5   # more than this many bindings of one type per identity
    stale_days = 60         # more than this many days without an update

    [profiles.prod.diagnostics]
    stale_days = 30         # for the profile named prod only

Apart from the rules (`diagnostics`): `diagnose` reads its settings before its first
request, and the rules are imported while the list loads.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from bindings_tui.config import config_path, read_config
from bindings_tui.errors import ConfigError, InputError

SETTINGS_TABLE: Final = "diagnostics"
_SETTING_KEYS: Final = ("pile_up_threshold", "stale_days")


@dataclass(frozen=True, slots=True)
class DiagnosticsSettings:
    """Thresholds: more than `pile_up_threshold` bindings of one type for one identity is a
    pile-up; more than `stale_days` days without an update is stale."""

    pile_up_threshold: int = 5
    stale_days: int = 60

    def __post_init__(self) -> None:
        for name in ("pile_up_threshold", "stale_days"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise InputError(f"{name} must be a whole number of at least 1, got {value!r}")


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


__all__ = ["SETTINGS_TABLE", "DiagnosticsSettings", "load_settings", "settings_path"]
