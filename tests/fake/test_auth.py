"""Basic auth on every request: auth token or API key; 401 with Twilio's 20003 body."""

from __future__ import annotations

import httpx
import pytest

from bindings_tui.credentials import ApiCredentials
from bindings_tui.errors import AuthError
from bindings_tui.fake_twilio import (
    DEMO_ACCOUNT_SID,
    DEMO_AUTH_TOKEN,
    FAKE_BASE_URL,
    FakeConfig,
    FakeTwilio,
)
from bindings_tui.models import ApiFlavor
from tests.fake.conftest import basic

API_KEY = "SK" + "1" * 32
API_SECRET = "key-secret-for-tests"


@pytest.fixture
def keyed_fake() -> FakeTwilio:
    return FakeTwilio(FakeConfig(bindings=30, api_keys={API_KEY: API_SECRET}))


@pytest.mark.parametrize(
    "headers",
    [
        {},
        basic(DEMO_ACCOUNT_SID, "wrong-token"),
        basic("AC" + "0" * 32, DEMO_AUTH_TOKEN),
        basic(API_KEY, "wrong-secret"),
        basic("SK" + "2" * 32, API_SECRET),
        {"Authorization": "Bearer " + DEMO_AUTH_TOKEN},
        {"Authorization": "Basic !!!not-base64"},
    ],
)
async def test_rejected(
    keyed_fake: FakeTwilio, headers: dict[str, str], error_bodies: dict[str, object]
) -> None:
    service = keyed_fake.service_sids()[0]
    async with httpx.AsyncClient(transport=keyed_fake.transport(), base_url=FAKE_BASE_URL) as http:
        for path in ("/v1/Services", f"/v2/Services/{service}/Bindings", "/v1/Nowhere"):
            r = await http.get(path, headers=headers)
            assert r.status_code == 401
            expected = error_bodies["401_authenticate"]
            assert isinstance(expected, dict)
            assert r.json() == expected["body"]
            assert r.headers["www-authenticate"].startswith("Basic")
    assert all(not r.had_auth for r in keyed_fake.requests) is (not headers)


@pytest.mark.parametrize(
    ("user", "secret"), [(DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN), (API_KEY, API_SECRET)]
)
async def test_accepted(keyed_fake: FakeTwilio, user: str, secret: str) -> None:
    async with httpx.AsyncClient(
        transport=keyed_fake.transport(), base_url=FAKE_BASE_URL, headers=basic(user, secret)
    ) as http:
        r = await http.get("/v1/Services")
    assert r.status_code == 200
    assert keyed_fake.requests[-1].had_auth


async def test_client_with_api_key_and_with_wrong_token(keyed_fake: FakeTwilio) -> None:
    from bindings_tui.client import TwilioClient

    service = keyed_fake.service_sids()[0]
    key_creds = ApiCredentials(DEMO_ACCOUNT_SID, API_SECRET, API_KEY, source="test")
    async with TwilioClient(
        key_creds, ApiFlavor.CHAT, base_url=FAKE_BASE_URL, transport=keyed_fake.transport()
    ) as client:
        assert len(await client.list_bindings(service)) == len(
            keyed_fake.binding_sids(ApiFlavor.CHAT, service)
        )
    bad = ApiCredentials(DEMO_ACCOUNT_SID, "nope", source="test")
    async with TwilioClient(
        bad, base_url=FAKE_BASE_URL, transport=keyed_fake.transport()
    ) as client:
        with pytest.raises(AuthError) as info:
            await client.list_services()
    assert info.value.code == 20003 and info.value.status == 401


def test_demo_credentials(keyed_fake: FakeTwilio) -> None:
    creds = keyed_fake.credentials()
    assert creds.account_sid == DEMO_ACCOUNT_SID and creds.secret.reveal() == DEMO_AUTH_TOKEN
    assert creds.source == "demo"
    assert DEMO_AUTH_TOKEN not in repr(creds)
