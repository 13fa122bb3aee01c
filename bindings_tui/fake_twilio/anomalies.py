"""What a push debugger should find in the seeded data, computed from the current state.

The rules (thresholds in `constants`) match how the data was seeded; normal bindings
stay far from every threshold, so these sets are exactly the deliberate anomalies that
still exist (deletes included).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from bindings_tui.fake_twilio.app import FakeTwilio
from bindings_tui.fake_twilio.constants import (
    DAY,
    MANY_APN_THRESHOLD,
    STALE_DAYS,
)
from bindings_tui.fake_twilio.data import HOSTILE_ENDPOINTS, HOSTILE_IDENTITIES
from bindings_tui.models import ApiFlavor


@dataclass(frozen=True)
class SeededAnomalies:
    """Binding SIDs per kind of problem, for one service as one API lists it."""

    # Bindings sharing an endpoint with a binding of another identity.
    shared_endpoint: frozenset[str]
    # Identities with MANY_APN_THRESHOLD+ stale apn bindings, and those bindings.
    many_stale_apn_identities: frozenset[str]
    many_stale_apn: frozenset[str]
    # date_updated more than STALE_DAYS before the fake's now (FakeConfig.now).
    stale: frozenset[str]
    # message_types without "new_message".
    no_new_message: frozenset[str]
    # credential_sid naming no existing credential.
    missing_credential: frozenset[str]
    # credential exists but is for another push type (apn binding, fcm credential).
    credential_type_mismatch: frozenset[str]
    # identity or endpoint with markup, escapes, bidi, zero-width, very long, non-ASCII.
    hostile: frozenset[str]
    # The service's new_message push is disabled.
    new_message_disabled: bool
    missing_credential_sid: str


def seeded_anomalies(
    fake: FakeTwilio, service_sid: str, api: ApiFlavor = ApiFlavor.CONVERSATIONS
) -> SeededAnomalies:
    store = fake.store
    service = store.services[service_sid]
    bindings = [b for b in fake.bindings(service_sid) if b.binding_type in api.binding_types]
    stale_before = store.now - STALE_DAYS * DAY
    stale = {b.sid for b in bindings if b.updated < stale_before}

    by_endpoint: dict[str, list[tuple[str, str]]] = defaultdict(list)
    stale_apn: dict[str, set[str]] = defaultdict(set)
    for b in bindings:
        by_endpoint[b.endpoint].append((b.sid, b.identity))
        if b.binding_type == "apn" and b.sid in stale:
            stale_apn[b.identity].add(b.sid)
    shared = {
        sid
        for owners in by_endpoint.values()
        if len({identity for _, identity in owners}) > 1
        for sid, _ in owners
    }
    many = {i: sids for i, sids in stale_apn.items() if len(sids) >= MANY_APN_THRESHOLD}

    mismatch: set[str] = set()
    missing: set[str] = set()
    for b in bindings:
        if b.credential_sid is None:
            continue
        credential = store.credentials.get(b.credential_sid)
        if credential is None:
            missing.add(b.sid)
        elif credential.type != b.binding_type:
            mismatch.add(b.sid)

    hostile_endpoints = {endpoint for _, endpoint in HOSTILE_ENDPOINTS}
    return SeededAnomalies(
        shared_endpoint=frozenset(shared),
        many_stale_apn_identities=frozenset(many),
        many_stale_apn=frozenset(sid for sids in many.values() for sid in sids),
        stale=frozenset(stale),
        no_new_message=frozenset(b.sid for b in bindings if "new_message" not in b.message_types),
        missing_credential=frozenset(missing),
        credential_type_mismatch=frozenset(mismatch),
        hostile=frozenset(
            b.sid
            for b in bindings
            if b.identity in HOSTILE_IDENTITIES or b.endpoint in hostile_endpoints
        ),
        new_message_disabled=not service.notifications.new_message.enabled,
        missing_credential_sid=store.missing_credential_sid,
    )
