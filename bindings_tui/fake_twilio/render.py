"""Twilio's JSON shapes for each API: Conversations v1 and Chat v2.

`base` is the request's own scheme and host (`http://127.0.0.1:4010`), so every URL in
a body is absolute and points back at the server that was asked.
"""

from __future__ import annotations

import functools
import time
from typing import Any
from urllib.parse import quote, urlencode

from bindings_tui.fake_twilio.evidence_data import FakeAlert, FakeUser
from bindings_tui.fake_twilio.records import (
    FakeBinding,
    FakeCredential,
    FakeService,
    NotificationSettings,
    PushTemplate,
)
from bindings_tui.models import ApiFlavor

Json = dict[str, Any]

# Stored (v1) message type -> Chat v2 name.
_V2_MESSAGE_TYPES = {
    "added_to_conversation": "added_to_channel",
    "removed_from_conversation": "removed_from_channel",
}


@functools.lru_cache(maxsize=4096)
def _iso_day(day: int) -> str:
    return time.strftime("%Y-%m-%d", time.gmtime(day * 86_400))


def iso(epoch: int) -> str:
    """`2016-10-21T11:37:03Z`, Twilio's date format (the hot path of every listing)."""
    day, seconds = divmod(epoch, 86_400)
    hours, rest = divmod(seconds, 3600)
    return f"{_iso_day(day)}T{hours:02d}:{rest // 60:02d}:{rest % 60:02d}Z"


def binding_json(api: ApiFlavor, base: str, b: FakeBinding, account_sid: str) -> Json:
    v = api.version
    url = f"{base}/{v}/Services/{b.service_sid}/Bindings/{b.sid}"
    if api is ApiFlavor.CONVERSATIONS:
        return {
            "sid": b.sid,
            "account_sid": account_sid,
            "chat_service_sid": b.service_sid,
            "credential_sid": b.credential_sid,
            "date_created": iso(b.created),
            "date_updated": iso(b.updated),
            "endpoint": b.endpoint,
            "identity": b.identity,
            "binding_type": b.binding_type,
            "message_types": list(b.message_types),
            "url": url,
        }
    return {
        "sid": b.sid,
        "account_sid": account_sid,
        "service_sid": b.service_sid,
        "date_created": iso(b.created),
        "date_updated": iso(b.updated),
        "endpoint": b.endpoint,
        "identity": b.identity,
        "credential_sid": b.credential_sid,
        "binding_type": b.binding_type,
        "message_types": [_V2_MESSAGE_TYPES.get(t, t) for t in b.message_types],
        "url": url,
        "links": {"user": f"{base}/v2/Services/{b.service_sid}/Users/{quote(b.identity, safe='')}"},
    }


def service_json(api: ApiFlavor, base: str, s: FakeService, account_sid: str) -> Json:
    url = f"{base}/{api.version}/Services/{s.sid}"
    common: Json = {
        "sid": s.sid,
        "account_sid": account_sid,
        "friendly_name": s.friendly_name,
        "date_created": iso(s.created),
        "date_updated": iso(s.updated),
    }
    if api is ApiFlavor.CONVERSATIONS:
        return common | {
            "url": url,
            "links": {
                "conversations": f"{url}/Conversations",
                "users": f"{url}/Users",
                "roles": f"{url}/Roles",
                "bindings": f"{url}/Bindings",
                "configuration": f"{url}/Configuration",
                "participant_conversations": f"{url}/ParticipantConversations",
            },
        }
    service_role, channel_role, creator_role = s.role_sids
    return common | {
        "default_service_role_sid": service_role,
        "default_channel_role_sid": channel_role,
        "default_channel_creator_role_sid": creator_role,
        "read_status_enabled": True,
        "reachability_enabled": False,
        "typing_indicator_timeout": 5,
        "consumption_report_interval": 10,
        "limits": {"channel_members": 100, "user_channels": 250},
        "pre_webhook_url": None,
        "post_webhook_url": None,
        "webhook_method": "POST",
        "webhook_filters": [],
        "pre_webhook_retry_count": 0,
        "post_webhook_retry_count": 0,
        "notifications": chat_notifications_json(s.notifications),
        "media": {"size_limit_mb": 150, "compatibility_message": "Media messages not supported"},
        "url": url,
        "links": {
            "channels": f"{url}/Channels",
            "users": f"{url}/Users",
            "roles": f"{url}/Roles",
            "bindings": f"{url}/Bindings",
        },
    }


def _template(t: PushTemplate) -> Json:
    out: Json = {"enabled": t.enabled, "template": t.template, "sound": t.sound}
    if t.badge_count_enabled is not None:
        out["badge_count_enabled"] = t.badge_count_enabled
    return out


