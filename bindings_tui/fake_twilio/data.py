"""Seeded, deterministic data: services, credentials and bindings.

One `random.Random(seed)` drives everything, so the same seed gives the same SIDs and
bodies. Dates are drawn relative to the fixed `FAKE_NOW`, then moved as one to the
fake's own `now` (`shift_dates`), so every age is the same whatever `now` is.

Normal bindings stay clear of every anomaly a push debugger looks for (updated within
30 days, `new_message` subscribed, a credential of the right type, unique endpoints,
at most 3 bindings per identity). The anomalies are seeded on purpose, in the main
service, interleaved so that even `bindings=50` holds each kind:

- one endpoint registered under two different identities (3 pairs);
- identities with many (8+) stale apn bindings (2 identities);
- bindings not updated for 90+ days;
- bindings without `new_message`;
- a credential_sid that names no existing credential;
- apn bindings using the fcm credential;
- hostile strings (Rich markup, terminal escapes, bidi override, zero-width space,
  a 300-character identity, Japanese, emoji).

The second service has `new_message` push disabled; the third has no bindings. A few
users of the main service also have a device in the second (`CROSS_SERVICE_DEVICES`,
appended last so nothing seeded before them changes), for finding a user everywhere.
Monitor alerts and Users are seeded apart (`evidence_data`).
"""

from __future__ import annotations

import base64
import random
from dataclasses import dataclass, field, replace

from bindings_tui.fake_twilio.constants import DAY, FAKE_NOW_EPOCH
from bindings_tui.fake_twilio.evidence_data import FakeAlert, seed_alerts
from bindings_tui.fake_twilio.records import (
    FakeBinding,
    FakeCredential,
    FakeService,
    NotificationSettings,
    PushTemplate,
)

V1_MESSAGE_TYPES = ("new_message", "added_to_conversation", "removed_from_conversation")
STAGING_BINDINGS = 300

SERVICE_NAMES = ("Acme Chat (production)", "Acme Chat (staging)", "Legacy Support (empty)")

FIRST_NAMES = (
    "olivia", "liam", "emma", "noah", "ava", "lucas", "mia", "mateo", "sofia", "elijah",
    "amara", "kenji", "priya", "omar", "ingrid", "diego", "chloe", "yusuf", "hana", "felix",
)  # fmt: skip
LAST_NAMES = (
    "chen", "johnson", "garcia", "muller", "okafor", "tanaka", "silva", "novak", "kowalski",
    "haddad", "smith", "rossi", "dubois", "kim", "patel", "nguyen", "larsen", "costa",
)  # fmt: skip
DOMAINS = ("example.com", "example.org", "acme.test", "mail.example.net")

# Identities and endpoints a terminal must show as text, never interpret.
HOSTILE_IDENTITIES = (
    "bob[/b]",
    "[bold red]x[/]",
    "\x1b]52;c;cm0gLXJmIH4K\x07mallory",
    "\x1b]0;pwned title\x07eve",
    "\x1b[2J\x1b[H\x1b[5Acursor-mover",
    "admin\u202egnp.exe",
    "zero\u200bwidth@example.com",
    ("very-long-identity-" * 16)[:300],
    "田中太郎@example.jp",
    "emoji🚀rocket.user@example.com",
)
HOSTILE_ENDPOINTS = (
    ("fcm", "[link=https://evil.example]click me[/link]"),
    ("apn", "\x1b[31mred-token\x1b[0m" + "ab" * 20),
)


# Users of the main service's seeded anomalies who also use the staging app: `find`
# shows them in two services (and on both APIs, which serve the same services).
CROSS_SERVICE_DEVICES = (
    ("liam.johnson@example.com", "apn"),
    ("liam.johnson@example.com", "fcm"),
    ("olivia.chen@example.com", "fcm"),
)


@dataclass
class Dataset:
    services: list[FakeService]
    credentials: list[FakeCredential]
    bindings: dict[str, list[FakeBinding]]
    missing_credential_sid: str
    anomaly_groups: dict[str, list[list[str]]] = field(default_factory=dict)
    alerts: list[FakeAlert] = field(default_factory=list)
    now: int = FAKE_NOW_EPOCH  # the instant the dates are relative to


