"""run_diagnostics against the in-process fake Twilio, and the thresholds from config.toml."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest

from bindings_tui.client import TwilioClient
from bindings_tui.diagnose_run import (
    fetch_credentials,
    load_settings,
    rediagnose,
    run_diagnostics,
)
from bindings_tui.diagnostics import DiagnosticsSettings, FindingKind
from bindings_tui.errors import BindingsError, ConfigError, InputError
from bindings_tui.fake_twilio import FAKE_BASE_URL, FAKE_NOW, FakeConfig, FakeTwilio
from bindings_tui.models import ApiFlavor

from .helpers import CR_APN, make_binding


class SpyTransport(httpx.AsyncBaseTransport):
    """Wraps the fake's transport: counts concurrent credential reads, can refuse paths."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.in_flight = 0
        self.max_in_flight = 0
        self.forbidden: Callable[[str], bool] = lambda _path: False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if self.forbidden(path):
            body = {"code": 20003, "message": "Permission denied", "status": 403}
            return httpx.Response(403, content=json.dumps(body).encode())
        watched = "/Credentials/" in path
        if watched:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            await asyncio.sleep(0.002)  # give other reads a chance to overlap
            return await self.inner.handle_async_request(request)
        finally:
            if watched:
                self.in_flight -= 1


@pytest.fixture(scope="module")
def fake() -> FakeTwilio:
    return FakeTwilio(FakeConfig(seed=7, bindings=2000))


@pytest.fixture
def spy(fake: FakeTwilio) -> SpyTransport:
    return SpyTransport(fake.transport())


@pytest.fixture
async def client(fake: FakeTwilio, spy: SpyTransport) -> AsyncIterator[TwilioClient]:
    async with TwilioClient(
        fake.credentials(), ApiFlavor.CONVERSATIONS, base_url=FAKE_BASE_URL, transport=spy
    ) as c:
        yield c


def credential_reads(fake: FakeTwilio, since: int) -> Counter[str]:
    return Counter(r.path for r in fake.requests[since:] if "/Credentials/" in r.path)


async def test_each_distinct_credential_is_fetched_once(
    fake: FakeTwilio, client: TwilioClient, spy: SpyTransport
) -> None:
    service = fake.service_sids()[0]
    start = len(fake.requests)
    report = await run_diagnostics(client, service, DiagnosticsSettings(), FAKE_NOW)
    reads = credential_reads(fake, start)
    used = {b.credential_sid for b in report.bindings if b.credential_sid}
    assert len(used) >= 4
    assert set(reads) == {f"/v1/Credentials/{sid}" for sid in used}
    assert set(reads.values()) == {1}
    assert 1 < spy.max_in_flight <= 8
    assert set(report.credentials) == used
    assert report.credentials[fake.store.missing_credential_sid] is None
    assert sum(c is not None for c in report.credentials.values()) == len(used) - 1
    assert len(report.bindings) == len(fake.binding_sids(ApiFlavor.CONVERSATIONS, service))
    assert report.notification_config is not None
    assert report.problems == []
    assert report.unresolved_credentials == {}


async def test_concurrency_is_bounded(
    fake: FakeTwilio, client: TwilioClient, spy: SpyTransport
) -> None:
    sids = [c.sid for c in fake.store.credentials.values()]
    resolved, unresolved = await fetch_credentials(client, sids * 3, concurrency=2)
    assert list(resolved) == sids
    assert unresolved == {}
    assert spy.max_in_flight == 2


async def test_concurrency_must_be_positive(client: TwilioClient) -> None:
    with pytest.raises(InputError):
        await fetch_credentials(client, [], concurrency=0)