def chat_notifications_json(n: NotificationSettings) -> Json:
    """Chat v2's `notifications` object inside a service."""
    return {
        "log_enabled": n.log_enabled,
        "new_message": _template(n.new_message),
        "added_to_channel": _template(n.added),
        "removed_from_channel": _template(n.removed),
        "invited_to_channel": _template(n.invited),
    }


def conversations_notifications_json(base: str, s: FakeService, account_sid: str) -> Json:
    """Conversations v1 `/Services/{IS}/Configuration/Notifications`."""
    n = s.notifications
    new_message = _template(n.new_message) | {
        "with_media": {
            "enabled": False,
            "template": "You have a new message in ${CONVERSATION} with ${MEDIA_COUNT} "
            "media files: ${MEDIA}",
        }
    }
    return {
        "account_sid": account_sid,
        "chat_service_sid": s.sid,
        "log_enabled": n.log_enabled,
        "new_message": new_message,
        "added_to_conversation": _template(n.added),
        "removed_from_conversation": _template(n.removed),
        "url": f"{base}/v1/Services/{s.sid}/Configuration/Notifications",
    }


def credential_json(api: ApiFlavor, base: str, c: FakeCredential, account_sid: str) -> Json:
    return {
        "sid": c.sid,
        "account_sid": account_sid,
        "friendly_name": c.friendly_name,
        "type": c.type,
        "sandbox": "true" if c.sandbox else "false",
        "date_created": iso(c.created),
        "date_updated": iso(c.updated),
        "url": f"{base}/{api.version}/Credentials/{c.sid}",
    }


def page_url(
    base: str,
    path: str,
    filters: list[tuple[str, str]],
    page_size: int,
    page: int,
    token: str | None,
) -> str:
    """`{base}{path}?{filters}&PageSize=N&Page=P[&PageToken=T]`, as Twilio orders them."""
    params = [*filters, ("PageSize", str(page_size)), ("Page", str(page))]
    if token is not None:
        params.append(("PageToken", token))
    return f"{base}{path}?{urlencode(params)}"


def meta_json(
    *,
    key: str,
    base: str,
    path: str,
    filters: list[tuple[str, str]],
    page_size: int,
    page: int,
    token: str | None,
    next_token: str | None,
    previous_token: str | None,
) -> Json:
    def url(page_no: int, tok: str | None) -> str:
        return page_url(base, path, filters, page_size, page_no, tok)

    return {
        "first_page_url": url(0, None),
        "key": key,
        "next_page_url": url(page + 1, next_token) if next_token else None,
        "page": page,
        "page_size": page_size,
        "previous_page_url": url(max(page - 1, 0), previous_token) if previous_token else None,
        "url": url(page, token),
    }


def alert_json(base: str, a: FakeAlert, account_sid: str) -> Json:
    """Monitor v1 Alert (the list's shape: no `request_variables`)."""
    return {
        "account_sid": account_sid,
        "alert_text": a.alert_text,
        "api_version": "2010-04-01",
        "date_created": iso(a.generated + 2),
        "date_generated": iso(a.generated),
        "date_updated": iso(a.generated + 2),
        "error_code": a.error_code,
        "log_level": a.log_level,
        "more_info": f"https://www.twilio.com/docs/errors/{a.error_code}",
        "request_method": "POST",  # the spec's enum has no null
        "request_url": a.request_url,
        "resource_sid": a.resource_sid,
        "sid": a.sid,
        "url": f"{base}/v1/Alerts/{a.sid}",
        "service_sid": a.service_sid,
    }


def user_json(api: ApiFlavor, base: str, u: FakeUser, s: FakeService, account_sid: str) -> Json:
    """A service's User. Chat v2 services here have reachability off: its flags are null."""
    url = f"{base}/{api.version}/Services/{s.sid}/Users/{u.sid}"
    common: Json = {
        "sid": u.sid,
        "account_sid": account_sid,
        "role_sid": s.role_sids[0],
        "identity": u.identity,
        "friendly_name": None,
        "attributes": "{}",
        "date_created": iso(u.created),
        "date_updated": iso(u.updated),
        "url": url,
    }
    if api is ApiFlavor.CONVERSATIONS:
        return common | {
            "chat_service_sid": s.sid,
            "is_online": False,
            "is_notifiable": u.is_notifiable,
            "links": {
                "user_conversations": f"{url}/Conversations",
            },
        }
    return common | {
        "service_sid": s.sid,
        "is_online": None,
        "is_notifiable": None,
        "joined_channels_count": 0,
        "links": {"user_channels": f"{url}/Channels", "user_bindings": f"{url}/Bindings"},
    }
