"""Profiles: the non-secret half of a login, kept in ``profiles.toml`` in the config dir.

The file never holds a secret: `Profile` has no field for one. Secrets live in the
OS keyring (see `secrets.py`). Every change is a read-modify-write under a file lock
(`filelock`, across processes) and lands atomically (temp file, fsync, os.replace), mode 0600.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

from bindings_tui.config import CONFIG_DIR_ENV, config_dir, read_toml, shown_path
from bindings_tui.credentials.api_credentials import ApiCredentials
from bindings_tui.credentials.secret import Secret, as_secret
from bindings_tui.errors import ConfigError, InputError
from bindings_tui.hosts import shown, validate_location
from bindings_tui.models import ApiFlavor
from bindings_tui.sids import validate_sid
from bindings_tui.textsafe import clip, make_visible

if TYPE_CHECKING:
    import filelock

PROFILES_FILE: Final = "profiles.toml"
DEFAULT_PROFILE: Final = "default"

AuthMode = Literal["auth-token", "api-key"]
ApiName = Literal["conversations", "chat"]
AUTH_MODES: Final[tuple[AuthMode, ...]] = ("auth-token", "api-key")
API_NAMES: Final[tuple[ApiName, ...]] = ("conversations", "chat")

# Always used with fullmatch: `match` + `$` accepted "prod\n" (then stripped to "prod").
_NAME_RE: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
LOCK_TIMEOUT: Final = 10.0
MAX_PROFILES_BYTES: Final = 1024 * 1024
MAX_LABEL_CHARS: Final = 32
# The colours a profile's label may take (names every terminal and Rich know).
LABEL_COLORS: Final = ("red", "yellow", "green", "blue", "magenta", "cyan")


def validate_profile_name(name: str) -> str:
    """The name exactly as given, or InputError: nothing is stripped, so the name that is
    checked is the name that is stored (and the keyring entry it owns)."""
    if not isinstance(name, str) or not _NAME_RE.fullmatch(name):
        raise InputError(
            f"{shown(str(name), 40)} is not a valid profile name: use 1-64 letters, digits, "
            "'.', '_' or '-', starting with a letter or digit"
        )
    return name


def validate_region(kind: str, value: str | None) -> str | None:
    """Region (`ie1`) or edge (`dublin`): `hosts.validate_location`, the one check."""
    return validate_location(kind, value)


def validate_label(value: str | None) -> str | None:
    """A profile's label (`PRODUCTION`): printable text (no control, format or bidi
    characters), at most MAX_LABEL_CHARS; empty means none."""
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not value.isprintable() or not value.strip():
        raise InputError(f"label {shown(str(value), 40)} must be printable text")
    if len(value) > MAX_LABEL_CHARS:
        raise InputError(f"label {shown(value, 40)} is longer than {MAX_LABEL_CHARS} characters")
    return value


def validate_color(value: str | None) -> str | None:
    """A label colour from LABEL_COLORS; empty means none."""
    if value is None or value == "":
        return None
    if value not in LABEL_COLORS:
        raise InputError(f"color {shown(str(value), 40)} is not one of {', '.join(LABEL_COLORS)}")
    return value


def validate_api_name(value: str) -> ApiName:
    """A profile's `default_api`, parsed by `ApiFlavor.parse` (the one parser)."""
    return "chat" if ApiFlavor.parse(value) is ApiFlavor.CHAT else "conversations"


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
    # Guarding production: `read_only = true` refuses every delete; the label and its
    # colour are shown in the header and the delete confirmation.
    read_only: bool = False
    label: str | None = None
    color: str | None = None

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
            read_only=_validate_bool("read_only", self.read_only),
            label=validate_label(self.label),
            color=validate_color(self.color),
        )


