"""Import profiles from twilio-cli's config.json, moving the secrets into the OS keyring.

twilio-cli (cli-core 6+) keeps ``profiles: {id: {accountSid, apiKey, apiSecret, region,
edge}}`` in ``~/.twilio-cli/config.json`` (or ``$TWILIO_CONFIG_DIR/config.json``) with
the API secret in plaintext. Older versions kept a ``projects`` list and the secret in
the system keychain; those profiles cannot be imported with a secret.

The user's file is only ever read: never edited, moved or deleted.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from bindings_tui.credentials.api_credentials import secret_problem
from bindings_tui.credentials.profiles import (
    Profile,
    ProfileExistsError,
    ProfileStore,
    is_profile_name,
    validate_region,
)
from bindings_tui.credentials.secret import Secret
from bindings_tui.credentials.secrets import SecretStore
from bindings_tui.errors import ConfigError, InputError
from bindings_tui.hosts import shown
from bindings_tui.sids import is_sid
from bindings_tui.textsafe import make_visible

CONFIG_DIR_ENV: Final = "TWILIO_CONFIG_DIR"
MAX_CONFIG_BYTES: Final = 4 * 1024 * 1024


def twilio_cli_config_path(env: Mapping[str, str] | None = None) -> Path:
    """``$TWILIO_CONFIG_DIR/config.json``, else ``~/.twilio-cli/config.json``."""
    env = os.environ if env is None else env
    directory = env.get(CONFIG_DIR_ENV, "").strip()
    base = Path(directory).expanduser() if directory else Path.home() / ".twilio-cli"
    return base / "config.json"


@dataclass(frozen=True, slots=True)
class TwilioCliProfile:
    """One twilio-cli profile as read from config.json. repr never shows the secret."""

    id: str
    account_sid: str
    api_key: str | None
    api_secret: Secret | None = field(repr=False)
    region: str | None
    edge: str | None

    def __repr__(self) -> str:
        has = "set" if self.api_secret else "absent"
        return (
            f"TwilioCliProfile(id={self.id!r}, account_sid={self.account_sid!r}, "
            f"api_key={self.api_key!r}, api_secret=<{has}>, region={self.region!r}, "
            f"edge={self.edge!r})"
        )

    __str__ = __repr__


def _opt_str(value: object) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _exact(value: object) -> str | None:
    """A region or edge exactly as written (validation refuses stray whitespace)."""
    return value or None if isinstance(value, str) else None


def _secret(value: object) -> Secret | None:
    return Secret(value) if isinstance(value, str) and value else None


def _shown_path(path: Path) -> str:
    return make_visible(str(path))


def read_twilio_cli_config(path: Path) -> tuple[list[TwilioCliProfile], str | None]:
    """The profiles in a twilio-cli config.json and the id of its active profile."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_CONFIG_BYTES + 1)
    except FileNotFoundError:
        raise ConfigError(
            f"no twilio-cli config at {_shown_path(path)} "
            "(set TWILIO_CONFIG_DIR if it lives elsewhere)"
        ) from None
    except OSError as exc:
        raise ConfigError(
            f"cannot read {_shown_path(path)}: {exc.strerror or type(exc).__name__}"
        ) from None
    if len(raw) > MAX_CONFIG_BYTES:
        raise ConfigError(
            f"{_shown_path(path)} is larger than {MAX_CONFIG_BYTES} bytes; not a twilio-cli config"
        )
    try:
        data: Any = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        # The decoder's message quotes no content beyond a position: safe to show.
        raise ConfigError(f"{_shown_path(path)} is not valid JSON (line {_line_of(exc)})") from None
    if not isinstance(data, dict):
        raise ConfigError(
            f"{_shown_path(path)} is not a twilio-cli config (expected a JSON object)"
        )
    top_edge = _exact(data.get("edge"))
    found: dict[str, TwilioCliProfile] = {}
    profiles = data.get("profiles")
    if isinstance(profiles, dict):
        for pid, entry in profiles.items():
            if isinstance(pid, str) and isinstance(entry, dict):
                found[pid] = TwilioCliProfile(
                    id=pid,
                    account_sid=_opt_str(entry.get("accountSid")) or "",
                    api_key=_opt_str(entry.get("apiKey")),
                    api_secret=_secret(entry.get("apiSecret")),
                    region=_exact(entry.get("region")),
                    edge=_exact(entry.get("edge")) or top_edge,
                )
    projects = data.get("projects")
    if isinstance(projects, list):  # the pre-6.0 layout: secrets were in the keychain
        for entry in projects:
            if not isinstance(entry, dict):
                continue
            pid = entry.get("id")
            if not isinstance(pid, str) or not pid:
                continue
            if pid and pid not in found:
                found[pid] = TwilioCliProfile(
                    id=pid,
                    account_sid=_opt_str(entry.get("accountSid")) or "",
                    api_key=_opt_str(entry.get("apiKey")),
                    api_secret=None,
                    region=_exact(entry.get("region")),
                    edge=top_edge,
                )
    active = _exact(data.get("activeProfile")) or _exact(data.get("activeProject"))
    return [found[k] for k in sorted(found)], active


