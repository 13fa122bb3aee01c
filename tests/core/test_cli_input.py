"""CLI parsing and bad input: one clear line on stderr, non-zero exit, no traceback."""

from __future__ import annotations

import pytest

from bindings_tui.cli import build_parser, main

SERVICE = "IS" + "a" * 32
BINDING = "BS" + "b" * 32


def test_global_options_before_and_after_the_command() -> None:
    parser = build_parser()
    before = parser.parse_args(
        ["--api", "chat", "--base-url", "http://127.0.0.1:1", "list", "--service", SERVICE]
    )
    after = parser.parse_args(
        ["list", "--service", SERVICE, "--api", "chat", "--base-url", "http://127.0.0.1:1"]
    )
    for args in (before, after):
        assert args.api == "chat"
        assert args.base_url == "http://127.0.0.1:1"
        assert args.service == SERVICE
        assert args.command == "list"
    defaults = parser.parse_args(["list"])
    assert defaults.api == "conversations" and defaults.base_url is None


def test_repeatable_filters() -> None:
    args = build_parser().parse_args(
        ["list", "--identity", "a", "--identity", "b", "--type", "apn", "--type", "fcm"]
    )
    assert args.identity == ["a", "b"]
    assert args.types == ["apn", "fcm"]


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["list", "--service", "IS123"], "not a valid service SID"),
        (["list"], "--service IS... is required"),
        (["list", "--service", SERVICE, "--type", "sms"], "unknown binding type 'sms'"),
        (
            ["--api", "chat", "list", "--service", SERVICE, "--type", "twilsock"],
            "unknown binding type",
        ),
        (["list", "--service", SERVICE, "--page-size", "0"], "0 is out of range: use 1..1000"),
        (["list", "--service", SERVICE, "--page-size", "1001"], "out of range"),
        (["list", "--service", SERVICE, "--limit", "0"], "argument --limit: 0 is out of range"),
        (["show", "--service", SERVICE, "BSnope"], "not a valid binding SID"),
        (["delete", "--service", SERVICE, "BS1", "--yes"], "not a valid binding SID"),
        (["--base-url", "http://example.com", "services"], "refusing plain http://"),
        (["fake-twilio", "--faults", "teapot:0.5"], "unknown fault kind 'teapot'"),
        (["fake-twilio", "--bindings", "-1"], "argument --bindings: -1 is out of range"),
    ],
)
def test_bad_input_is_one_line_and_nonzero(
    argv: list[str],
    needle: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", "AC" + "c" * 32)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "token-for-input-tests")
    code = main(argv)
    err = capsys.readouterr().err
    assert code in (1, 2)
    assert needle in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_usage_errors_exit_2_with_a_hint(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list", "--page-size", "lots"]) == 2
    err = capsys.readouterr().err
    assert "'lots' is not a whole number" in err and "--help" in err
    assert err.startswith("bindings-tui: error: ") and len(err.splitlines()) == 1


def test_no_credentials_says_how_to_log_in(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["list", "--service", SERVICE])
    err = capsys.readouterr().err
    assert code == 1
    assert "bindings-tui auth login" in err and "TWILIO_ACCOUNT_SID" in err


def test_malformed_env_credentials_are_reported(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", "ACnothex")
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "x")
    assert main(["services"]) == 2
    assert "not a valid account SID" in capsys.readouterr().err


def test_delete_refuses_without_yes_when_not_a_terminal(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", "AC" + "c" * 32)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "token")
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    assert main(["delete", "--service", SERVICE, BINDING]) == 2
    assert "refusing to delete without --yes" in capsys.readouterr().err


def test_verbose_logging_leaves_no_handler_behind(capsys: pytest.CaptureFixture[str]) -> None:
    import logging

    logger = logging.getLogger("bindings_tui")
    before = list(logger.handlers)
    main(["-v", "list", "--service", "IS123"])
    assert logger.handlers == before
    capsys.readouterr()