def _validate_bool(key: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise InputError(f"{key} must be true or false")
    return value


# ---- TOML (read with tomllib; the tiny flat format is written by hand) -------------------


def profile_credentials(profile: Profile, secret: str | Secret, source: str) -> ApiCredentials:
    """The client credentials of a profile, given its secret from the keyring."""
    return ApiCredentials(
        account_sid=profile.account_sid,
        secret=as_secret(secret),
        api_key_sid=profile.api_key_sid,
        region=profile.region,
        edge=profile.edge,
        source=source,
        profile=profile.name,
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
    "label",
    "color",
)
_BOOL_FIELDS: Final = ("read_only",)


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
        for field_name in _BOOL_FIELDS:
            if getattr(profile, field_name):  # only true is written; absent means false
                lines.append(f"{field_name} = true")
        lines.append("")
    return "\n".join(lines)


def _where(path: Path, name: str) -> str:
    """`FILE: [profiles.NAME]` with both made inert (the file may be hostile)."""
    return f"{make_visible(str(path))}: [profiles.{clip(make_visible(name), 40)}]"


def _profile_from_table(path: Path, name: str, table: object) -> Profile:
    if not isinstance(table, dict):
        raise ConfigError(f"{_where(path, name)} is not a table")
    unknown = set(table) - set(_FIELDS) - set(_BOOL_FIELDS)
    if unknown:
        keys = ", ".join(clip(make_visible(k), 40) for k in sorted(unknown)[:5])
        raise ConfigError(f"{_where(path, name)} has unknown keys {keys} (fix or remove them)")
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key in _BOOL_FIELDS:
            if not isinstance(value, bool):
                raise ConfigError(f"{_where(path, name)} {key} must be true or false")
        elif not isinstance(value, str):
            raise ConfigError(f"{_where(path, name)} {key} must be a string")
        values[key] = value
    if "account_sid" not in values:
        raise ConfigError(f"{_where(path, name)} has no account_sid")
    values.setdefault("auth_mode", "api-key" if values.get("api_key_sid") else "auth-token")
    try:
        return Profile(name=name, **values).validated()
    except InputError as exc:
        raise ConfigError(f"{_where(path, name)}: {exc}") from None


class ProfileStore:
    """Profiles in ``<config dir>/profiles.toml``; one of them may be active.

    Each change (`save`, `add`, `remove`, `set_active`, `remember_service`) reads, changes
    and writes the file while holding ``profiles.toml.lock``, so two processes changing
    profiles at once both land; the write itself is atomic, so a reader never sees half
    a file.
    """

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = config_dir() if directory is None else directory
        self.path = self.directory / PROFILES_FILE
        # Made on the first change: filelock (~35 ms to import) is not needed to read.
        self._lock: filelock.FileLock | None = None

    def __repr__(self) -> str:
        return f"ProfileStore(path={str(self.path)!r})"

    # ---- file I/O ------------------------------------------------------------------------

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the profiles lock (re-entrant within this store) for a read-modify-write."""
        import filelock

        if self._lock is None:
            self._lock = filelock.FileLock(
                str(self.directory / (PROFILES_FILE + ".lock")), timeout=LOCK_TIMEOUT
            )
        lock = self._lock
        try:
            self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            lock.acquire()
        except filelock.Timeout:
            raise ConfigError(
                f"{make_visible(str(self.path))} is locked by another bindings-tui process "
                f"(waited {LOCK_TIMEOUT:g} s); try again"
            ) from None
        except OSError as exc:
            raise ConfigError(
                f"cannot lock {make_visible(str(self.path))}: {exc.strerror or type(exc).__name__}"
            ) from None
        try:
            yield
        finally:
            lock.release()

    def _load(self) -> tuple[dict[str, Profile], str | None]:
        where = shown_path(self.path)
        data = read_toml(self.path, max_bytes=MAX_PROFILES_BYTES)
        if data is None:
            return {}, None
        unknown = set(data) - {"active", "profiles"}
        if unknown:
            keys = ", ".join(clip(make_visible(k), 40) for k in sorted(unknown)[:5])
            raise ConfigError(f"{where}: unknown keys {keys}")
        tables = data.get("profiles", {})
        if not isinstance(tables, dict):
            raise ConfigError(f"{where}: 'profiles' must be a table")
        profiles = {name: _profile_from_table(self.path, name, t) for name, t in tables.items()}
        active = data.get("active")
        if active is not None and not isinstance(active, str):
            raise ConfigError(f"{where}: 'active' must be a string")
        if active is not None and active not in profiles:
            active = None
        return profiles, active

    def _write(self, profiles: Mapping[str, Profile], active: str | None) -> None:
        """Atomic: a temp file in the same directory, fsync, os.replace (callers hold the lock)."""
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
            with contextlib.suppress(OSError):
                # The rename itself is durable once the directory entry is on disk.
                dir_fd = os.open(self.directory, os.O_RDONLY)
                try:
                    os.fsync(dir_fd)
                finally:
                    os.close(dir_fd)
        except OSError as exc:
            raise ConfigError(
                f"cannot write {make_visible(str(self.path))}: {exc.strerror or type(exc).__name__}"
            ) from None

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
            raise ConfigError(_no_profile(name, create=True))
        return profile

    def active_name(self) -> str | None:
        _, active = self._load()
        return active

    def active(self) -> Profile | None:
        profiles, active = self._load()
        return profiles.get(active) if active else None

    # ---- changes (each one a locked read-modify-write) ------------------------------------

    def save(self, profile: Profile, *, make_active: bool = False) -> Profile:
        """Add or replace a profile (validated). The first profile saved becomes active."""
        clean = profile.validated()
        with self.locked():
            profiles, active = self._load()
            profiles[clean.name] = clean
            if make_active or active is None:
                active = clean.name
            self._write(profiles, active)
        return clean

    def add(self, profile: Profile, *, make_active: bool = False) -> Profile:
        """Like `save`, but refuses (ProfileExistsError) to replace a profile of that name."""
        clean = profile.validated()
        with self.locked():
            profiles, active = self._load()
            if clean.name in profiles:
                raise ProfileExistsError(clean.name)
            profiles[clean.name] = clean
            if make_active or active is None:
                active = clean.name
            self._write(profiles, active)
        return clean

    def remove(self, name: str) -> Profile:
        with self.locked():
            profiles, active = self._load()
            if name not in profiles:
                raise ConfigError(_no_profile(name, create=False))
            removed = profiles.pop(name)
            if active == name:
                active = None
            self._write(profiles, active)
        return removed

    def set_active(self, name: str) -> Profile:
        with self.locked():
            profiles, _ = self._load()
            if name not in profiles:
                raise ConfigError(_no_profile(name, create=True))
            self._write(profiles, name)
        return profiles[name]

    def update(self, name: str, **changes: Any) -> Profile:
        """Change some fields of a profile (validated; `auth set`)."""
        with self.locked():
            profiles, active = self._load()
            if name not in profiles:
                raise ConfigError(_no_profile(name, create=True))
            updated = replace(profiles[name], **changes).validated()
            profiles[name] = updated
            self._write(profiles, active)
        return updated

    def remember_service(self, name: str, api: str, service_sid: str) -> Profile:
        """Record the API and service a user just opened, so the next start opens it again."""
        api_name = validate_api_name(api)
        sid = validate_sid("IS", service_sid)
        with self.locked():
            profiles, active = self._load()
            if name not in profiles:
                raise ConfigError(_no_profile(name, create=False))
            updated = replace(profiles[name], default_api=api_name, last_service_sid=sid)
            if updated != profiles[name]:
                profiles[name] = updated
                self._write(profiles, active)
        return updated


class ProfileExistsError(ConfigError):
    """`ProfileStore.add` found a profile of that name (the import never replaces one)."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(
            f"a bindings-tui profile named {shown(name, 40)} exists (use --overwrite to replace it)"
        )


def _no_profile(name: str, *, create: bool) -> str:
    text = f"no profile named {shown(name, 40)}: see `bindings-tui auth list`"
    if create and is_profile_name(name):
        text += f", or create it with `bindings-tui auth login --profile {name}`"
    return text


def is_profile_name(value: str) -> bool:
    return isinstance(value, str) and bool(_NAME_RE.fullmatch(value))


__all__ = [
    "API_NAMES",
    "AUTH_MODES",
    "CONFIG_DIR_ENV",
    "DEFAULT_PROFILE",
    "LABEL_COLORS",
    "MAX_LABEL_CHARS",
    "PROFILES_FILE",
    "ApiName",
    "AuthMode",
    "Profile",
    "ProfileExistsError",
    "ProfileStore",
    "config_dir",
    "is_profile_name",
    "toml_string",
    "validate_api_name",
    "validate_color",
    "validate_label",
    "validate_profile_name",
    "validate_region",
]
