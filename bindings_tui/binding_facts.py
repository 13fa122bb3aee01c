"""Small facts about bindings shared by the diagnosis rules (no I/O, no textual)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Final

from bindings_tui.models import Binding

PUSH_BINDING_TYPES: Final = frozenset({"apn", "fcm", "gcm"})


def endpoint_key(binding_type: str | None, endpoint: str | None) -> str | None:
    """The endpoint as compared for `shared-endpoint`; None when there is none."""
    if endpoint is None:
        return None
    # `== "apn"` first: the exact spelling is what the API sends, and lower() on every
    # binding's type was a measurable part of a 100k diagnosis.
    if binding_type == "apn" or (binding_type is not None and binding_type.lower() == "apn"):
        key = "".join(endpoint.split()).strip("<>").lower()
    else:
        key = endpoint.strip()
    return key or None


def distinct_credential_sids(bindings: Iterable[Binding]) -> list[str]:
    """Every credential SID the bindings use, once, in first-seen order."""
    return list(dict.fromkeys(b.credential_sid for b in bindings if b.credential_sid))


def identity_of(binding: Binding) -> str:
    """The identity of a binding known to have one."""
    return binding.identity or ""


def as_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def short_text(value: str, keep: int = 12) -> str:
    return value if len(value) <= keep + 1 else "…" + value[-keep:]


def type_label(binding_type: str | None) -> str:
    return binding_type or "untyped"


def who(identity: str | None) -> str:
    return identity if identity else "(no identity)"


def common_identity(bindings: Sequence[Binding]) -> str | None:
    identities = {b.identity for b in bindings}
    if len(identities) == 1:
        return next(iter(identities))
    return None


def newest_first(bindings: Iterable[Binding]) -> list[Binding]:
    """Bindings, the most recently active first: the one order for "which device is newest"
    (the pile-up finding's `newest_sid`, the user view's device list).

    Key, all descending: last activity (`date_updated`, else `date_created`), then
    `date_created`, then the SID, so equal dates still give one fixed order whatever
    order the bindings came in. A binding without dates counts as the oldest.
    """
    floor = datetime.min.replace(tzinfo=UTC)

    def key(b: Binding) -> tuple[datetime, datetime, str]:
        created = as_utc(b.date_created) if b.date_created else floor
        active = as_utc(b.date_updated) if b.date_updated else created
        return (active, created, b.sid)

    return sorted(bindings, key=key, reverse=True)
