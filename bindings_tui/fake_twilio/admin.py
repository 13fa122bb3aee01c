"""The fake's admin routes: "another client" adds or touches a binding while an app watches.

Only on the fake, under `/_fake/` (no Twilio API path starts so), behind the same Basic
auth as the rest. Parameters come from the query string or a form body (`curl -d`).
Deleting goes through the normal API (`DELETE /vN/Services/{IS}/Bindings/{BS}`).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Sequence
from typing import Final

from bindings_tui.fake_twilio import http_types as h
from bindings_tui.fake_twilio import render
from bindings_tui.fake_twilio.http_types import Response
from bindings_tui.fake_twilio.records import FakeBinding
from bindings_tui.fake_twilio.store import Store
from bindings_tui.models import ApiFlavor

PREFIX: Final = "/_fake/"
_BINDINGS = re.compile(r"^/_fake/bindings$")
_BINDING = re.compile(r"^/_fake/bindings/(?P<sid>BS[0-9a-f]{32})$")
_TYPES: Final = ("apn", "gcm", "fcm", "twilsock")

ADMIN_HELP: Final = (
    "Admin routes (this fake only, same Basic auth; parameters in the query or a form body):\n"
    "  POST /_fake/bindings            add a binding: Identity (required), Service (default:\n"
    "                                  the first), BindingType (apn|gcm|fcm|twilsock, default\n"
    "                                  apn), Endpoint, CredentialSid, MessageType (repeatable),\n"
    "                                  Sid (default: a random BS...)\n"
    "  POST /_fake/bindings/{BS}       touch a binding: date_updated becomes now; Endpoint,\n"
    "                                  Identity, CredentialSid, MessageType change those fields\n"
    "  delete with the normal API:     DELETE /v1/Services/{IS}/Bindings/{BS}\n"
    '  e.g. curl -u "$TWILIO_ACCOUNT_SID:$TWILIO_AUTH_TOKEN" -d Identity=alice \\\n'
    "         http://127.0.0.1:4010/_fake/bindings"
)


def _values(params: Sequence[tuple[str, str]], name: str) -> list[str]:
    return [v for k, v in params if k == name]


def _one(params: Sequence[tuple[str, str]], name: str) -> str | None:
    values = _values(params, name)
    return values[-1] if values else None


def handle_admin(
    store: Store,
    method: str,
    path: str,
    params: Sequence[tuple[str, str]],
    base: str,
    account_sid: str,
    now: Callable[[], float],
) -> Response:
    """The answer to a request under `PREFIX` (an authenticated one)."""
    if _BINDINGS.match(path):
        if method != "POST":
            return h.method_not_allowed(method)
        return _add(store, params, base, account_sid, int(now()))
    match = _BINDING.match(path)
    if match:
        if method != "POST":
            return h.method_not_allowed(method)
        return _touch(store, match.group("sid"), params, base, account_sid, int(now()))
    return h.not_found(path)


def _add(
    store: Store, params: Sequence[tuple[str, str]], base: str, account_sid: str, now: int
) -> Response:
    identity = _one(params, "Identity")
    if not identity:
        return h.invalid_parameter("Identity is required")
    service_sid = _one(params, "Service") or (store.service_order or [""])[0]
    service = store.bindings.get(service_sid)
    if service is None:
        return h.not_found(f"/_fake/services/{service_sid}")
    binding_type = _one(params, "BindingType") or "apn"
    if binding_type not in _TYPES:
        return h.invalid_parameter(f"BindingType must be one of {', '.join(_TYPES)}")
    sid = _one(params, "Sid") or "BS" + uuid.uuid4().hex
    if not re.fullmatch(r"BS[0-9a-f]{32}", sid):
        return h.invalid_parameter("Sid must be BS and 32 hex digits")
    binding = FakeBinding(
        sid=sid,
        service_sid=service_sid,
        identity=identity,
        binding_type=binding_type,
        endpoint=_one(params, "Endpoint") or f"endpoint-{uuid.uuid4().hex[:16]}",
        credential_sid=_one(params, "CredentialSid") or _credential_for(store, binding_type),
        message_types=tuple(_values(params, "MessageType")) or ("new_message",),
        created=now,
        updated=now,
    )
    service.add(binding)
    return Response(201, render.binding_json(ApiFlavor.CONVERSATIONS, base, binding, account_sid))


def _touch(
    store: Store,
    sid: str,
    params: Sequence[tuple[str, str]],
    base: str,
    account_sid: str,
    now: int,
) -> Response:
    for service in store.bindings.values():
        old = service.by_sid.get(sid)
        if old is None:
            continue
        message_types = tuple(_values(params, "MessageType")) or old.message_types
        new = old._replace(
            endpoint=_one(params, "Endpoint") or old.endpoint,
            identity=_one(params, "Identity") or old.identity,
            credential_sid=_one(params, "CredentialSid") or old.credential_sid,
            message_types=message_types,
            updated=max(now, old.updated + 1),  # a touch always changes date_updated
        )
        service.add(new)
        return Response(200, render.binding_json(ApiFlavor.CONVERSATIONS, base, new, account_sid))
    return h.not_found(f"/_fake/bindings/{sid}")


def _credential_for(store: Store, binding_type: str) -> str | None:
    wanted = "fcm" if binding_type == "gcm" else binding_type
    return next((c.sid for c in store.credentials.values() if c.type == wanted), None)


__all__ = ["ADMIN_HELP", "PREFIX", "handle_admin"]
