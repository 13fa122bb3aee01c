"""Headless login: field validation without network, one verification call, save after success."""

from __future__ import annotations

import base64
import json

import httpx
import keyring
import pytest
from keyring.backends import fail

from bindings_tui.credentials.login import (
    WRONG_CREDENTIALS,
    WrongCredentialsError,
    build_profile,
    remove_profile,
    summarize_profiles,
    switch_profile,
    validate_login_fields,
    verify_and_save,
)
from bindings_tui.credentials.profiles import Profile, ProfileStore
from bindings_tui.credentials.secrets import KEYRING_SERVICE, KeyringUnavailable, SecretStore
from bindings_tui.errors import InputError, NetworkError
from bindings_tui.retry import NO_RETRY

from .conftest import ACCOUNT, API_KEY, SECRET, SERVICE, MemoryKeyring


class ScriptedApi:
    """An httpx transport answering GET /v{1,2}/Services; counts requests."""

    def __init__(self, status: int = 200, code: int | None = None) -> None:
        self.status = status
        self.code = code
        self.requests: list[httpx.Request] = []

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.status != 200:
            return httpx.Response(
                self.status,
                json={"code": self.code, "message": "Authenticate", "status": self.status},
            )
        return httpx.Response(
            200,
            json={
                "services": [{"sid": SERVICE, "friendly_name": "x"}],
                "meta": {"key": "services", "next_page_url": None, "page": 0, "page_size": 1},
            },
        )

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handler)


def _profile(**kw: object) -> Profile:
    base: dict[str, object] = {"name": "work", "account_sid": ACCOUNT}
    base.update(kw)
    return Profile(**base)  # type: ignore[arg-type]


# ---- validate_login_fields ---------------------------------------------------------------


def test_well_formed_fields_give_no_errors() -> None:
    assert validate_login_fields(ACCOUNT, API_KEY, SECRET) == []
    assert validate_login_fields(ACCOUNT, None, SECRET, profile_name="ci", region="ie1") == []


def test_each_malformed_field_is_named() -> None:
    errors = validate_login_fields(
        "AC123", "SKxyz", "", profile_name="has space", region="IE 1", edge="x/y", api="voice"
    )
    assert [e.field for e in errors] == [
        "profile",
        "account_sid",
        "api_key_sid",
        "secret",
        "region",
        "edge",
        "api",
    ]


@pytest.mark.parametrize("secret", [" padded", "tab\tinside", "line\nbreak"])
def test_secret_problems_never_echo_the_secret(secret: str) -> None:
    errors = validate_login_fields(ACCOUNT, None, secret)
    assert [e.field for e in errors] == ["secret"]
    assert secret.strip() not in errors[0].message


def test_missing_account_sid_is_required_message() -> None:
    (error,) = validate_login_fields("  ", None, SECRET)
    assert error.field == "account_sid" and "required" in error.message


def test_build_profile_picks_mode_from_api_key() -> None:
    assert build_profile("a", ACCOUNT).auth_mode == "auth-token"
    p = build_profile("a", ACCOUNT, API_KEY, api="chat")
    assert (p.auth_mode, p.api_key_sid, p.default_api) == ("api-key", API_KEY, "chat")


# ---- verify_and_save ----------------------------------------------------------------------


async def test_success_makes_one_call_then_saves_secret_and_profile(
    memory_keyring: MemoryKeyring, store: ProfileStore, secrets: SecretStore
) -> None:
    api = ScriptedApi()
    profile = build_profile("work", ACCOUNT, API_KEY)
    result = await verify_and_save(
        profile,
        SECRET,
        base_url="http://127.0.0.1:9",
        transport=api.transport(),
        store=store,
        secrets=secrets,
    )
    assert len(api.requests) == 1
    request = api.requests[0]
    assert request.url.path == "/v1/Services"
    assert request.url.params["PageSize"] == "1"
    expected = base64.b64encode(f"{API_KEY}:{SECRET}".encode()).decode()
    assert request.headers["Authorization"] == f"Basic {expected}"
    assert memory_keyring.entries == {(KEYRING_SERVICE, "work"): SECRET}
    assert store.get("work") == profile
    assert store.active_name() == "work"
    assert result.active and "work" in result.describe()
    assert SECRET not in result.describe() and SECRET not in repr(result)
    assert SECRET not in store.path.read_text()


async def test_chat_profile_verifies_against_v2(
    memory_keyring: MemoryKeyring, store: ProfileStore, secrets: SecretStore
) -> None:
    api = ScriptedApi()
    await verify_and_save(
        build_profile("c", ACCOUNT, api="chat"),
        SECRET,
        base_url="http://127.0.0.1:9",
        transport=api.transport(),
        store=store,
        secrets=secrets,
    )
    assert api.requests[0].url.path == "/v2/Services"


@pytest.mark.parametrize(("status", "code"), [(401, 20003), (403, None)])
async def test_rejected_credentials_say_so_and_save_nothing(
    memory_keyring: MemoryKeyring,
    store: ProfileStore,
    secrets: SecretStore,
    status: int,
    code: int | None,
) -> None:
    api = ScriptedApi(status, code)
    with pytest.raises(WrongCredentialsError) as info:
        await verify_and_save(
            _profile(),
            SECRET,
            base_url="http://127.0.0.1:9",
            transport=api.transport(),
            store=store,
            secrets=secrets,
        )
    assert str(info.value).startswith(WRONG_CREDENTIALS)
    assert isinstance(info.value, InputError)
    assert SECRET not in str(info.value)
    assert len(api.requests) == 1
    assert memory_keyring.entries == {}
    assert not store.path.exists()