class _Generator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self._used: set[str] = set()

    # ---- primitives ----------------------------------------------------------------

    def sid(self, prefix: str) -> str:
        while True:
            sid = f"{prefix}{self.rng.getrandbits(128):032x}"
            if sid not in self._used:
                self._used.add(sid)
                return sid

    def token(self, nbytes: int) -> str:
        """URL-safe base64 of `nbytes` random bytes (nbytes a multiple of 3: no padding)."""
        return base64.urlsafe_b64encode(self.rng.randbytes(nbytes)).decode()

    def endpoint(self, binding_type: str) -> str:
        rng = self.rng
        if binding_type == "apn":
            return f"{rng.getrandbits(256):064x}"
        if binding_type == "fcm":
            raw = self.token(117)
            return f"{raw[:22]}:APA91b{raw[22:]}"
        if binding_type == "gcm":
            return f"APA91b{self.token(102)}"
        bits = f"{rng.getrandbits(128):032x}"
        return f"twilsock:{bits[:8]}-{bits[8:12]}-{bits[12:16]}-{bits[16:20]}-{bits[20:]}"

    def identity(self, index: int) -> str:
        rand = self.rng.random
        first = FIRST_NAMES[int(rand() * len(FIRST_NAMES))]
        last = LAST_NAMES[int(rand() * len(LAST_NAMES))]
        roll = rand()
        if roll < 0.5:
            return f"{first}.{last}{index}@{DOMAINS[int(rand() * len(DOMAINS))]}"
        if roll < 0.75:
            # Multiplying by an odd constant mod 2**32 is a bijection: unique, random-looking.
            return f"usr_{(index * 2654435761) % 2**32:08x}"
        return f"{first}{last[0]}_{index}"

    def fresh_times(self) -> tuple[int, int]:
        """Created up to two years ago, updated within the last 30 days."""
        rand = self.rng.random
        created = FAKE_NOW_EPOCH - DAY - int(rand() * 719 * DAY)
        updated = FAKE_NOW_EPOCH - int(rand() * 30 * DAY)
        return created, max(created, updated)

    def stale_times(self, min_days: int = 100, max_days: int = 500) -> tuple[int, int]:
        rng = self.rng
        updated = FAKE_NOW_EPOCH - rng.randrange(min_days * DAY, max_days * DAY)
        created = updated - rng.randrange(0, 300 * DAY)
        return created, updated

    def message_types(self) -> tuple[str, ...]:
        roll = self.rng.random()
        if roll < 0.8:
            return V1_MESSAGE_TYPES
        if roll < 0.9:
            return ("new_message",)
        return ("new_message", "added_to_conversation")