def _line_of(exc: Exception) -> str:
    line = getattr(exc, "lineno", None)
    return str(line) if isinstance(line, int) else "?"


@dataclass(slots=True)
class ImportReport:
    source: Path
    imported: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    active: str | None = None
    backend: str = ""

    def lines(self) -> list[str]:
        # Names come from a file we do not control: every one is shown inert and clipped.
        out: list[str] = []
        for name in self.imported:
            out.append(
                f"imported profile {shown(name, 64)} (secret now in the OS keyring: {self.backend})"
            )
        for name, why in self.skipped:
            out.append(f"skipped twilio-cli profile {shown(name, 64)}: {why}")
        if not self.imported and not self.skipped:
            out.append(f"no profiles found in {_shown_path(self.source)}")
        if self.active:
            out.append(f"active profile: {shown(self.active, 64)}")
        if self.imported:
            out.append(
                f"note: the plaintext copy of these secrets is still in "
                f"{_shown_path(self.source)}; "
                "bindings-tui did not change that file. Remove them there (e.g. "
                "`twilio profiles:remove ID`) once you no longer need twilio-cli."
            )
        return out


def import_twilio_cli(
    path: Path | None = None,
    *,
    store: ProfileStore | None = None,
    secrets: SecretStore | None = None,
    overwrite: bool = False,
) -> ImportReport:
    """Create a profile per importable twilio-cli profile, with its secret in the keyring.

    Checks the keyring first, so nothing is written at all when it is unavailable.
    Existing bindings-tui profiles of the same name (and their keyring secrets) are never
    touched unless `overwrite`: the check, the keyring write and the profile write happen
    under the profiles lock, so a profile created meanwhile is not replaced either.
    """
    path = twilio_cli_config_path() if path is None else path
    store = ProfileStore() if store is None else store
    secrets = SecretStore() if secrets is None else secrets
    cli_profiles, cli_active = read_twilio_cli_config(path)
    report = ImportReport(source=path)
    report.backend = secrets.check()
    had_active = store.active_name() is not None
    for item in cli_profiles:
        why = _why_not_importable(item)
        if why is not None:
            report.skipped.append((item.id, why))
            continue
        assert item.api_key is not None and item.api_secret is not None
        mode_key = None if item.api_key == item.account_sid else item.api_key
        profile = Profile(
            name=item.id,
            account_sid=item.account_sid,
            auth_mode="api-key" if mode_key else "auth-token",
            api_key_sid=mode_key,
            region=item.region,
            edge=item.edge,
        ).validated()
        if profile.name != item.id:  # validation never renames; if it did, never import
            report.skipped.append((item.id, "its name would change when saved"))
            continue
        with store.locked():
            if not overwrite and store.find(profile.name) is not None:
                report.skipped.append((item.id, _EXISTS))
                continue
            secrets.set(profile.name, item.api_secret)
            if overwrite:
                store.save(profile, make_active=False)
            else:
                try:
                    store.add(profile, make_active=False)
                except ProfileExistsError:  # unreachable under the lock; never replace
                    report.skipped.append((item.id, _EXISTS))
                    continue
        report.imported.append(profile.name)
    if not had_active and report.imported:
        choice = cli_active if cli_active in report.imported else report.imported[0]
        store.set_active(choice)
    report.active = store.active_name()
    return report


_EXISTS: Final = "a bindings-tui profile with that name exists (use --overwrite to replace it)"


def _why_not_importable(item: TwilioCliProfile) -> str | None:
    if not is_profile_name(item.id):
        return "its id is not a valid bindings-tui profile name (letters, digits, '.', '_', '-')"
    if not is_sid("AC", item.account_sid):
        return "no valid accountSid"
    if not item.api_key:
        return "no apiKey"
    if item.api_key != item.account_sid and not is_sid("SK", item.api_key):
        return "apiKey is not an API key SID (SK...)"
    if not item.api_secret:
        return (
            "no apiSecret in config.json (older twilio-cli kept it in the system keychain); "
            f"log in with `bindings-tui auth login --profile {item.id}`"  # id validated above
        )
    problem = secret_problem(item.api_secret)
    if problem is not None:
        return f"its apiSecret {problem}"
    try:
        validate_region("region", item.region)
        validate_region("edge", item.edge)
    except InputError as exc:
        return str(exc)
    return None
