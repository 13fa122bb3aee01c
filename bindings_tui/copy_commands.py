"""Shell commands that fetch one binding: `curl`, and the twilio CLI.

Neither ever holds a secret. The curl command names the environment variables the
shell expands when it runs (`"$TWILIO_API_KEY:$TWILIO_API_SECRET"` for an API key,
`"$TWILIO_ACCOUNT_SID:$TWILIO_AUTH_TOKEN"` for an auth token), and the twilio CLI reads
its credentials from its own profile or environment. Only `ApiCredentials.api_key_sid`
(which variables), `region` and `edge` are read: never the secret.

The URL comes from the one builder of base URLs (`hosts.api_base_url`, region, edge
and an explicit `--base-url` included) and the one builder of binding paths
(`client.binding_path`, both SIDs validated). Every value is shell-quoted.
"""

from __future__ import annotations

import shlex
from typing import Final

from bindings_tui.client import binding_path
from bindings_tui.credentials import ApiCredentials
from bindings_tui.hosts import api_base_url
from bindings_tui.models import ApiFlavor
from bindings_tui.sids import validate_sid

# Quoted for the shell to expand: the values never enter the command.
API_KEY_AUTH: Final = '"$TWILIO_API_KEY:$TWILIO_API_SECRET"'
AUTH_TOKEN_AUTH: Final = '"$TWILIO_ACCOUNT_SID:$TWILIO_AUTH_TOKEN"'

# twilio-cli topics and the flag its generated command gives each path parameter
# (`ChatServiceSid` -> --chat-service-sid on Conversations, `ServiceSid` on Chat).
_TWILIO_FETCH: Final[dict[ApiFlavor, tuple[str, str]]] = {
    ApiFlavor.CONVERSATIONS: (
        "api:conversations:v1:services:bindings:fetch",
        "--chat-service-sid",
    ),
    ApiFlavor.CHAT: ("api:chat:v2:services:bindings:fetch", "--service-sid"),
}


def binding_url(
    credentials: ApiCredentials,
    api: ApiFlavor,
    service_sid: str,
    binding_sid: str,
    *,
    base_url: str | None = None,
    local_names: bool = False,
) -> str:
    """The binding's URL on the host the session talks to (region, edge, --base-url)."""
    base = api_base_url(
        api.host_prefix,
        credentials.region,
        credentials.edge,
        explicit=base_url,
        local_names=local_names,
    )
    return base + binding_path(api, service_sid, binding_sid)


def curl_command(
    credentials: ApiCredentials,
    api: ApiFlavor,
    service_sid: str,
    binding_sid: str,
    *,
    base_url: str | None = None,
    local_names: bool = False,
) -> str:
    """`curl -sS -u "$TWILIO_API_KEY:$TWILIO_API_SECRET" https://.../Bindings/BS...`."""
    auth = API_KEY_AUTH if credentials.api_key_sid else AUTH_TOKEN_AUTH
    url = binding_url(
        credentials, api, service_sid, binding_sid, base_url=base_url, local_names=local_names
    )
    return f"curl -sS -u {auth} {shlex.quote(url)}"


def twilio_cli_command(
    credentials: ApiCredentials, api: ApiFlavor, service_sid: str, binding_sid: str
) -> str:
    """`twilio api:conversations:v1:services:bindings:fetch --chat-service-sid IS... --sid
    BS...` (Chat v2: `api:chat:v2:...` with `--service-sid`). A region or edge of the
    session goes first as `TWILIO_REGION=`/`TWILIO_EDGE=`, which the twilio CLI reads."""
    topic, service_flag = _TWILIO_FETCH[api]
    words = [
        "twilio",
        topic,
        service_flag,
        validate_sid("IS", service_sid),
        "--sid",
        validate_sid("BS", binding_sid),
    ]
    location = (("TWILIO_REGION", credentials.region), ("TWILIO_EDGE", credentials.edge))
    env = [f"{name}={shlex.quote(value)}" for name, value in location if value]
    return " ".join(env + [shlex.quote(word) for word in words])


__all__ = ["binding_url", "curl_command", "twilio_cli_command"]
