"""`diagnose --identity`: the verdict, its JSON, the alerts window, against the fake."""

from __future__ import annotations

import json

import pytest

from bindings_tui.fake_twilio import FakeTwilio
from bindings_tui.fake_twilio.evidence_data import (
    ALERTS_IDENTITY,
    DEAD_TOKEN_IDENTITY,
    NO_BINDING_USER,
)

from . import test_cli
from .test_cli import NOW_ARGS, run_cli

# The fake and the make_client patch of the CLI tests, shared.
fake = test_cli.fake
use_fake = test_cli.use_fake

NON_PUSH_CODES = ("11200", "30007", "20003")


@pytest.mark.usefixtures("use_fake")
def test_the_verdict_from_alerts_leads(
    fake: FakeTwilio, capsys: pytest.CaptureFixture[str]
) -> None:
    service = fake.service_sids()[0]
    code, out, err = run_cli(
        capsys, "diagnose", "--service", service, "--identity", ALERTS_IDENTITY, *NOW_ARGS
    )
    assert code == 0, err
    block = out.split(f"== {ALERTS_IDENTITY}:", 1)[1]
    headline = block.splitlines()[1]
    assert headline.startswith("Most likely: 52134 Invalid APNs device token")
    assert "(3 times)" in headline
    assert "evidence: Twilio reported 52134 3 times in 7 days" in block
    assert "do: make the app's build and the credential's sandbox flag agree" in block
    assert "checked:" in block and "Twilio alerts of the last 7 day(s)" in block
    assert not any(c in out for c in NON_PUSH_CODES)
    assert not any(ch in out for ch in ("\x1b", "\x07", "\u202e"))


@pytest.mark.usefixtures("use_fake")
def test_json_verdicts_carry_evidence_and_bindings(
    fake: FakeTwilio, capsys: pytest.CaptureFixture[str]
) -> None:
    service = fake.service_sids()[0]
    argv = ["diagnose", "--service", service, "-o", "json", *NOW_ARGS]
    for who in (ALERTS_IDENTITY, NO_BINDING_USER, DEAD_TOKEN_IDENTITY):
        argv += ["--identity", who]
    code, out, err = run_cli(capsys, *argv)
    assert code == 0, err
    document = json.loads(out)
    assert document["alerts_window_days"] == 7
    verdicts = {v["identity"]: v for v in document["verdicts"]}
    top = verdicts[ALERTS_IDENTITY]["reasons"][0]
    assert top["kind"] == "push-alert" and top["evidence"]["codes"] == ["52134"]
    assert len(top["evidence"]["alert_sids"]) == 3 and len(top["binding_sids"]) == 1
    hire = [r["kind"] for r in verdicts[NO_BINDING_USER]["reasons"]]
    assert set(hire) == {"no-binding", "user-not-notifiable"}
    noah = verdicts[DEAD_TOKEN_IDENTITY]["reasons"][0]
    assert noah["kind"] == "dead-token" and noah["evidence"]["codes"] == ["52102"]
    for finding in document["findings"]:
        assert {"kind", "severity", "evidence", "binding_sids", "action"} <= set(finding)
        assert not set(finding["evidence"]["codes"]) & set(NON_PUSH_CODES)


@pytest.mark.usefixtures("use_fake")
def test_the_alerts_window_is_the_users_choice(
    fake: FakeTwilio, capsys: pytest.CaptureFixture[str]
) -> None:
    service = fake.service_sids()[0]
    argv = ["diagnose", "--service", service, "--identity", ALERTS_IDENTITY, "-o", "json"]
    _, out, _ = run_cli(capsys, *argv, "--alerts-days", "30", *NOW_ARGS)
    top = json.loads(out)["verdicts"][0]["reasons"][0]
    assert len(top["evidence"]["alert_sids"]) == 4  # the one 20 days ago too
    assert "4 times in 30 days" in top["evidence"]["text"]
    code, out, err = run_cli(capsys, *argv, "--alerts-days", "31", *NOW_ARGS)
    assert code == 2 and "--alerts-days" in err and out == ""
    _, out, err = run_cli(capsys, *argv, "--max-alerts", "2", *NOW_ARGS)
    assert "the limit was reached" in out


@pytest.mark.usefixtures("use_fake")
def test_a_healthy_user_hears_that_nothing_is_wrong(
    fake: FakeTwilio, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = fake.service_sids()[2]
    code, out, _ = run_cli(
        capsys, "diagnose", "--service", empty, "--identity", "someone", *NOW_ARGS
    )
    assert code == 0
    assert "no binding at all: the app never registered" in out


@pytest.mark.usefixtures("use_fake")
def test_table_without_identity_shows_evidence_and_the_alerts_line(
    fake: FakeTwilio, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(capsys, "diagnose", "--service", fake.service_sids()[0], *NOW_ARGS)
    assert code == 0
    assert "evidence: heuristic: not updated for" in out
    assert "alerts: " in out and "not about push" in out
    assert " push-alert: " in out and " dead-token: " in out and " legacy-gcm: " in out