class _Seeder:
    """Builds the dataset; one instance per FakeTwilio."""

    def __init__(self, seed: int) -> None:
        self.g = _Generator(seed)
        self.credentials = self._credentials()
        self.by_type = {c.type: c.sid for c in self.credentials if not c.sandbox}
        self.apn_sandbox = next(c.sid for c in self.credentials if c.sandbox)
        self.missing_credential_sid = self.g.sid("CR")

    def _credentials(self) -> list[FakeCredential]:
        specs = (
            ("Acme iOS (sandbox)", "apn", True),
            ("Acme iOS (production)", "apn", False),
            ("Acme Android (FCM)", "fcm", False),
            ("Acme Android legacy (GCM)", "gcm", False),
        )
        out = []
        for name, kind, sandbox in specs:
            created = FAKE_NOW_EPOCH - self.g.rng.randrange(400 * DAY, 1500 * DAY)
            updated = created + self.g.rng.randrange(0, 300 * DAY)
            out.append(FakeCredential(self.g.sid("CR"), name, kind, sandbox, created, updated))
        return out

    def credential_for(self, binding_type: str) -> str | None:
        if binding_type == "twilsock":
            return None
        if binding_type == "apn" and self.g.rng.random() < 0.3:
            return self.apn_sandbox
        return self.by_type[binding_type]

    def binding(
        self,
        service_sid: str,
        identity: str,
        binding_type: str,
        *,
        endpoint: str | None = None,
        credential_sid: str | bool | None = True,
        message_types: tuple[str, ...] | None = None,
        times: tuple[int, int] | None = None,
    ) -> FakeBinding:
        g = self.g
        sid = g.sid("BS")
        cred = self.credential_for(binding_type) if credential_sid is True else credential_sid
        created, updated = times or g.fresh_times()
        return FakeBinding(
            sid=sid,
            service_sid=service_sid,
            identity=identity,
            binding_type=binding_type,
            endpoint=endpoint if endpoint is not None else g.endpoint(binding_type),
            credential_sid=cred if isinstance(cred, str) else None,
            message_types=message_types if message_types is not None else g.message_types(),
            created=created,
            updated=updated,
        )

    def random_type(self) -> str:
        roll = self.g.rng.random()
        if roll < 0.45:
            return "apn"
        if roll < 0.85:
            return "fcm"
        if roll < 0.9:
            return "gcm"
        return "twilsock"

    def normal_bindings(self, service_sid: str, count: int, index_base: int) -> list[FakeBinding]:
        """The hot path (100k in well under a second): everything inlined, one rng."""
        g = self.g
        rand = g.rng.random
        getrandbits = g.rng.getrandbits
        endpoint = g.endpoint
        identity_for = g.identity
        used = g._used
        apn_prod, apn_sandbox = self.by_type["apn"], self.apn_sandbox
        fcm, gcm = self.by_type["fcm"], self.by_type["gcm"]
        all_types = V1_MESSAGE_TYPES
        only_new: tuple[str, ...] = ("new_message",)
        new_and_added: tuple[str, ...] = ("new_message", "added_to_conversation")
        now = FAKE_NOW_EPOCH
        out: list[FakeBinding] = []
        append = out.append
        index = index_base
        while len(out) < count:
            identity = identity_for(index)
            index += 1
            for _ in range(min(1 + int(rand() * 2.5), count - len(out))):
                roll = rand()
                if roll < 0.45:
                    binding_type = "apn"
                    credential: str | None = apn_sandbox if rand() < 0.3 else apn_prod
                elif roll < 0.85:
                    binding_type, credential = "fcm", fcm
                elif roll < 0.9:
                    binding_type, credential = "gcm", gcm
                else:
                    binding_type, credential = "twilsock", None
                sid = f"BS{getrandbits(128):032x}"
                while sid in used:
                    sid = f"BS{getrandbits(128):032x}"
                used.add(sid)
                created = now - DAY - int(rand() * 719 * DAY)
                updated = max(created, now - int(rand() * 30 * DAY))
                roll = rand()
                types = all_types if roll < 0.8 else only_new if roll < 0.9 else new_and_added
                append(
                    FakeBinding(
                        sid,
                        service_sid,
                        identity,
                        binding_type,
                        endpoint(binding_type),
                        credential,
                        types,
                        created,
                        updated,
                    )
                )
        return out

    # ---- anomalies ------------------------------------------------------------------

    def anomaly_groups(self, s: str) -> dict[str, list[list[FakeBinding]]]:
        g = self.g
        groups: dict[str, list[list[FakeBinding]]] = {}

        pairs = []
        for first, second, kind in (
            ("liam.johnson@example.com", "guest-4821", "apn"),
            ("priya.patel@acme.test", "usr_shared_tablet", "fcm"),
            ("kiosk-lobby-1", "kiosk-lobby-2", "apn"),
        ):
            endpoint = g.endpoint(kind)
            pairs.append(
                [
                    self.binding(s, first, kind, endpoint=endpoint),
                    self.binding(s, second, kind, endpoint=endpoint),
                ]
            )
        groups["shared_endpoint"] = pairs

        many = []
        for identity, stale_count in (("olivia.chen@example.com", 10), ("qa-tester-ios", 8)):
            group = [self.binding(s, identity, "apn")]  # the device in use today
            group += [
                self.binding(s, identity, "apn", times=g.stale_times()) for _ in range(stale_count)
            ]
            many.append(group)
        groups["many_apn"] = many

        groups["stale"] = [
            [self.binding(s, ident, kind, times=g.stale_times(min_days=days))]
            for ident, kind, days in (
                ("noah.garcia@example.org", "fcm", 95),
                ("usr_0badc0de", "apn", 180),
                ("mia.rossi@example.com", "gcm", 400),
                ("felixk_legacy", "twilsock", 120),
            )
        ]
        groups["no_new_message"] = [
            [self.binding(s, ident, kind, message_types=types)]
            for ident, kind, types in (
                ("emma.silva@example.com", "apn", ("added_to_conversation",)),
                ("omar.haddad@example.net", "fcm", ()),
                ("kenji.tanaka@example.com", "apn", ("removed_from_conversation",)),
            )
        ]
        groups["missing_credential"] = [
            [self.binding(s, ident, kind, credential_sid=self.missing_credential_sid)]
            for ident, kind in (
                ("sofia.novak@example.com", "apn"),
                ("diego.costa@acme.test", "fcm"),
                ("ingrid.larsen@example.org", "gcm"),
            )
        ]
        groups["credential_type_mismatch"] = [
            [self.binding(s, ident, "apn", credential_sid=self.by_type["fcm"])]
            for ident in ("ava.dubois@example.com", "usr_5ca1ab1e", "chloe.kim@example.org")
        ]
        hostile = [[self.binding(s, ident, self.random_type())] for ident in HOSTILE_IDENTITIES]
        hostile += [
            [self.binding(s, f"hostile-endpoint-{n}", kind, endpoint=endpoint)]
            for n, (kind, endpoint) in enumerate(HOSTILE_ENDPOINTS)
        ]
        groups["hostile"] = hostile
        return groups