async def test_loaded_bindings_are_not_listed_again(fake: FakeTwilio, client: TwilioClient) -> None:
    service = fake.service_sids()[0]
    malformed = "CR-not-a-sid"
    bindings = [make_binding(credential_sid=malformed), make_binding(message_types=())]
    start = len(fake.requests)
    report = await run_diagnostics(
        client, service, DiagnosticsSettings(), FAKE_NOW, bindings=bindings, alerts=None
    )
    paths = [r.path for r in fake.requests[start:]]
    assert not any("/Bindings" in p for p in paths)
    assert not any("/Alerts" in p for p in paths)  # alerts=None: none read
    # The well-formed SID is asked for (404 there); a malformed one is never sent.
    assert [p for p in paths if "/Credentials/" in p] == [f"/v1/Credentials/{CR_APN}"]
    assert report.credentials == {malformed: None, CR_APN: None}
    assert {f.kind for f in report.findings} == {
        FindingKind.NO_NEW_MESSAGE,
        FindingKind.CREDENTIAL_MISSING,
        FindingKind.PUSH_TYPE_OFF,  # the main service has new_message.with_media off
    }


async def test_rediagnose_reuses_the_reads_and_follows_deletes(
    fake: FakeTwilio, client: TwilioClient
) -> None:
    main = fake.service_sids()[0]
    report = await run_diagnostics(client, main, DiagnosticsSettings(), FAKE_NOW)
    stale = {f.binding_sids[0] for f in report.findings if f.kind is FindingKind.STALE}
    assert stale
    start = len(fake.requests)
    left = [b for b in report.bindings if b.sid not in stale]
    again = rediagnose(report, left, FAKE_NOW)
    assert len(fake.requests) == start  # no network
    assert not any(f.kind is FindingKind.STALE for f in again.findings)
    assert again.credentials == report.credentials and again.bindings == left
    # Everything else is what a fresh diagnosis of the same bindings finds.
    fresh = await run_diagnostics(client, main, DiagnosticsSettings(), FAKE_NOW, bindings=left)
    assert [f.to_json() for f in again.findings] == [f.to_json() for f in fresh.findings]


async def test_unreadable_credential_and_settings_are_problems_not_findings(
    fake: FakeTwilio, client: TwilioClient, spy: SpyTransport
) -> None:
    staging = fake.service_sids()[1]  # new_message push disabled there
    sandbox = next(c.sid for c in fake.store.credentials.values() if c.sandbox)
    spy.forbidden = lambda path: path.endswith(sandbox) or path.endswith("/Notifications")
    report = await run_diagnostics(client, staging, DiagnosticsSettings(), FAKE_NOW)
    assert sandbox in report.unresolved_credentials
    assert "20003" in report.unresolved_credentials[sandbox]
    assert sandbox not in report.credentials
    assert report.notification_config is None
    assert len(report.problems) == 2
    kinds = {f.kind for f in report.findings}
    assert FindingKind.APN_SANDBOX not in kinds
    assert FindingKind.PUSH_DISABLED not in kinds


async def test_push_disabled_found_for_both_apis(fake: FakeTwilio, spy: SpyTransport) -> None:
    staging = fake.service_sids()[1]
    for api in ApiFlavor:
        async with TwilioClient(
            fake.credentials(), api, base_url=FAKE_BASE_URL, transport=spy
        ) as c:
            report = await run_diagnostics(c, staging, DiagnosticsSettings(), FAKE_NOW)
        assert [f.kind for f in report.findings].count(FindingKind.PUSH_DISABLED) == 1
        assert report.api is api


# ---- settings from config.toml --------------------------------------------------------------


def write_config(text: str) -> Path:
    directory = Path(__import__("os").environ["BINDINGS_TUI_CONFIG_DIR"])
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "config.toml").write_text(text, encoding="utf-8")
    return directory


def test_defaults_without_a_config_file() -> None:
    assert load_settings() == DiagnosticsSettings(pile_up_threshold=5, stale_days=60)


def test_config_table_then_overrides() -> None:
    write_config('[ui]\ntheme = "dark"\n\n[diagnostics]\npile_up_threshold = 3\nstale_days = 30\n')
    assert load_settings() == DiagnosticsSettings(pile_up_threshold=3, stale_days=30)
    assert load_settings(stale_days=7) == DiagnosticsSettings(pile_up_threshold=3, stale_days=7)


