"""Profiles: the non-secret half of a login, kept in ``profiles.toml`` in the config dir.

The file never holds a secret: `Profile` has no field for one. Secrets live in the
OS keyring (see `secrets.py`). Writes are atomic (temp file + os.replace), mode 0600.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Final, Literal

from platformdirs import user_config_path

from bindings_tui.credentials.api_credentials import ApiCredentials
from bindings_tui.errors import ConfigError, InputError
from bindings_tui.sids import validate_sid

CONFIG_DIR_ENV: Final = "BINDINGS_TUI_CONFIG_DIR"
PROFILES_FILE: Final = "profiles.toml"
DEFAULT_PROFILE: Final = "default"

AuthMode = Literal["auth-token", "api-key"]
ApiName = Literal["conversations", "chat"]
AUTH_MODES: Final[tuple[AuthMode, ...]] = ("auth-token", "api-key")
API_NAMES: Final[tuple[ApiName, ...]] = ("conversations", "chat")

_NAME_RE: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_REGION_RE: Final = re.compile(r"^[a-z0-9][a-z0-9-]{0,31}$")


def config_dir(env: Mapping[str, str] | None = None) -> Path:
    """BINDINGS_TUI_CONFIG_DIR, else platformdirs' user config path for bindings-tui."""
    env = os.environ if env is None else env
    override = env.get(CONFIG_DIR_ENV, "").strip()
    if override:
        return Path(override).expanduser()
    return user_config_path("bindings-tui")


