"""The config directory, and every TOML file bindings-tui reads from it.

`config_dir` is where profiles.toml and config.toml live (env BINDINGS_TUI_CONFIG_DIR,
else platformdirs' user config path). Every TOML read goes through `read_toml`;
config.toml (diagnostics thresholds, and any other table the app reads) through
`read_config`.

A file in the config directory may be broken or hostile: too large, not UTF-8, not TOML,
nested deep enough to exhaust the parser's stack, or full of control characters. Each
case is one ConfigError line that names the file (inert) and says what to do.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from platformdirs import user_config_path

from bindings_tui.errors import ConfigError
from bindings_tui.textsafe import clip, make_visible

CONFIG_DIR_ENV: Final = "BINDINGS_TUI_CONFIG_DIR"
CONFIG_FILE: Final = "config.toml"
MAX_TOML_BYTES: Final = 1024 * 1024


def config_dir(env: Mapping[str, str] | None = None) -> Path:
    """BINDINGS_TUI_CONFIG_DIR, else platformdirs' user config path for bindings-tui."""
    env = os.environ if env is None else env
    override = env.get(CONFIG_DIR_ENV, "").strip()
    if override:
        return Path(override).expanduser()
    return user_config_path("bindings-tui")


def config_path(directory: Path | None = None) -> Path:
    """config.toml in `directory` (default: the config directory)."""
    return (config_dir() if directory is None else directory) / CONFIG_FILE


def shown_path(path: Path) -> str:
    """A path for a message: control characters visible (a directory name can hold any)."""
    return make_visible(str(path))


def read_toml(path: Path, *, max_bytes: int = MAX_TOML_BYTES) -> dict[str, Any] | None:
    """The parsed file, None when it does not exist, or ConfigError naming the file."""
    where = shown_path(path)
    try:
        with path.open("rb") as handle:
            raw = handle.read(max_bytes + 1)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ConfigError(f"cannot read {where}: {exc.strerror or type(exc).__name__}") from None
    if len(raw) > max_bytes:
        raise ConfigError(f"{where} is larger than {max_bytes} bytes; fix it or move it away")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{where} is not UTF-8 text; fix it or move it away") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # tomllib's messages give a position, not content; made inert all the same.
        detail = clip(make_visible(str(exc)), 120)
        raise ConfigError(f"{where} is not valid TOML ({detail}); fix it or move it away") from None
    except RecursionError:
        # tomllib parses nested arrays and inline tables recursively.
        raise ConfigError(
            f"{where} is not valid TOML (nested too deeply); fix it or move it away"
        ) from None


def read_config(directory: Path | None = None) -> dict[str, Any]:
    """config.toml as a dict: empty when the file does not exist, ConfigError when broken.

    Each reader checks its own table strictly (`diagnose_run.load_settings` reads
    `[diagnostics]` and `[profiles.NAME.diagnostics]`).
    """
    return read_toml(config_path(directory)) or {}


__all__ = [
    "CONFIG_DIR_ENV",
    "CONFIG_FILE",
    "MAX_TOML_BYTES",
    "config_dir",
    "config_path",
    "read_config",
    "read_toml",
    "shown_path",
]