def _interleave(groups: dict[str, list[list[FakeBinding]]]) -> list[FakeBinding]:
    """Round-robin over kinds so a small count still holds one instance of each kind."""
    out: list[FakeBinding] = []
    depth = max((len(v) for v in groups.values()), default=0)
    for level in range(depth):
        for kind_groups in groups.values():
            if level < len(kind_groups):
                out.extend(kind_groups[level])
    return out


def _notifications(rng: random.Random, new_message_enabled: bool) -> NotificationSettings:
    sound = rng.choice(("default", "ring", "chime"))
    return NotificationSettings(
        new_message=PushTemplate(
            new_message_enabled,
            "You have a new message in ${CONVERSATION} from ${PARTICIPANT}: ${MESSAGE}",
            sound,
            badge_count_enabled=new_message_enabled,
        ),
        added=PushTemplate(True, "You have been added to a Conversation: ${CONVERSATION}", sound),
        removed=PushTemplate(
            True, "You have been removed from a Conversation: ${CONVERSATION}", sound
        ),
        invited=PushTemplate(False, "You have been invited to ${CHANNEL}", None),
        log_enabled=rng.random() < 0.5,
    )


def generate(seed: int, bindings: int, now: int = FAKE_NOW_EPOCH) -> Dataset:
    """The whole seeded world: 3 services, 4 credentials, `bindings` in the first service;
    its dates relative to `now` (epoch seconds)."""
    return shift_dates(_generate(seed, bindings), now - FAKE_NOW_EPOCH)


def shift_dates(dataset: Dataset, seconds: int) -> Dataset:
    """The same world `seconds` later: every date moved, nothing else (the same seed
    draws the same numbers, whatever the fake's `now`)."""
    if seconds == 0:
        return dataset

    def binding(b: FakeBinding) -> FakeBinding:
        return b._replace(created=b.created + seconds, updated=b.updated + seconds)

    return replace(
        dataset,
        services=[
            replace(s, created=s.created + seconds, updated=s.updated + seconds)
            for s in dataset.services
        ],
        credentials=[
            replace(c, created=c.created + seconds, updated=c.updated + seconds)
            for c in dataset.credentials
        ],
        bindings={sid: [binding(b) for b in bs] for sid, bs in dataset.bindings.items()},
        alerts=[replace(a, generated=a.generated + seconds) for a in dataset.alerts],
        now=dataset.now + seconds,
    )


def _generate(seed: int, bindings: int) -> Dataset:
    seeder = _Seeder(seed)
    g = seeder.g
    services: list[FakeService] = []
    for position, name in enumerate(SERVICE_NAMES):
        created = FAKE_NOW_EPOCH - g.rng.randrange(600 * DAY, 2000 * DAY)
        services.append(
            FakeService(
                sid=g.sid("IS"),
                friendly_name=name,
                created=created,
                updated=created + g.rng.randrange(0, 500 * DAY),
                notifications=_notifications(g.rng, new_message_enabled=position != 1),
                role_sids=(g.sid("RL"), g.sid("RL"), g.sid("RL")),
            )
        )
    main, staging, empty = (s.sid for s in services)

    groups = seeder.anomaly_groups(main)
    seeded = _interleave(groups)[: max(bindings, 0)]
    kept = {b.sid for b in seeded}
    main_bindings = seeded + seeder.normal_bindings(main, max(bindings - len(seeded), 0), 0)
    staging_bindings = seeder.normal_bindings(staging, STAGING_BINDINGS, 10_000_000)
    # Last of all, so the rest of the world is what it was before they were added.
    staging_bindings += [
        seeder.binding(staging, identity, kind) for identity, kind in CROSS_SERVICE_DEVICES
    ]
    bindings_by_service = {main: main_bindings, staging: staging_bindings, empty: []}
    return Dataset(
        services=services,
        credentials=seeder.credentials,
        bindings=bindings_by_service,
        missing_credential_sid=seeder.missing_credential_sid,
        anomaly_groups={
            kind: [[b.sid for b in group if b.sid in kept] for group in kind_groups]
            for kind, kind_groups in groups.items()
        },
        # Drawn from their own random stream: the data above is the same with or without.
        alerts=seed_alerts(seed, services, seeder.credentials, bindings_by_service),
    )
