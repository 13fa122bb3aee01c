"""Seeded Monitor alerts and Users for the fake, built after (and apart from) the bindings.

A separate `random.Random` keyed on the seed draws here, so adding alerts changed no
binding, credential or service of any seed. Alerts are tied to demo bindings every way a
real one can name something:

- qa-tester-ios: 52134 three times on its current device (by `resource_sid`, by
  `bindingSid` in `alert_text`, and both), plus once 20 days ago (outside the default
  week): the demo's verdict from alerts;
- noah.garcia's stale fcm binding: 52102 twice, naming its token (`deviceToken`) and the
  fcm credential: a dead token, the clean-up evidence backs;
- the gcm credential: 52117 by `credentialSid` (and `resource_sid`);
- usr_0badc0de's apn token, upper-cased: 52143;
- the service only: 52131, and 52144 with hostile text;
- a staging binding: 52141 (another service when the main one is diagnosed);
- non-push alerts (11200 naming qa-tester-ios's binding, 30007, 20003): always ignored.

Users: one per identity with bindings (Conversations: `is_notifiable` true when it has
a push binding; Chat v2: null, its reachability is off), plus `new.hire@example.com`,
a user with no binding at all.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from urllib.parse import urlencode

from bindings_tui.fake_twilio.constants import DAY, FAKE_NOW_EPOCH
from bindings_tui.fake_twilio.records import FakeBinding, FakeCredential, FakeService

HOUR = 3600
NO_BINDING_USER = "new.hire@example.com"
ALERTS_IDENTITY = "qa-tester-ios"
DEAD_TOKEN_IDENTITY = "noah.garcia@example.org"
PUSH_TYPES = ("apn", "fcm", "gcm")


@dataclass(frozen=True, slots=True)
class FakeAlert:
    sid: str
    error_code: str
    log_level: str
    alert_text: str
    resource_sid: str | None
    service_sid: str | None
    generated: int
    request_url: str | None = None


@dataclass(frozen=True, slots=True)
class FakeUser:
    sid: str
    service_sid: str
    identity: str
    is_notifiable: bool
    created: int
    updated: int


def user_sid(service_sid: str, identity: str) -> str:
    """Stable per (service, identity), whatever else was seeded."""
    digest = hashlib.blake2b(f"{service_sid}\x00{identity}".encode(), digest_size=16)
    return "US" + digest.hexdigest()


def seed_users(
    service: FakeService, bindings: list[FakeBinding], now: int = FAKE_NOW_EPOCH
) -> dict[str, FakeUser]:
    users: dict[str, FakeUser] = {}
    for b in bindings:
        known = users.get(b.identity)
        notifiable = b.binding_type in PUSH_TYPES or (known is not None and known.is_notifiable)
        created = min(b.created, known.created) if known else b.created
        updated = max(b.updated, known.updated) if known else b.updated
        users[b.identity] = FakeUser(
            user_sid(service.sid, b.identity), service.sid, b.identity, notifiable, created, updated
        )
    if bindings:
        users[NO_BINDING_USER] = FakeUser(
            user_sid(service.sid, NO_BINDING_USER),
            service.sid,
            NO_BINDING_USER,
            False,
            now - 3 * DAY,
            now - 3 * DAY,
        )
    return users


def _by_identity(bindings: list[FakeBinding], identity: str) -> list[FakeBinding]:
    return [b for b in bindings if b.identity == identity]


def seed_alerts(
    seed: int,
    services: list[FakeService],
    credentials: list[FakeCredential],
    bindings: dict[str, list[FakeBinding]],
) -> list[FakeAlert]:
    rng = random.Random(f"alerts-{seed}")
    main, staging = services[0].sid, services[1].sid

    def sid(prefix: str) -> str:
        return f"{prefix}{rng.getrandbits(128):032x}"

    def ago(days: float) -> int:
        return FAKE_NOW_EPOCH - int(days * DAY) - rng.randrange(0, HOUR)

    out: list[FakeAlert] = []
    add = out.append
    main_bindings = bindings.get(main, [])
    gcm = next((c.sid for c in credentials if c.type == "gcm"), None)
    fcm = next((c.sid for c in credentials if c.type == "fcm" and not c.sandbox), None)

    qa = [b for b in _by_identity(main_bindings, ALERTS_IDENTITY) if b.binding_type == "apn"]
    if qa:
        device = max(qa, key=lambda b: b.updated)  # the device in use today
        reason = {"reason": "BadDeviceToken", "statusCode": "400"}
        add(FakeAlert(sid("NO"), "52134", "error", urlencode(reason), device.sid, main, ago(1)))
        add(
            FakeAlert(
                sid("NO"), "52134", "error",
                urlencode({"bindingSid": device.sid, "identity": ALERTS_IDENTITY, **reason}),
                main, main, ago(2),
            )
        )  # fmt: skip
        add(
            FakeAlert(
                sid("NO"), "52134", "error", urlencode({"BindingSid": device.sid, **reason}),
                sid("NT"), None, ago(4),
            )
        )  # fmt: skip
        add(FakeAlert(sid("NO"), "52134", "error", urlencode(reason), device.sid, main, ago(20)))
        # Not a push code: never shown, even though it names the binding.
        add(
            FakeAlert(
                sid("NO"), "11200", "error",
                urlencode({"bindingSid": device.sid, "url": "https://hooks.example.com/push"}),
                device.sid, main, ago(1), request_url="https://hooks.example.com/push",
            )
        )  # fmt: skip
    noah = [b for b in _by_identity(main_bindings, DEAD_TOKEN_IDENTITY) if b.binding_type == "fcm"]
    if noah:
        token = {"deviceToken": noah[0].endpoint, "credentialSid": fcm or ""}
        for days in (0.5, 3):
            add(
                FakeAlert(
                    sid("NO"), "52102", "error",
                    urlencode({**token, "message": "Invalid registration token"}),
                    None, main, ago(days),
                )
            )  # fmt: skip
    if gcm is not None:
        add(
            FakeAlert(
                sid("NO"), "52117", "error",
                urlencode({"credentialSid": gcm, "message": "Deprecated GCM/FCM API"}),
                gcm, main, ago(2),
            )
        )  # fmt: skip
    odd = [b for b in _by_identity(main_bindings, "usr_0badc0de") if b.binding_type == "apn"]
    if odd:
        add(
            FakeAlert(
                sid("NO"), "52143", "error",
                urlencode({"token": odd[0].endpoint.upper(), "topic": "com.acme.chat"}),
                None, main, ago(5),
            )
        )  # fmt: skip
    add(
        FakeAlert(
            sid("NO"), "52131", "error", urlencode({"message": "Certificate expired"}),
            None, main, ago(6),
        )
    )  # fmt: skip
    add(
        FakeAlert(
            sid("NO"), "52144", "error",
            urlencode({"message": "[bold red]apns[/] \x1b]0;pwned\x07 internal error"}),
            None, main, ago(3),
        )
    )  # fmt: skip
    staging_bindings = bindings.get(staging, [])
    if staging_bindings:
        target = staging_bindings[0]
        add(FakeAlert(sid("NO"), "52141", "error", "", target.sid, staging, ago(2)))
    add(
        FakeAlert(
            sid("NO"),
            "30007",
            "warning",
            urlencode({"to": "+15005550006"}),
            sid("SM"),
            None,
            ago(1),
        )
    )
    add(FakeAlert(sid("NO"), "20003", "error", "", None, None, ago(2)))
    return out


__all__ = [
    "ALERTS_IDENTITY",
    "DEAD_TOKEN_IDENTITY",
    "NO_BINDING_USER",
    "FakeAlert",
    "FakeUser",
    "seed_alerts",
    "seed_users",
    "user_sid",
]