def validate_profile_name(name: str) -> str:
    candidate = name.strip()
    if not _NAME_RE.match(candidate):
        shown = candidate if len(candidate) <= 40 else candidate[:37] + "..."
        raise InputError(
            f"{shown!r} is not a valid profile name: use 1-64 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    return candidate


def validate_region(kind: str, value: str | None) -> str | None:
    """Region (`ie1`) or edge (`dublin`): lowercase letters, digits and '-'; empty means none."""
    if value is None:
        return None
    candidate = value.strip().lower()
    if not candidate:
        return None
    if not _REGION_RE.match(candidate):
        raise InputError(
            f"{value!r} is not a valid {kind}: use lowercase letters, digits and '-' "
            "(for example us1, ie1, au1 or dublin)"
        )
    return candidate


def validate_api_name(value: str) -> ApiName:
    lowered = value.strip().lower()
    if lowered in ("conversations", "v1"):
        return "conversations"
    if lowered in ("chat", "v2"):
        return "chat"
    raise InputError(f"unknown API {value!r}: use 'conversations' or 'chat'")


@dataclass(frozen=True, slots=True)
class Profile:
    """One saved login, without its secret."""

    name: str
    account_sid: str
    auth_mode: AuthMode = "auth-token"
    api_key_sid: str | None = None
    region: str | None = None
    edge: str | None = None
    default_api: ApiName = "conversations"
    last_service_sid: str | None = None

    def validated(self) -> Profile:
        """A normalised copy; raises InputError naming the first bad field."""
        name = validate_profile_name(self.name)
        account = validate_sid("AC", self.account_sid)
        if self.auth_mode not in AUTH_MODES:
            raise InputError(f"unknown auth mode {self.auth_mode!r}: use auth-token or api-key")
        key: str | None = None
        if self.auth_mode == "api-key":
            if not self.api_key_sid:
                raise InputError("auth mode api-key needs an API key SID (SK...)")
            key = validate_sid("SK", self.api_key_sid)
        elif self.api_key_sid:
            raise InputError("auth mode auth-token takes no API key SID")
        last = validate_sid("IS", self.last_service_sid) if self.last_service_sid else None
        return Profile(
            name=name,
            account_sid=account,
            auth_mode=self.auth_mode,
            api_key_sid=key,
            region=validate_region("region", self.region),
            edge=validate_region("edge", self.edge),
            default_api=validate_api_name(self.default_api),
            last_service_sid=last,
        )

    @property
    def username(self) -> str:
        """The basic-auth user for this profile: API key SID, else account SID."""
        return self.api_key_sid or self.account_sid


# ---- TOML (read with tomllib; the tiny flat format is written by hand) -------------------


def profile_credentials(profile: Profile, secret: str, source: str) -> ApiCredentials:
    """The client credentials of a profile, given its secret from the keyring."""
    return ApiCredentials(
        account_sid=profile.account_sid,
        secret=secret,
        api_key_sid=profile.api_key_sid,
        region=profile.region,
        edge=profile.edge,
        source=source,
    )


def toml_string(value: str) -> str:
    """A TOML basic string with every special and control character escaped."""
    out = ['"']
    for ch in value:
        code = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\u{code:04X}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


_FIELDS: Final = (
    "account_sid",
    "auth_mode",
    "api_key_sid",
    "region",
    "edge",
    "default_api",
    "last_service_sid",
)


def render_profiles_toml(profiles: Mapping[str, Profile], active: str | None) -> str:
    lines = [
        "# bindings-tui profiles. Secrets are never stored here: they live in the OS keyring",
        f"# (service {toml_string('bindings-tui')}, one entry per profile name).",
        "",
    ]
    if active is not None:
        lines += [f"active = {toml_string(active)}", ""]
    for name in sorted(profiles):
        profile = profiles[name]
        lines.append(f"[profiles.{toml_string(name)}]")
        for field_name in _FIELDS:
            value = getattr(profile, field_name)
            if value is not None:
                lines.append(f"{field_name} = {toml_string(str(value))}")
        lines.append("")
    return "\n".join(lines)


def _profile_from_table(path: Path, name: str, table: object) -> Profile:
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [profiles.{name}] is not a table")
    unknown = set(table) - set(_FIELDS)
    if unknown:
        raise ConfigError(
            f"{path}: [profiles.{name}] has unknown keys {', '.join(sorted(unknown))} "
            "(fix or remove them)"
        )
    values: dict[str, Any] = {}
    for key, value in table.items():
        if not isinstance(value, str):
            raise ConfigError(f"{path}: [profiles.{name}] {key} must be a string")
        values[key] = value
    if "account_sid" not in values:
        raise ConfigError(f"{path}: [profiles.{name}] has no account_sid")
    values.setdefault("auth_mode", "api-key" if values.get("api_key_sid") else "auth-token")
    try:
        return Profile(name=name, **values).validated()
    except InputError as exc:
        raise ConfigError(f"{path}: [profiles.{name}]: {exc}") from None


class ProfileStore:
    """Profiles in ``<config dir>/profiles.toml``; one of them may be active."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = config_dir() if directory is None else directory
        self.path = self.directory / PROFILES_FILE

    def __repr__(self) -> str:
        return f"ProfileStore(path={str(self.path)!r})"

    # ---- file I/O ------------------------------------------------------------------------

    def _load(self) -> tuple[dict[str, Profile], str | None]:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return {}, None
        except OSError as exc:
            raise ConfigError(f"cannot read {self.path}: {exc.strerror or exc}") from None
        try:
            data = tomllib.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(
                f"{self.path} is not valid TOML ({exc}); fix it or move it away"
            ) from None
        unknown = set(data) - {"active", "profiles"}
        if unknown:
            raise ConfigError(f"{self.path}: unknown keys {', '.join(sorted(unknown))}")
        tables = data.get("profiles", {})
        if not isinstance(tables, dict):
            raise ConfigError(f"{self.path}: 'profiles' must be a table")
        profiles = {name: _profile_from_table(self.path, name, t) for name, t in tables.items()}
        active = data.get("active")
        if active is not None and not isinstance(active, str):
            raise ConfigError(f"{self.path}: 'active' must be a string")
        if active is not None and active not in profiles:
            active = None
        return profiles, active

    def _write(self, profiles: Mapping[str, Profile], active: str | None) -> None:
        text = render_profiles_toml(profiles, active)
        try:
            self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd, tmp = tempfile.mkstemp(prefix=".profiles-", suffix=".tmp", dir=self.directory)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    handle.write(text)
                    handle.flush()
                    os.fsync(handle.fileno())
                os.chmod(tmp, 0o600)
                os.replace(tmp, self.path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
        except OSError as exc:
            raise ConfigError(f"cannot write {self.path}: {exc.strerror or exc}") from None

    # ---- queries -------------------------------------------------------------------------

    def list(self) -> list[Profile]:
        profiles, _ = self._load()
        return [profiles[name] for name in sorted(profiles)]

    def find(self, name: str) -> Profile | None:
        profiles, _ = self._load()
        return profiles.get(name)

    def get(self, name: str) -> Profile:
        profile = self.find(name)
        if profile is None:
            raise ConfigError(
                f"no profile named {name!r}: see `bindings-tui auth list`, or create it with "
                f"`bindings-tui auth login --profile {name}`"
            )
        return profile

    def active_name(self) -> str | None:
        _, active = self._load()
        return active

    def active(self) -> Profile | None:
        profiles, active = self._load()
        return profiles.get(active) if active else None

    # ---- changes -------------------------------------------------------------------------

    def save(self, profile: Profile, *, make_active: bool = False) -> Profile:
        """Add or replace a profile (validated). The first profile saved becomes active."""
        clean = profile.validated()
        profiles, active = self._load()
        profiles[clean.name] = clean
        if make_active or active is None:
            active = clean.name
        self._write(profiles, active)
        return clean

    def remove(self, name: str) -> Profile:
        profiles, active = self._load()
        if name not in profiles:
            raise ConfigError(f"no profile named {name!r}: see `bindings-tui auth list`")
        removed = profiles.pop(name)
        if active == name:
            active = None
        self._write(profiles, active)
        return removed

    def set_active(self, name: str) -> Profile:
        profiles, _ = self._load()
        if name not in profiles:
            raise ConfigError(
                f"no profile named {name!r}: see `bindings-tui auth list`, or create it with "
                f"`bindings-tui auth login --profile {name}`"
            )
        self._write(profiles, name)
        return profiles[name]

    def remember_service(self, name: str, api: str, service_sid: str) -> Profile:
        """Record the API and service a user just opened, so the next start opens it again."""
        api_name = validate_api_name(api)
        sid = validate_sid("IS", service_sid)
        profiles, active = self._load()
        if name not in profiles:
            raise ConfigError(f"no profile named {name!r}")
        updated = replace(profiles[name], default_api=api_name, last_service_sid=sid)
        if updated != profiles[name]:
            profiles[name] = updated
            self._write(profiles, active)
        return updated


def is_profile_name(value: str) -> bool:
    return bool(_NAME_RE.match(value))


__all__ = [
    "API_NAMES",
    "AUTH_MODES",
    "CONFIG_DIR_ENV",
    "DEFAULT_PROFILE",
    "PROFILES_FILE",
    "ApiName",
    "AuthMode",
    "Profile",
    "ProfileStore",
    "config_dir",
    "is_profile_name",
    "toml_string",
    "validate_api_name",
    "validate_profile_name",
    "validate_region",
]
