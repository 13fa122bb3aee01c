"""Error lines that say what happened and what to do: a 401 names where the credentials
came from and how to check them; a 404 on a service's list names the service, the
account and the API (not Twilio's "resource ... not found")."""

from __future__ import annotations

import httpx
import pytest

from bindings_tui import cli

from .cli_kit import ACCOUNT, SERVICE, assert_one_error_line, env_credentials, install_network

AUTH_FAILED = {"code": 20003, "message": "Authenticate", "status": 401}


def _not_found(request: httpx.Request) -> httpx.Response:
    return httpx.Response(
        404,
        json={
            "code": 20404,
            "message": f"The requested resource {request.url.path} was not found",
            "more_info": "https://www.twilio.com/docs/errors/20404",
            "status": 404,
        },
    )


@pytest.mark.parametrize(
    "argv",
    [["services"], ["list", "--service", SERVICE], ["diagnose", "--service", SERVICE]],
)
def test_401_says_where_the_credentials_came_from(
    argv: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env_credentials(monkeypatch)
    net = install_network(monkeypatch)
    net.reply = lambda request: httpx.Response(401, json=AUTH_FAILED)
    assert cli.main(argv) == 1
    err = capsys.readouterr().err
    assert_one_error_line(err, "20003")
    assert "the credentials came from the environment (TWILIO_ACCOUNT_SID" in err
    assert "`bindings-tui auth status`" in err


@pytest.mark.parametrize("api", ["conversations", "chat"])
@pytest.mark.parametrize("extra", [[], ["--identity", "alice"], ["--type", "apn"]])
def test_unknown_service_names_service_account_and_api(
    api: str, extra: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env_credentials(monkeypatch)
    net = install_network(monkeypatch)
    net.reply = _not_found
    assert cli.main(["--api", api, "list", "--service", SERVICE, *extra]) == 1
    err = capsys.readouterr().err
    assert_one_error_line(err)
    assert f"service {SERVICE} not found in account {ACCOUNT} (API {api})" in err
    assert "requested resource" not in err
    assert "bindings-tui services" in err


def test_a_missing_binding_keeps_twilio_wording(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Only a service's list means "no such service"; one binding's 404 is about the binding.
    env_credentials(monkeypatch)
    net = install_network(monkeypatch)
    net.reply = _not_found
    binding = "BS" + "e" * 32
    assert cli.main(["show", "--service", SERVICE, binding]) == 1
    err = capsys.readouterr().err
    assert_one_error_line(err)
    assert "not found in account" not in err and binding in err
