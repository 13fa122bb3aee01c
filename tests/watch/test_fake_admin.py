"""The fake's admin routes (another client's changes), in process over httpx."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from bindings_tui.fake_twilio import FAKE_BASE_URL, FakeConfig, FakeTwilio
from bindings_tui.models import ApiFlavor


@pytest.fixture
def fake() -> FakeTwilio:
    return FakeTwilio(FakeConfig(seed=3, bindings=20, latency_ms=0))


@pytest.fixture
async def http(fake: FakeTwilio) -> AsyncIterator[httpx.AsyncClient]:
    auth = (fake.config.account_sid, fake.config.auth_token)
    async with httpx.AsyncClient(
        transport=fake.transport(), base_url=FAKE_BASE_URL, auth=auth
    ) as client:
        yield client


async def test_add_then_the_list_has_it(fake: FakeTwilio, http: httpx.AsyncClient) -> None:
    service = fake.service_sids()[0]
    answer = await http.post(
        "/_fake/bindings",
        data={"Identity": "newcomer", "BindingType": "fcm", "MessageType": ["new_message"]},
    )
    assert answer.status_code == 201
    sid = answer.json()["sid"]
    assert sid in fake.binding_sids(ApiFlavor.CONVERSATIONS, service)
    listed = await http.get(f"/v1/Services/{service}/Bindings", params={"Identity": "newcomer"})
    assert [b["sid"] for b in listed.json()["bindings"]] == [sid]


async def test_touch_changes_date_updated_and_the_given_fields(
    fake: FakeTwilio, http: httpx.AsyncClient
) -> None:
    service = fake.service_sids()[0]
    before = fake.bindings(service)[0]
    answer = await http.post(f"/_fake/bindings/{before.sid}?Endpoint=rotated")
    assert answer.status_code == 200
    after = (await http.get(f"/v1/Services/{service}/Bindings/{before.sid}")).json()
    assert after["endpoint"] == "rotated"
    assert fake.bindings(service)[0].updated > before.updated
    assert after["identity"] == before.identity


async def test_admin_needs_auth_and_the_right_method(fake: FakeTwilio) -> None:
    async with httpx.AsyncClient(transport=fake.transport(), base_url=FAKE_BASE_URL) as anon:
        assert (await anon.post("/_fake/bindings", data={"Identity": "x"})).status_code == 401
    auth = (fake.config.account_sid, fake.config.auth_token)
    async with httpx.AsyncClient(
        transport=fake.transport(), base_url=FAKE_BASE_URL, auth=auth
    ) as http:
        assert (await http.get("/_fake/bindings")).status_code == 405
        assert (await http.post("/_fake/bindings")).status_code == 400  # no Identity
        missing = "BS" + "0" * 32
        assert (await http.post(f"/_fake/bindings/{missing}")).status_code == 404
        bad_type = await http.post("/_fake/bindings", data={"Identity": "x", "BindingType": "sms"})
        assert bad_type.status_code == 400
        # no real Twilio path is under /_fake/: an unknown admin path is a 404
        assert (await http.post("/_fake/services")).status_code == 404
