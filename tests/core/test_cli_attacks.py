"""The CLI under attack: hostile region/edge/base URL from every entry point, every option
out of range, and exceptions from anywhere. Each ends in one inert line, a non-zero exit,
and no request at all.

Entry points: flags before and after the subcommand, TWILIO_REGION / TWILIO_EDGE, a
profiles.toml written by hand, and every command (services, list, show, delete, diagnose,
auth status/login, fake-twilio, and the TUI's own start).
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from bindings_tui import cli
from bindings_tui.cli import listing

from .cli_kit import (
    ACCOUNT,
    BINDING,
    SERVICE,
    TOKEN,
    Network,
    assert_inert,
    assert_one_error_line,
    env_credentials,
    install_network,
)

HOSTILE_LOCATIONS = [
    "x@evil.example:443/",
    "evil.example#",
    "us1/../",
    "a.b",
    "IE1",
    "a" * 100,
    "ie1\n",
    "ie1\x00",
    "\x1b]52;c;cm0gLXJmIH4=\x07",
    "ａ",
    "",
]

COMMANDS: list[list[str]] = [
    ["services"],
    ["list", "--service", SERVICE],
    ["show", "--service", SERVICE, BINDING],
    ["delete", "--service", SERVICE, BINDING, "--yes"],
    ["diagnose", "--service", SERVICE],
    ["find", "alice"],
    ["auth", "status"],
]


@pytest.fixture
def net(monkeypatch: pytest.MonkeyPatch) -> Network:
    network = install_network(monkeypatch)
    env_credentials(monkeypatch)
    return network


@pytest.fixture(autouse=True)
def _no_tui(monkeypatch: pytest.MonkeyPatch) -> None:
    """If an attack ever reached the TUI, fail instead of opening an app in the test."""

    def refuse(*args: object, **kwargs: object) -> int:
        raise AssertionError("the TUI started")

    import bindings_tui.tui.app as tui_app

    monkeypatch.setattr(tui_app.BindingsApp, "run", refuse)


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("value", [v for v in HOSTILE_LOCATIONS if v])
@pytest.mark.parametrize("flag", ["--region", "--edge"])
@pytest.mark.parametrize("where", ["before", "after"])
@pytest.mark.parametrize("command", [*COMMANDS, ["auth", "login", "--account-sid", ACCOUNT], []])
def test_hostile_region_or_edge_flag_is_refused_before_any_request(
    command: list[str],
    where: str,
    flag: str,
    value: str,
    net: Network,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(TOKEN + "\n"))
    argv = [flag, value, *command] if where == "before" or not command else [*command, flag, value]
    code, out, err = _run(argv, capsys)
    assert_inert(out)
    assert code == 2
    assert_one_error_line(err, f"argument {flag}")
    assert net.requests == []


# An environment variable cannot hold NUL.
@pytest.mark.parametrize("value", [v for v in HOSTILE_LOCATIONS if v and "\x00" not in v])
@pytest.mark.parametrize("variable", ["TWILIO_REGION", "TWILIO_EDGE"])
@pytest.mark.parametrize("command", [*COMMANDS, []])
def test_hostile_region_or_edge_in_the_environment_is_refused(
    command: list[str],
    variable: str,
    value: str,
    net: Network,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(variable, value)
    code, out, err = _run(command, capsys)
    assert_inert(out)
    assert code == 2
    assert_one_error_line(err, variable)
    assert net.requests == []


@pytest.mark.parametrize("value", [v for v in HOSTILE_LOCATIONS if v and "\x00" not in v])
@pytest.mark.parametrize("field", ["region", "edge"])
@pytest.mark.parametrize(
    "command", [["services"], ["auth", "status"], ["auth", "list"], ["--profile", "p", "services"]]
)
def test_hostile_region_or_edge_in_a_hand_written_profile_is_refused(
    command: list[str],
    field: str,
    value: str,
    net: Network,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    from bindings_tui.credentials.profiles import toml_string

    for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    config = tmp_path / "config"
    config.mkdir()
    monkeypatch.setenv("BINDINGS_TUI_CONFIG_DIR", str(config))
    (config / "profiles.toml").write_text(
        f'active = "p"\n[profiles.p]\naccount_sid = "{ACCOUNT}"\n{field} = {toml_string(value)}\n',
        encoding="utf-8",
    )
    code, out, err = _run(command, capsys)
    assert_inert(out)
    assert code == 1
    assert_one_error_line(err, "profiles.toml", f"not a valid {field}")
    assert net.requests == []


BAD_OPTIONS: list[tuple[list[str], str]] = [
    (["--timeout", "nan", "services"], "--timeout"),
    (["--timeout", "inf", "services"], "--timeout"),
    (["--timeout", "-1", "services"], "--timeout"),
    (["--timeout", "0", "services"], "--timeout"),
    (["--timeout", "1e308", "services"], "--timeout"),
    (["services", "--timeout", "1" * 5000], "--timeout"),
    (["--retries", "-1", "services"], "--retries"),
    (["--retries", "21", "services"], "--retries"),
    (["--retries", "9" * 5000, "services"], "--retries"),
    (["--base-url", "http://127.0.0.1:99999", "services"], "1..65535"),
    (["--base-url", "https://u:p@127.0.0.1", "services"], "user name"),
    (["--base-url", "http://evil.example", "services"], "plain http"),
    (["--base-url", "http://127.0.0.1:1/\x1b]52;c;eA==\x07", "services"], "--base-url"),
    (["--base-url", "", "services"], "empty"),
    (["--profile", "prod\n", "services"], "not a valid profile name"),
    (["--profile", "../../etc", "services"], "not a valid profile name"),
    (["--profile", "a" * 100, "services"], "not a valid profile name"),
    (["--service", "IS" + "a" * 100_000, "list"], "--service"),
    (["--service", "\x1b[2J", "list"], "--service"),
    (["list", "--service", SERVICE, "--identity", "x" * 100_000], "at most 1024"),
    (["list", "--service", SERVICE, "--identity", "bob\udcff"], "not valid UTF-8"),
    (["list", "--service", SERVICE, "--identity", ""], "is empty"),
    (["diagnose", "--service", SERVICE, "--identity", ""], "is empty"),
    (["find", ""], "is empty"),
    (["find", "alice", "x" * 100_000], "at most 1024"),
    (["find", "bob\udcff"], "not valid UTF-8"),
    (["find", *[f"u{i}" for i in range(101)]], "at most 100"),
    (["find", "alice", "--api", "v3"], "--api"),
    (
        ["list", "--service", SERVICE, *[a for i in range(101) for a in ("--identity", f"u{i}")]],
        "at most 100",
    ),
    (
        ["list", "--service", SERVICE, *[a for i in range(20) for a in ("--identity", "x" * 1000)]],
        "in all",
    ),
    (["list", "--service", SERVICE, "--type", "t" * 100_000], "--type"),
    (["list", "--service", SERVICE, "--type", "sms"], "unknown binding type"),
    (["list", "--service", SERVICE, "--page-size", "0"], "--page-size"),
    (["list", "--service", SERVICE, "--page-size", "1001"], "--page-size"),
    (["list", "--service", SERVICE, "--limit", "0"], "--limit"),
    (["list", "--service", SERVICE, "--limit", "-5"], "--limit"),
    (["show", "--service", SERVICE, "BS" + "\x9b2J"], "BS..."),
    (["delete", "--service", SERVICE, "x" * 100_000, "--yes"], "BS..."),
    (["diagnose", "--service", SERVICE, "--stale-days", "0"], "--stale-days"),
    (["diagnose", "--service", SERVICE, "--stale-days", "99999999"], "--stale-days"),
    (["diagnose", "--service", SERVICE, "--pile-up", "-1"], "--pile-up"),
    (["diagnose", "--service", SERVICE, "--now", "0001-01-01T00:00:00+05:00"], "--now"),
    (["diagnose", "--service", SERVICE, "--now", "9999-12-31T23:59:59-05:00"], "--now"),
    (["diagnose", "--service", SERVICE, "--now", "x" * 100_000], "--now"),
    (["fake-twilio", "--port", "0"], "--port"),
    (["fake-twilio", "--port", "99999"], "--port"),
    (["fake-twilio", "--bindings", "-1"], "--bindings"),
    (["fake-twilio", "--bindings", "10" * 50], "--bindings"),
    (["fake-twilio", "--latency-ms", "nan"], "--latency-ms"),
    (["fake-twilio", "--host", "evil\x1b]0;t\x07"], "--host"),
    (["fake-twilio", "--faults", "x" * 10_000], "--faults"),
    (["fake-twilio", "--faults", "teapot:0.5"], "unknown fault kind"),
    (["--bindings", "-1", "--demo"], "--bindings"),
    (["--latency-ms", "inf", "--demo"], "--latency-ms"),
    (["--page-size", "5000", "--demo"], "--page-size"),
    (["auth", "login", "--account-sid", "AC\x1b[2J"], "not a SID"),
    (["auth", "use", "prod\n"], "not a valid profile name"),
    (["auth", "remove", "x\x1b]52;c;eA==\x07"], "not a valid profile name"),
    (["--api", "\x1b]0;t\x07", "services"], "invalid choice"),
    (["services", "-o", "x" * 100_000], "invalid choice"),
    (["list", "--bogus\x1b[2J"], "unrecognized arguments"),
]


@pytest.mark.parametrize(("argv", "needle"), BAD_OPTIONS)
def test_every_bad_option_is_one_inert_line_and_exit_2(
    argv: list[str],
    needle: str,
    net: Network,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    code, out, err = _run(argv, capsys)
    assert_inert(out)
    assert code == 2
    assert_one_error_line(err, needle)
    assert len(err) < 2000
    assert net.requests == []


def test_hostile_env_secret_of_any_size_is_one_line(
    net: Network, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "t" * 100_000)
    code, out, err = _run(["services"], capsys)
    assert_inert(out)
    assert code == 2
    assert_one_error_line(err, "TWILIO_AUTH_TOKEN")
    assert net.requests == []


# ---- the single error handler ----------------------------------------------------------


class _HostileStr(Exception):
    def __str__(self) -> str:
        raise RuntimeError("even str() fails")


EXCEPTIONS: list[BaseException] = [
    RecursionError("maximum recursion depth exceeded"),
    OverflowError("date value out of range"),
    ValueError("bad value \x1b]52;c;cm0gLXJmIH4=\x07 [/b] [@click=app.quit]q[/]"),
    UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte"),
    KeyError("x" * 100_000),
    TypeError("line one\nline two\r\nline three"),
    _HostileStr(),
    MemoryError(),
]

# Where each command hands over to its own code: replacing it raises from inside the command.
TARGETS: list[tuple[list[str], str]] = [
    (["services"], "bindings_tui.cli.listing.cmd_services"),
    (["list", "--service", SERVICE], "bindings_tui.cli.listing.cmd_list"),
    (["show", "--service", SERVICE, BINDING], "bindings_tui.cli.listing.cmd_show"),
    (["delete", "--service", SERVICE, BINDING, "--yes"], "bindings_tui.cli.listing.cmd_delete"),
    (["diagnose", "--service", SERVICE], "bindings_tui.cli.diagnose.diagnose"),
    (["find", "alice"], "bindings_tui.find_identities.find_identities"),
    (["auth", "status"], "bindings_tui.credentials.resolve.resolve_credentials"),
    (["auth", "list"], "bindings_tui.credentials.login.summarize_profiles"),
    (["fake-twilio"], "bindings_tui.fake_twilio.run_server"),
    ([], "bindings_tui.cli.tui.run_tui"),
]


@pytest.mark.parametrize("exc", EXCEPTIONS, ids=lambda e: type(e).__name__)
@pytest.mark.parametrize(("argv", "target"), TARGETS, ids=lambda t: str(t))
def test_any_exception_from_any_command_is_one_line_exit_1(
    argv: list[str],
    target: str,
    exc: BaseException,
    net: Network,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    secret_local = "sec-" + TOKEN  # would show up in a traceback that printed locals

    def boom(*args: object, **kwargs: object) -> object:
        assert secret_local
        raise exc

    async def aboom(*args: object, **kwargs: object) -> object:
        return boom()

    import importlib
    import inspect

    module, _, name = target.rpartition(".")
    original = getattr(importlib.import_module(module), name)
    replacement = aboom if inspect.iscoroutinefunction(original) else boom
    if module == "bindings_tui.cli.listing" and argv[0] in listing.ASYNC_COMMANDS:
        monkeypatch.setitem(listing.ASYNC_COMMANDS, argv[0], replacement)
    else:
        monkeypatch.setattr(target, replacement)
    code, out, err = _run(argv, capsys)
    assert_inert(out)
    assert code == 1
    if argv[:1] == ["fake-twilio"]:  # its banner (how to use it) comes first, by design
        banner, _, err = err.rstrip("\n").rpartition("\n")
        assert banner.startswith("fake Twilio on ")
        err += "\n"
    assert_one_error_line(err, f"internal error ({type(exc).__name__})")
    assert secret_local not in out + err
    assert len(err) < 2000


def test_verbose_shows_a_traceback_without_locals(
    net: Network, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    secret_local = "sec-" + TOKEN

    async def boom(args: object) -> int:
        assert secret_local
        raise OverflowError("date value out of range")

    monkeypatch.setitem(listing.ASYNC_COMMANDS, "services", boom)
    code, out, err = _run(["-v", "services"], capsys)
    assert_inert(out)
    assert code == 1
    assert "internal error (OverflowError)" in err.splitlines()[-1]
    assert "bindings-tui: debug: " in err and "boom" in err
    assert secret_local not in err and TOKEN not in err
    assert all(line.startswith("bindings-tui: ") for line in err.splitlines())


@pytest.mark.parametrize(
    "exc",
    [RecursionError(), OverflowError("Python int too large"), ValueError("nope \x1b[2J")],
    ids=lambda e: type(e).__name__,
)
@pytest.mark.parametrize("command", COMMANDS[:5], ids=lambda c: c[0])
def test_an_exception_from_the_network_layer_is_one_line(
    command: list[str],
    exc: BaseException,
    net: Network,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The transport itself raises something unexpected, deep inside a real command."""

    def reply(request: object) -> object:
        raise exc

    net.reply = reply  # type: ignore[assignment]
    code, out, err = _run(command, capsys)
    assert_inert(out)
    assert code != 0
    assert_one_error_line(err)
    assert net.requests, "the command really reached the network layer"