async def test_malformed_fields_fail_before_any_network_call(
    memory_keyring: MemoryKeyring, store: ProfileStore, secrets: SecretStore
) -> None:
    api = ScriptedApi()
    with pytest.raises(InputError, match="account SID"):
        await verify_and_save(
            _profile(account_sid="AC1"),
            SECRET,
            transport=api.transport(),
            base_url="http://127.0.0.1:9",
            store=store,
            secrets=secrets,
        )
    assert api.requests == []
    assert memory_keyring.calls == []


async def test_unavailable_keyring_fails_before_any_network_call(
    memory_keyring: MemoryKeyring, store: ProfileStore, secrets: SecretStore
) -> None:
    keyring.set_keyring(fail.Keyring())
    api = ScriptedApi()
    with pytest.raises(KeyringUnavailable, match="gnome-keyring"):
        await verify_and_save(
            _profile(),
            SECRET,
            base_url="http://127.0.0.1:9",
            transport=api.transport(),
            store=store,
            secrets=secrets,
        )
    assert api.requests == []
    assert not store.path.exists()


async def test_network_failure_saves_nothing(
    memory_keyring: MemoryKeyring, store: ProfileStore, secrets: SecretStore
) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    with pytest.raises(NetworkError) as info:
        await verify_and_save(
            _profile(),
            SECRET,
            base_url="http://127.0.0.1:9",
            transport=httpx.MockTransport(refuse),
            store=store,
            secrets=secrets,
            retry=NO_RETRY,
        )
    assert SECRET not in str(info.value)
    assert memory_keyring.entries == {}
    assert not store.path.exists()


async def test_relogin_to_same_account_keeps_remembered_service(
    memory_keyring: MemoryKeyring, store: ProfileStore, secrets: SecretStore
) -> None:
    store.save(Profile("work", ACCOUNT, last_service_sid=SERVICE, default_api="chat"))
    await verify_and_save(
        build_profile("work", ACCOUNT, api="chat"),
        SECRET,
        base_url="http://127.0.0.1:9",
        transport=ScriptedApi().transport(),
        store=store,
        secrets=secrets,
    )
    assert store.get("work").last_service_sid == SERVICE


# ---- summaries, switching, removal ----------------------------------------------------------


def test_summaries_say_where_each_secret_lives(
    memory_keyring: MemoryKeyring, store: ProfileStore, secrets: SecretStore
) -> None:
    store.save(Profile("a", ACCOUNT))
    store.save(Profile("b", ACCOUNT))
    secrets.set("a", SECRET)
    rows = summarize_profiles(store, secrets)
    assert [(r.profile.name, r.active, r.secret_present) for r in rows] == [
        ("a", True, True),
        ("b", False, False),
    ]
    assert "OS keyring" in rows[0].secret_location
    assert "missing" in rows[1].secret_location
    assert all(SECRET not in repr(r) for r in rows)
    keyring.set_keyring(fail.Keyring())
    rows = summarize_profiles(store, secrets)
    assert all(r.secret_present is None for r in rows)
    assert "keyring unavailable" in rows[0].secret_location


def test_switch_and_remove(
    memory_keyring: MemoryKeyring, store: ProfileStore, secrets: SecretStore
) -> None:
    store.save(Profile("a", ACCOUNT))
    store.save(Profile("b", ACCOUNT))
    secrets.set("b", SECRET)
    assert switch_profile("b", store).name == "b"
    assert remove_profile("b", store, secrets) is True
    assert memory_keyring.entries == {}
    assert [p.name for p in store.list()] == ["a"]
    assert remove_profile("a", store, secrets) is False


def test_remove_keeps_profile_when_keyring_is_unavailable(
    memory_keyring: MemoryKeyring, store: ProfileStore, secrets: SecretStore
) -> None:
    store.save(Profile("a", ACCOUNT))
    keyring.set_keyring(fail.Keyring())
    with pytest.raises(KeyringUnavailable):
        remove_profile("a", store, secrets)
    assert store.find("a") is not None


def test_error_json_body_shape_is_parsed() -> None:
    # Guards the ScriptedApi helper itself: it must speak Twilio's error shape.
    api = ScriptedApi(401, 20003)
    response = api.handler(httpx.Request("GET", "http://x/v1/Services"))
    assert json.loads(response.content)["code"] == 20003


# ---- against the in-process fake Twilio ----------------------------------------------------


@pytest.mark.parametrize("api", ["conversations", "chat"])
async def test_login_against_the_fake_twilio(
    memory_keyring: MemoryKeyring, store: ProfileStore, secrets: SecretStore, api: str
) -> None:
    from bindings_tui.fake_twilio import DEMO_ACCOUNT_SID, FAKE_BASE_URL, FakeConfig, FakeTwilio

    fake = FakeTwilio(FakeConfig(bindings=3, api_keys={API_KEY: SECRET}))
    profile = build_profile("demo", DEMO_ACCOUNT_SID, API_KEY, api=api)
    with pytest.raises(WrongCredentialsError, match="20003"):
        await verify_and_save(
            profile,
            "not-the-secret",
            base_url=FAKE_BASE_URL,
            transport=fake.transport(),
            store=store,
            secrets=secrets,
        )
    assert memory_keyring.entries == {} and not store.path.exists()
    result = await verify_and_save(
        profile,
        SECRET,
        base_url=FAKE_BASE_URL,
        transport=fake.transport(),
        store=store,
        secrets=secrets,
    )
    assert result.profile == profile
    assert memory_keyring.entries == {(KEYRING_SERVICE, "demo"): SECRET}
