"""`bindings-tui diagnose` end to end against the in-process fake Twilio.

`-o json` must report exactly the fake's seeded anomalies (`seeded_anomalies`), for both
APIs, with the default thresholds and with the fake's own thresholds given as flags.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bindings_tui import cli
from bindings_tui.cli import diagnose as cli_diagnose
from bindings_tui.cli.diagnose import add_diagnose_parser
from bindings_tui.client import TwilioClient
from bindings_tui.credentials import ApiCredentials
from bindings_tui.fake_twilio import (
    FAKE_BASE_URL,
    MANY_APN_THRESHOLD,
    STALE_DAYS,
    FakeConfig,
    FakeTwilio,
    seeded_anomalies,
)
from bindings_tui.fake_twilio.constants import DAY, FAKE_NOW_EPOCH
from bindings_tui.models import ApiFlavor
from bindings_tui.push_codes import FCM_TOKEN_EXPIRY_DAYS, LEGACY_FCM_SHUTDOWN

NOW_ARGS = ["--now", "2026-11-01T00:00:00Z"]  # the fake's clock (FAKE_NOW)


@pytest.fixture(scope="module")
def fake() -> FakeTwilio:
    return FakeTwilio(FakeConfig(seed=7, bindings=2000))


@pytest.fixture
def use_fake(fake: FakeTwilio, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """Route the diagnose command's make_client to the in-process fake; `state["secret"]`
    can break auth."""
    state: dict[str, Any] = {"secret": None}

    def make_client(args: argparse.Namespace) -> TwilioClient:
        creds = fake.credentials()
        if state["secret"] is not None:
            creds = ApiCredentials(creds.account_sid, state["secret"])
        return TwilioClient(
            creds, ApiFlavor.parse(args.api), base_url=FAKE_BASE_URL, transport=fake.transport()
        )

    monkeypatch.setattr(cli_diagnose, "make_client", make_client)
    yield state


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def by_kind(findings: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for finding in findings:
        out.setdefault(finding["kind"], []).append(finding)
    return out


def sids_of(findings: list[dict[str, Any]]) -> set[str]:
    return {sid for f in findings for sid in f["binding_sids"]}


THRESHOLD_ARGS = {
    "defaults": [],
    "fake-thresholds": ["--stale-days", str(STALE_DAYS), "--pile-up", str(MANY_APN_THRESHOLD - 1)],
}


@pytest.mark.usefixtures("use_fake")
@pytest.mark.parametrize("api", list(ApiFlavor), ids=lambda a: a.value)
@pytest.mark.parametrize("service_index", [0, 1], ids=["production", "staging"])
@pytest.mark.parametrize("thresholds", list(THRESHOLD_ARGS), ids=str)
def test_json_reports_exactly_the_seeded_anomalies(
    fake: FakeTwilio,
    capsys: pytest.CaptureFixture[str],
    api: ApiFlavor,
    service_index: int,
    thresholds: str,
) -> None:
    service = fake.service_sids()[service_index]
    code, out, err = run_cli(
        capsys,
        "diagnose",
        "--service",
        service,
        "--api",
        api.value,
        "-o",
        "json",
        *NOW_ARGS,
        *THRESHOLD_ARGS[thresholds],
    )
    assert code == 0, err
    assert err == ""
    findings = json.loads(out)
    expected = seeded_anomalies(fake, service, api)
    listed = [b for b in fake.bindings(service) if b.binding_type in api.binding_types]
    found = by_kind(findings)

    for finding in findings:
        assert set(finding) == {
            "kind",
            "severity",
            "identity",
            "binding_sids",
            "summary",
            "details",
            "evidence",
            "action",
        }
        assert finding["summary"] and "\n" not in finding["summary"]
        # Every finding says where it comes from and what to do.
        assert finding["evidence"]["source"] in {"alerts", "twilio", "documented", "heuristic"}
        assert finding["evidence"]["text"] and finding["action"]
        if finding["evidence"]["source"] == "heuristic":
            assert finding["evidence"]["text"].startswith("heuristic: ")

    # 1. shared endpoints: exactly the seeded pairs, each one finding with two identities.
    shared = found.pop("shared-endpoint", [])
    assert sids_of(shared) == expected.shared_endpoint
    assert all(len(set(f["details"]["identities"])) == 2 for f in shared)
    assert len(shared) == len(expected.shared_endpoint) // 2

    # 2. pile-ups: the seeded identities, each finding naming all their apn bindings.
    piles = found.pop("pile-up", [])
    assert {f["identity"] for f in piles} == expected.many_stale_apn_identities
    for pile in piles:
        apn = {b.sid for b in listed if b.identity == pile["identity"] and b.binding_type == "apn"}
        assert set(pile["binding_sids"]) == apn
        assert pile["details"]["binding_type"] == "apn"
    assert expected.many_stale_apn <= sids_of(piles)

    # 3. stale: one finding per stale binding, exactly the seeded ones.
    stale = found.pop("stale", [])
    assert sids_of(stale) == expected.stale
    assert len(stale) == len(expected.stale)

    # 4. no new_message.
    assert sids_of(found.pop("no-new-message", [])) == expected.no_new_message

    # 5. credentials: the missing one, the mismatched ones, the sandbox one.
    missing = found.pop("credential-missing", [])
    if expected.missing_credential:
        [only] = missing
        assert only["details"]["credential_sid"] == expected.missing_credential_sid
        assert set(only["binding_sids"]) == expected.missing_credential
    else:
        assert missing == []
    assert sids_of(found.pop("credential-type-mismatch", [])) == expected.credential_type_mismatch
    sandbox_creds = {c.sid for c in fake.store.credentials.values() if c.sandbox}
    sandbox_users = {b.sid for b in listed if b.credential_sid in sandbox_creds}
    sandbox = found.pop("apn-sandbox", [])
    assert sids_of(sandbox) == sandbox_users
    assert all(f["severity"] == "info" and f["details"]["sandbox"] is True for f in sandbox)

    # 6. service push settings.
    disabled = found.pop("push-disabled", [])
    assert len(disabled) == (1 if expected.new_message_disabled else 0)

    # 7. legacy GCM: every gcm binding, and the gcm credential's users.
    legacy = found.pop("legacy-gcm", [])
    assert sids_of(legacy) == {b.sid for b in listed if b.binding_type == "gcm"}
    # 8. an fcm credential not updated since the June 2024 shutdown.
    fcm = [c for c in fake.store.credentials.values() if c.type == "fcm"]
    old_fcm = {c.sid for c in fcm if c.updated < int(LEGACY_FCM_SHUTDOWN.timestamp())}
    assert {f["details"]["credential_sid"] for f in found.pop("legacy-fcm-key", [])} == {
        sid for sid in old_fcm if any(b.credential_sid == sid for b in listed)
    }
    # 9. dead tokens: fcm past 270 days, and bindings named by token-rejecting alerts.
    dead = found.pop("dead-token", [])
    expired = {
        b.sid
        for b in listed
        if b.binding_type == "fcm" and b.updated < FAKE_NOW_EPOCH - FCM_TOKEN_EXPIRY_DAYS * DAY
    }
    assert expired <= sids_of(dead)
    alerted = {f["binding_sids"][0] for f in dead if f["evidence"]["source"] == "alerts"}
    assert sids_of(dead) == expired | alerted
    # 10. push alerts and switched-off types are checked in test_evidence_cli.py.
    alerts = found.pop("push-alert", [])
    assert all(f["evidence"]["source"] == "alerts" for f in alerts)
    off = found.pop("push-type-off", [])
    assert all(f["binding_sids"] == [] for f in off)

    # Nothing else, and the production service really holds every binding-level kind.
    assert found == {}
    if service_index == 0:
        assert shared and piles and stale and missing and sandbox
        assert expected.no_new_message and expected.credential_type_mismatch
        assert legacy and alerts and alerted
    else:
        assert expected.new_message_disabled and disabled


@pytest.mark.usefixtures("use_fake")
def test_table_groups_by_kind_and_escapes_hostile_strings(
    fake: FakeTwilio, capsys: pytest.CaptureFixture[str]
) -> None:
    service = fake.service_sids()[0]
    code, out, err = run_cli(capsys, "diagnose", "--service", service, "--full", *NOW_ARGS)
    assert code == 0, err
    for kind in (
        "shared-endpoint",
        "pile-up",
        "stale",
        "no-new-message",
        "credential-missing",
        "credential-type-mismatch",
        "apn-sandbox",
    ):
        assert f" {kind}: " in out
    assert "push-disabled" not in out
    assert "olivia.chen@example.com has 11 apn bindings" in out
    assert "DOES NOT EXIST" in out
    assert "push settings: new_message on" in out
    # Hostile identities are listed (they use the sandbox credential or not); whatever is
    # printed, no raw control or bidi character reaches the terminal.
    assert not any(ch in out for ch in ("\x1b", "\x07", "\u202e", "\u200b"))
    # Error findings come before warnings, warnings before info.
    assert out.index("ERROR ") < out.index("WARNING ") < out.index("INFO ")


@pytest.mark.usefixtures("use_fake")
def test_table_lists_hostile_identities_visibly(
    fake: FakeTwilio, capsys: pytest.CaptureFixture[str]
) -> None:
    service = fake.service_sids()[0]
    hostile = [b for b in fake.bindings(service) if b.identity.startswith("\x1b]52")]
    assert hostile
    code, out, _ = run_cli(capsys, "diagnose", "--service", service, "--stale-days", "1", *NOW_ARGS)
    assert code == 0
    assert "\\x1b]52;c;cm0gLXJmIH4K\\x07mallory" in out


@pytest.mark.usefixtures("use_fake")
def test_staging_table_shows_push_disabled(
    fake: FakeTwilio, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(
        capsys, "diagnose", "--service", fake.service_sids()[1], "--api", "chat", *NOW_ARGS
    )
    assert code == 0
    assert "ERROR push-disabled" in out
    assert "push settings: new_message off" in out


@pytest.mark.usefixtures("use_fake")
def test_empty_service_says_no_findings(
    fake: FakeTwilio, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = fake.service_sids()[2]
    code, out, _ = run_cli(capsys, "diagnose", "--service", empty, *NOW_ARGS)
    assert code == 0
    assert "0 binding(s), 0 finding(s)" in out
    assert "No findings" in out
    code, out, _ = run_cli(capsys, "diagnose", "--service", empty, "-o", "json", *NOW_ARGS)
    assert json.loads(out) == []


@pytest.mark.usefixtures("use_fake")
def test_thresholds_from_config_file_and_flags(
    fake: FakeTwilio, capsys: pytest.CaptureFixture[str]
) -> None:
    import os

    service = fake.service_sids()[0]
    directory = Path(os.environ["BINDINGS_TUI_CONFIG_DIR"])
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "config.toml").write_text("[diagnostics]\npile_up_threshold = 2\n")
    _, out, _ = run_cli(capsys, "diagnose", "--service", service, "-o", "json", *NOW_ARGS)
    loose = by_kind(json.loads(out))["pile-up"]
    assert {f["details"]["threshold"] for f in loose} == {2}
    assert len(loose) > 2  # normal users have up to 3 bindings of a type
    _, out, _ = run_cli(
        capsys, "diagnose", "--service", service, "-o", "json", "--pile-up", "9", *NOW_ARGS
    )
    assert [f["identity"] for f in by_kind(json.loads(out))["pile-up"]] == [
        "olivia.chen@example.com"
    ]


# ---- errors follow the CLI's conventions -------------------------------------------------------


@pytest.mark.usefixtures("use_fake")
@pytest.mark.parametrize(
    "argv, needle",
    [
        (["diagnose"], "--service IS... is required"),
        (["diagnose", "--service", "IS123"], "not a valid service SID"),
        (["diagnose", "--service", "IS" + "0" * 32, "--stale-days", "0"], "argument --stale-days"),
        (["diagnose", "--service", "IS" + "0" * 32, "--pile-up", "-1"], "argument --pile-up"),
        (["diagnose", "--service", "IS" + "0" * 32, "--now", "yesterday"], "--now"),
    ],
)
def test_input_errors_exit_2_with_one_line(
    capsys: pytest.CaptureFixture[str], argv: list[str], needle: str
) -> None:
    code, out, err = run_cli(capsys, *argv)
    assert code == 2
    assert out == ""
    assert err.startswith("bindings-tui: error: ") and err.count("\n") == 1
    assert needle in err


@pytest.mark.usefixtures("use_fake")
def test_demo_without_service_lists_the_services(
    fake: FakeTwilio, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(capsys, "diagnose", "--demo")
    assert code == 2
    assert all(sid in err for sid in fake.service_sids())
    assert "Acme Chat (production)" in err


def test_api_errors_exit_1(
    fake: FakeTwilio, use_fake: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    use_fake["secret"] = "wrong-secret-0000000000000000000"
    code, out, err = run_cli(capsys, "diagnose", "--service", fake.service_sids()[0])
    assert code == 1
    assert out == ""
    assert err.startswith("bindings-tui: error: HTTP 401") and err.count("\n") == 1
    assert "wrong-secret" not in err


@pytest.mark.usefixtures("use_fake")
def test_service_not_found_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "diagnose", "--service", "IS" + "0" * 32)
    assert code == 1
    assert "HTTP 404" in err


@pytest.mark.usefixtures("use_fake")
def test_bad_config_file_exit_1(fake: FakeTwilio, capsys: pytest.CaptureFixture[str]) -> None:
    import os

    directory = Path(os.environ["BINDINGS_TUI_CONFIG_DIR"])
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "config.toml").write_text("[diagnostics]\nstale = 3\n")
    code, _, err = run_cli(capsys, "diagnose", "--service", fake.service_sids()[0])
    assert code == 1
    assert "config.toml" in err and "stale" in err


# ---- the parser -----------------------------------------------------------------------------


def test_parser_registration_accepts_global_options_anywhere() -> None:
    args = cli.build_parser().parse_args(
        ["--api", "chat", "diagnose", "--service", "IS" + "1" * 32, "-o", "json"]
    )
    assert (args.command, args.api, args.output) == ("diagnose", "chat", "json")
    assert (args.stale_days, args.pile_up, args.full, args.now) == (None, None, False, None)
    assert getattr(args, "demo", False) is False
    args = cli.build_parser().parse_args(
        ["diagnose", "--api", "chat", "--stale-days", "9", "--pile-up", "2", "--demo"]
    )
    assert (args.api, args.stale_days, args.pile_up, args.demo) == ("chat", 9, 2, True)
    if "--demo" in cli.build_parser().format_help():
        # The TUI's top-level --demo must survive the subparser (whose default is SUPPRESS).
        args = cli.build_parser().parse_args(["--demo", "diagnose"])
        assert args.demo is True


def test_add_diagnose_parser_on_a_bare_parser() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command")
    add_diagnose_parser(sub, [])
    args = parser.parse_args(["diagnose", "-o", "table", "--full"])
    assert args.output == "table" and args.full is True
    with pytest.raises(SystemExit):
        parser.parse_args(["diagnose", "-o", "csv"])
