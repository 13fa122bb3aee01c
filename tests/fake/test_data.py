"""Seeded data: deterministic, realistic, and holding every anomaly on purpose."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from bindings_tui.fake_twilio import (
    FAKE_NOW,
    MANY_APN_THRESHOLD,
    FakeConfig,
    FakeTwilio,
    seeded_anomalies,
)
from bindings_tui.fake_twilio.data import HOSTILE_IDENTITIES
from bindings_tui.fake_twilio.render import iso
from bindings_tui.models import ApiFlavor
from bindings_tui.sids import is_sid


def _snapshot(fake: FakeTwilio) -> list[object]:
    return [
        fake.service_sids(),
        list(fake.store.credentials.values()),
        [fake.bindings(s) for s in fake.service_sids()],
    ]


def test_same_seed_same_everything() -> None:
    a = FakeTwilio(FakeConfig(seed=11, bindings=400))
    b = FakeTwilio(FakeConfig(seed=11, bindings=400))
    c = FakeTwilio(FakeConfig(seed=12, bindings=400))
    assert _snapshot(a) == _snapshot(b)
    assert a.service_sids() != c.service_sids()


def test_shape_of_the_world() -> None:
    fake = FakeTwilio(FakeConfig(bindings=1234))
    main, staging, empty = fake.service_sids()
    assert len(fake.bindings(main)) == 1234
    assert 100 <= len(fake.bindings(staging)) <= 1000
    assert fake.bindings(empty) == []
    assert len({fake.store.services[s].friendly_name for s in fake.service_sids()}) == 3
    for binding in fake.bindings(main):
        assert is_sid("BS", binding.sid)
        assert binding.binding_type in ("apn", "gcm", "fcm", "twilsock")
        assert binding.created <= binding.updated <= int(FAKE_NOW.timestamp())
        if binding.binding_type == "twilsock":
            assert binding.credential_sid is None
        else:
            assert binding.credential_sid is not None and is_sid("CR", binding.credential_sid)
    types = {b.binding_type for b in fake.bindings(main)}
    assert types == {"apn", "gcm", "fcm", "twilsock"}
    apn = [b.endpoint for b in fake.bindings(main) if b.binding_type == "apn"]
    assert sum(bool(re.fullmatch(r"[0-9a-f]{64}", e)) for e in apn) >= len(apn) - 1
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", iso(fake.bindings(main)[0].updated))


@pytest.mark.parametrize("count", [50, 5000])
def test_every_anomaly_is_seeded(count: int) -> None:
    fake = FakeTwilio(FakeConfig(seed=7, bindings=count))
    main, staging, _ = fake.service_sids()
    found = seeded_anomalies(fake, main)
    assert len(found.shared_endpoint) >= 2
    assert found.many_stale_apn_identities >= {"olivia.chen@example.com"}
    assert len(found.many_stale_apn) >= MANY_APN_THRESHOLD
    assert found.stale >= found.many_stale_apn and len(found.stale - found.many_stale_apn) >= 1
    assert found.no_new_message and found.missing_credential
    assert found.credential_type_mismatch and found.hostile
    assert not found.new_message_disabled
    assert seeded_anomalies(fake, staging).new_message_disabled
    # Exactly the deliberate ones: normal data triggers nothing.
    deliberate = {sid for groups in fake.store.anomaly_groups.values() for g in groups for sid in g}
    flagged = (
        found.shared_endpoint
        | found.stale
        | found.no_new_message
        | found.missing_credential
        | found.credential_type_mismatch
        | found.hostile
    )
    assert flagged <= deliberate
    staging_found = seeded_anomalies(fake, staging)
    assert not (
        staging_found.shared_endpoint
        | staging_found.stale
        | staging_found.no_new_message
        | staging_found.missing_credential
        | staging_found.credential_type_mismatch
    )


def test_anomaly_details() -> None:
    fake = FakeTwilio(FakeConfig(bindings=5000))
    main = fake.service_sids()[0]
    found = seeded_anomalies(fake, main)
    by_sid = {b.sid: b for b in fake.bindings(main)}
    stale_cutoff = FAKE_NOW - timedelta(days=90)
    assert all(by_sid[s].updated < stale_cutoff.timestamp() for s in found.stale)
    assert len(found.shared_endpoint) == 6
    assert len({by_sid[s].endpoint for s in found.shared_endpoint}) == 3
    olivia = [s for s in found.many_stale_apn if by_sid[s].identity == "olivia.chen@example.com"]
    assert len(olivia) >= MANY_APN_THRESHOLD
    for sid in found.credential_type_mismatch:
        cred = fake.store.credentials[by_sid[sid].credential_sid or ""]
        assert by_sid[sid].binding_type == "apn" and cred.type == "fcm"
    assert all(
        by_sid[s].credential_sid == found.missing_credential_sid for s in found.missing_credential
    )
    assert found.missing_credential_sid not in fake.store.credentials
    assert all("new_message" not in by_sid[s].message_types for s in found.no_new_message)
    identities = {b.identity for b in fake.bindings(main)}
    assert set(HOSTILE_IDENTITIES) <= identities
    assert any(len(i) == 300 for i in identities)
    assert any("\x1b]52;" in i for i in identities) and any("\u202e" in i for i in identities)
    # Deleting anomalies is reflected.
    victim = sorted(found.no_new_message)[0]
    fake.store.delete_binding(main, victim)
    assert victim not in seeded_anomalies(fake, main).no_new_message


def test_chat_view_of_anomalies_excludes_twilsock() -> None:
    fake = FakeTwilio(FakeConfig(bindings=500))
    main = fake.service_sids()[0]
    chat = seeded_anomalies(fake, main, ApiFlavor.CHAT)
    visible = fake.binding_sids(ApiFlavor.CHAT, main)
    assert chat.stale <= visible and chat.hostile <= visible


def test_hundred_thousand_bindings() -> None:
    fake = FakeTwilio(FakeConfig(seed=1, bindings=100_000))
    main = fake.service_sids()[0]
    sids = fake.binding_sids(ApiFlavor.CONVERSATIONS, main)
    assert len(sids) == 100_000
    assert len({b.endpoint for b in fake.bindings(main)}) == 100_000 - 3
