"""`bindings-tui auth ...`: login, list, use, remove/logout, status, import-twilio-cli.

The secret is read with getpass on a terminal, else from standard input; it is never
taken from argv (other users can read command lines in `ps`), never printed and never
written anywhere but the OS keyring.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from pathlib import Path
from typing import Any, TextIO

from bindings_tui.cli import argtypes
from bindings_tui.cli.common import PROG, api_of, err
from bindings_tui.credentials.api_credentials import MAX_SECRET_CHARS
from bindings_tui.credentials.profiles import (
    DEFAULT_PROFILE,
    LABEL_COLORS,
    MAX_LABEL_CHARS,
    Profile,
    ProfileStore,
)
from bindings_tui.credentials.secret import Secret
from bindings_tui.errors import InputError
from bindings_tui.hosts import api_base_url, shown
from bindings_tui.textsafe import make_visible


def add_auth_parser(subparsers: Any, parents: list[argparse.ArgumentParser]) -> None:
    """Register `auth` and its subcommands on the main parser's subparsers action.

    `parents` carries the global options (`common.globals_parent()`): --profile, --api,
    --region, --edge, --base-url and --timeout mean the same here as for every command.
    """

    def add(sub: Any, name: str, help_text: str, **kwargs: Any) -> argparse.ArgumentParser:
        parser: argparse.ArgumentParser = sub.add_parser(
            name, parents=parents, help=help_text, description=help_text, **kwargs
        )
        return parser

    auth = subparsers.add_parser(
        "auth",
        parents=parents,
        help="log in and manage profiles (secrets live in the OS keyring)",
        description=(
            "Profiles keep non-secret settings in profiles.toml; the secret lives only in the "
            "OS keyring (service 'bindings-tui'). Credentials are resolved in this order: "
            "--profile NAME, then TWILIO_* environment variables, then the active profile."
        ),
    )
    sub = auth.add_subparsers(dest="auth_command", metavar="AUTH_COMMAND")
    sub.required = True

    p = add(
        sub,
        "login",
        "verify credentials with one API call, then save them (secret to the OS keyring)",
        epilog=(
            "The secret is asked for with hidden input on a terminal; otherwise it is read from "
            "standard input, e.g. printf '%s' \"$SECRET\" | bindings-tui auth login --profile ci "
            "--account-sid AC... --api-key SK...  It is never accepted as an argument."
        ),
    )
    p.add_argument(
        "--account-sid", type=argtypes.sid_text, metavar="AC...", help="the Twilio account SID"
    )
    p.add_argument(
        "--api-key",
        type=argtypes.sid_text,
        metavar="SK...",
        help="API key SID (omit to log in with the auth token)",
    )

    add(sub, "list", "list profiles; the active one is marked with *")
    p = add(sub, "use", "make a profile the active one")
    p.add_argument("name", type=argtypes.profile_name, metavar="NAME")
    p = add(sub, "remove", "delete a profile and its keyring secret")
    p.add_argument("name", type=argtypes.profile_name, metavar="NAME")
    p = add(sub, "logout", "like remove; defaults to --profile or the active profile")
    p.add_argument("name", type=argtypes.profile_name, metavar="NAME", nargs="?")
    add(sub, "status", "which credentials would be used, and where they come from")
    p = add(
        sub,
        "set",
        "guard a profile: label=TEXT color=NAME read_only=true|false (an empty value clears)",
        epilog=(
            "e.g. bindings-tui auth set prod label=PRODUCTION color=red read_only=true; "
            f"colours: {', '.join(LABEL_COLORS)}; a label is printable text of at most "
            f"{MAX_LABEL_CHARS} characters."
        ),
    )
    p.add_argument("name", type=argtypes.profile_name, metavar="NAME")
    p.add_argument("settings", nargs="+", metavar="KEY=VALUE")
    p = add(
        sub,
        "import-twilio-cli",
        "copy twilio-cli profiles, moving their secrets into the OS keyring",
    )
    p.add_argument(
        "--config",
        type=Path,
        default=None,
        metavar="FILE",
        help="twilio-cli config.json (default: $TWILIO_CONFIG_DIR or ~/.twilio-cli)",
    )
    p.add_argument(
        "--overwrite", action="store_true", help="replace bindings-tui profiles of the same name"
    )


# ---- commands -------------------------------------------------------------------------------


def run_auth(args: argparse.Namespace) -> int:
    """Run one `auth` subcommand. Errors print one line to stderr: 2 for input, else 1."""
    command = getattr(args, "auth_command", None)
    handlers = {
        "login": _cmd_login,
        "list": _cmd_list,
        "use": _cmd_use,
        "remove": _cmd_remove,
        "logout": _cmd_remove,
        "status": _cmd_status,
        "set": _cmd_set,
        "import-twilio-cli": _cmd_import,
    }
    handler = handlers.get(command or "")
    if handler is None:
        err(
            "auth needs a subcommand: login, list, use, remove, logout, status, set, "
            "import-twilio-cli"
        )
        return 2
    # InputError / BindingsError are reported by cli.main like every command's.
    try:
        return handler(args)
    except (KeyboardInterrupt, EOFError):
        err("cancelled; nothing was saved")
        return 130


def _opt(args: argparse.Namespace, name: str) -> Any:
    return getattr(args, name, None)


def read_secret(prompt: str, stdin: TextIO | None = None) -> Secret:
    """getpass on a terminal; otherwise all of stdin with one trailing newline removed.

    Wrapped in a Secret the moment it is read; the raw text is never a named local.
    """
    stream = sys.stdin if stdin is None else stdin
    if stream.isatty():
        return Secret(getpass.getpass(prompt))
    return _without_newline(Secret(stream.read(MAX_SECRET_CHARS + 1)))


def _without_newline(data: Secret) -> Secret:
    if len(data) > MAX_SECRET_CHARS:
        raise InputError(f"the secret on standard input is longer than {MAX_SECRET_CHARS} chars")
    for ending in ("\r\n", "\n"):
        if data.reveal().endswith(ending):
            return Secret(data.reveal()[: -len(ending)])
    return data


def _ask(prompt: str) -> str:
    print(prompt, end="", file=sys.stderr, flush=True)
    line = sys.stdin.readline()
    if not line:
        raise EOFError
    return line.strip()


def _cmd_login(args: argparse.Namespace) -> int:
    from bindings_tui.credentials.login import (
        build_profile,
        validate_login_fields,
        verify_and_save,
    )
    from bindings_tui.credentials.secrets import SecretStore

    name = _opt(args, "profile") or DEFAULT_PROFILE
    account = _opt(args, "account_sid")
    api_key = _opt(args, "api_key")
    interactive = sys.stdin.isatty()
    if not account:
        if not interactive:
            raise InputError(
                "--account-sid is required when standard input is not a terminal "
                "(the secret is read from standard input)"
            )
        account = _ask("Account SID (AC...): ")
        if api_key is None:
            api_key = _ask("API key SID (SK..., leave empty to use the auth token): ") or None
    region = _opt(args, "region")
    edge = _opt(args, "edge")
    api = _opt(args, "api") or "conversations"
    # Reject malformed fields before asking for the secret or touching the network.
    early = [
        e
        for e in validate_login_fields(
            account, api_key, "x", profile_name=name, region=region, edge=edge, api=api
        )
        if e.field != "secret"
    ]
    if early:
        raise InputError("; ".join(e.message for e in early))
    # Fail fast (before the secret is typed) when no keyring can hold it.
    SecretStore().check()
    what = "API key secret" if api_key else "auth token"
    secret = read_secret(f"{what} (hidden): ")
    problems = validate_login_fields(account, api_key, secret)
    if problems:
        raise InputError("; ".join(p.message for p in problems))
    profile = build_profile(
        name,
        account,
        api_key,
        region=region,
        edge=edge,
        api=api,
        last_service_sid=_opt(args, "service"),
    )
    timeout = _opt(args, "timeout")  # checked by argparse (argtypes.timeout_seconds)
    result = asyncio.run(
        verify_and_save(
            profile,
            secret,
            base_url=_opt(args, "base_url"),
            timeout=float(timeout) if timeout else None,
        )
    )
    del secret
    print(result.describe())
    return 0


def _v(value: str | None) -> str:
    """A value from a file or the environment, for the terminal: inert."""
    return make_visible(value) if value else "-"


def _cmd_list(args: argparse.Namespace) -> int:
    from bindings_tui.credentials.login import summarize_profiles

    rows = summarize_profiles()
    if not rows:
        print(
            f"no profiles in {make_visible(str(ProfileStore().path))}; "
            f"create one with `{PROG} auth login`"
        )
        return 0
    width = max(len(r.profile.name) for r in rows)
    for row in rows:
        p = row.profile
        mark = "*" if row.active else " "
        who = f"API key {_v(p.api_key_sid)}" if p.api_key_sid else "auth token"
        where = "".join(
            f" {k}={_v(v)}" for k, v in (("region", p.region), ("edge", p.edge)) if v is not None
        )
        print(
            f"{mark} {_v(p.name):<{width}}  {_v(p.account_sid)}  {who}  "
            f"api={_v(p.default_api)}{where}{_guard_words(p)}  "
            f"secret: {make_visible(row.secret_location)}"
        )
    return 0


def _guard_words(profile: Profile) -> str:
    """` label=PRODUCTION color=red read-only` (only what is set), inert."""
    words = [f"{k}={_v(v)}" for k, v in (("label", profile.label), ("color", profile.color)) if v]
    if profile.read_only:
        words.append("read-only")
    return "".join(f" {w}" for w in words)


_SET_KEYS = ("label", "color", "read_only")


def _cmd_set(args: argparse.Namespace) -> int:
    """`auth set NAME label=PRODUCTION color=red read_only=true`."""
    changes: dict[str, Any] = {}
    for item in args.settings:
        key, sep, value = item.partition("=")
        if not sep or key not in _SET_KEYS:
            raise InputError(
                f"{shown(item, 40)}: use KEY=VALUE with KEY one of {', '.join(_SET_KEYS)}"
            )
        if key == "read_only":
            flag = value.strip().lower()
            if flag not in ("true", "false", "1", "0", "yes", "no", ""):
                raise InputError(f"read_only={shown(value, 20)}: use true or false")
            changes[key] = flag in ("true", "1", "yes")
        else:
            changes[key] = value or None
    profile = ProfileStore().update(args.name, **changes)
    print(f"profile {shown(profile.name)}:{_guard_words(profile) or ' no label, writable'}")
    return 0


def _cmd_use(args: argparse.Namespace) -> int:
    from bindings_tui.credentials.login import switch_profile

    profile = switch_profile(args.name)
    print(f"active profile: {shown(profile.name)} (account {_v(profile.account_sid)})")
    return 0


def _cmd_remove(args: argparse.Namespace) -> int:
    from bindings_tui.credentials.login import remove_profile

    name = _opt(args, "name") or _opt(args, "profile") or ProfileStore().active_name()
    if not name:
        raise InputError("no profile given and none is active: name the profile to remove")
    deleted = remove_profile(name)
    note = "and its keyring secret" if deleted else "(the keyring held no secret for it)"
    print(f"removed profile {shown(name)} {note}")
    return 0


def _cmd_status(args: argparse.Namespace) -> int:
    from bindings_tui.credentials.resolve import NO_CREDENTIALS_HELP, resolve_credentials
    from bindings_tui.credentials.secrets import SecretStore

    store = ProfileStore()
    creds = resolve_credentials(_opt(args, "profile"), store=store)
    if creds is None:
        print(NO_CREDENTIALS_HELP)
        return 1
    if creds.source == "env":
        secret_from = "TWILIO_API_SECRET" if creds.api_key_sid else "TWILIO_AUTH_TOKEN"
        where = f"environment variable {secret_from}"
    else:
        where = f"OS keyring ({make_visible(SecretStore().info().backend)})"
    # Every value below came from a file, the environment or a flag: shown inert.
    print(f"credentials from: {make_visible(creds.source)}")
    print(f"account: {_v(creds.account_sid)}")
    if creds.api_key_sid:
        print(f"auth: API key {_v(creds.api_key_sid)}")
    else:
        print("auth: auth token")
    print(f"secret: in the {where} (not shown)")
    from bindings_tui.cli.common import write_policy_of

    policy = write_policy_of(args, creds)
    print(
        f"deletes: refused, read-only ({policy.source})" if policy.read_only else "deletes: allowed"
    )
    # The override every command applies (`ApiCredentials.at_location`, validated again).
    located = creds.at_location(_opt(args, "region"), _opt(args, "edge"))
    region, edge = located.region, located.edge
    if region or edge:
        print(f"region: {_v(region or 'us1')}  edge: {_v(edge)}")
    api = api_of(args)
    # The one constructor of base URLs says where the credentials would go.
    base = api_base_url(api.host_prefix, region, edge, explicit=_opt(args, "base_url"))
    print(f"host: {make_visible(base)}")
    print(f"config: {make_visible(str(store.path))}")
    return 0


def _cmd_import(args: argparse.Namespace) -> int:
    from bindings_tui.credentials.twilio_cli import import_twilio_cli, twilio_cli_config_path

    path = _opt(args, "config") or twilio_cli_config_path()
    report = import_twilio_cli(path, overwrite=bool(_opt(args, "overwrite")))
    for line in report.lines():
        print(line)
    return 0 if report.imported or not report.skipped else 1


__all__ = ["MAX_SECRET_CHARS", "add_auth_parser", "read_secret", "run_auth"]