def test_a_profile_table_overrides_the_shared_one_for_that_profile_only() -> None:
    write_config(
        "[diagnostics]\nstale_days = 30\n\n"
        "[profiles.prod.diagnostics]\nstale_days = 7\n\n"
        "[profiles.staging]\nnote = 1\n"
    )
    assert load_settings(profile="prod") == DiagnosticsSettings(stale_days=7)
    assert load_settings(profile="staging") == DiagnosticsSettings(stale_days=30)
    assert load_settings(profile="other") == DiagnosticsSettings(stale_days=30)
    assert load_settings(profile="prod", stale_days=2).stale_days == 2
    write_config("[profiles.prod.diagnostics]\nstale_dayz = 7\n")
    with pytest.raises(ConfigError, match=r"\[profiles\.prod\.diagnostics\] has unknown keys"):
        load_settings(profile="prod")


def test_explicit_directory(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text("[diagnostics]\nstale_days = 9\n")
    assert load_settings(tmp_path).stale_days == 9


@pytest.mark.parametrize(
    "text, needle",
    [
        ("[diagnostics]\nstale_dayz = 3\n", "unknown keys stale_dayz"),
        ("[diagnostics]\nstale_days = 0\n", "stale_days"),
        ("[diagnostics]\npile_up_threshold = true\n", "pile_up_threshold"),
        ('[diagnostics]\nstale_days = "60"\n', "stale_days"),
        ("diagnostics = 3\n", "must be a table"),
        ("[diagnostics\n", "not valid TOML"),
    ],
)
def test_bad_config_is_a_config_error_naming_the_file(text: str, needle: str) -> None:
    directory = write_config(text)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert needle in str(caught.value)
    assert str(directory / "config.toml") in str(caught.value)


def test_bad_override_is_an_input_error() -> None:
    with pytest.raises(InputError):
        load_settings(pile_up_threshold=0)


# ---- the reads run at once ----------------------------------------------------------------


async def test_the_other_reads_run_beside_the_listing() -> None:
    """The push settings, the alerts and each credential are read while the bindings are
    still being listed (each was a round trip after the list); the report is the same."""
    fake = FakeTwilio(FakeConfig(seed=7, bindings=2000, strict_page_size=True))  # pages of 100
    service = fake.service_sids()[0]
    async with TwilioClient(
        fake.credentials(), base_url=FAKE_BASE_URL, transport=SpyTransport(fake.transport())
    ) as c:
        report = await run_diagnostics(c, service, DiagnosticsSettings(), FAKE_NOW)
    paths = [r.path for r in fake.requests]
    last_page = max(i for i, p in enumerate(paths) if p.endswith("/Bindings"))
    assert paths.index(f"/v1/Services/{service}/Configuration/Notifications") < last_page
    assert paths.index("/v1/Alerts") < last_page
    first_credential = next(i for i, p in enumerate(paths) if "/Credentials/" in p)
    assert first_credential < last_page
    # Each distinct credential still read once, and every one the bindings name resolved.
    reads = Counter(p for p in paths if "/Credentials/" in p)
    assert set(reads.values()) == {1}
    named = {b.credential_sid for b in report.bindings if b.credential_sid}
    assert set(report.credentials) | set(report.unresolved_credentials) == named
    assert report.notification_config is not None and report.alert_matches is not None


async def test_a_listing_error_is_raised_and_the_other_reads_are_stopped(
    fake: FakeTwilio, client: TwilioClient, spy: SpyTransport
) -> None:
    service = fake.service_sids()[0]
    spy.forbidden = lambda path: path.endswith("/Bindings")
    with pytest.raises(BindingsError) as caught:
        await run_diagnostics(client, service, DiagnosticsSettings(), FAKE_NOW)
    assert "20003" in caught.value.user_message()
    # Nothing left running behind the error (the side reads were cancelled and awaited).
    assert asyncio.all_tasks() == {asyncio.current_task()}
