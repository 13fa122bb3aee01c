"""Every TOML file bindings-tui reads (profiles.toml, config.toml) goes through `read_toml`.

A file in the config directory may be broken or hostile: too large, not UTF-8, not TOML,
nested deep enough to exhaust the parser's stack, or full of control characters. Each
case is one ConfigError line that names the file (inert) and says what to do.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Final

from bindings_tui.errors import ConfigError
from bindings_tui.textsafe import clip, make_visible

MAX_TOML_BYTES: Final = 1024 * 1024


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


__all__ = ["MAX_TOML_BYTES", "read_toml", "shown_path"]
