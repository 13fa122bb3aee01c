"""`bindings_tui.copy_commands`: curl and twilio CLI commands that fetch one binding,
with the secret read from the environment when they run, never written into them."""

from __future__ import annotations

import asyncio
import json
import os
import shlex
import shutil

import pytest

from bindings_tui.copy_commands import binding_url, curl_command, twilio_cli_command
from bindings_tui.credentials import ApiCredentials
from bindings_tui.credentials.secret import Secret
from bindings_tui.errors import InputError, UnsafeUrlError
from bindings_tui.fake_twilio import FakeConfig, serve_in_background
from bindings_tui.models import ApiFlavor

ACCOUNT = "AC" + "0123456789abcdef" * 2
API_KEY = "SK" + "00112233445566778899aabbccddeeff"
SERVICE = "IS" + "a" * 32
BINDING = "BS" + "b" * 32
SECRET = "copy-cmd-Zq7XK2mVbN8wPq4L-never-shown"

TOKEN_CREDS = ApiCredentials(ACCOUNT, Secret(SECRET))
KEY_CREDS = ApiCredentials(ACCOUNT, Secret(SECRET), api_key_sid=API_KEY)


def test_curl_reads_the_secret_from_the_environment_by_auth_mode() -> None:
    token = curl_command(TOKEN_CREDS, ApiFlavor.CONVERSATIONS, SERVICE, BINDING)
    assert token == (
        'curl -sS -u "$TWILIO_ACCOUNT_SID:$TWILIO_AUTH_TOKEN" '
        f"https://conversations.twilio.com/v1/Services/{SERVICE}/Bindings/{BINDING}"
    )
    key = curl_command(KEY_CREDS, ApiFlavor.CHAT, SERVICE, BINDING)
    assert key == (
        'curl -sS -u "$TWILIO_API_KEY:$TWILIO_API_SECRET" '
        f"https://chat.twilio.com/v2/Services/{SERVICE}/Bindings/{BINDING}"
    )
    for command in (token, key):
        assert SECRET not in command
        assert API_KEY not in command and ACCOUNT not in command  # names, not values


def test_the_url_honours_region_edge_and_base_url() -> None:
    regional = ApiCredentials(ACCOUNT, Secret(SECRET), region="ie1", edge="dublin")
    assert binding_url(regional, ApiFlavor.CONVERSATIONS, SERVICE, BINDING) == (
        f"https://conversations.dublin.ie1.twilio.com/v1/Services/{SERVICE}/Bindings/{BINDING}"
    )
    edge_only = ApiCredentials(ACCOUNT, Secret(SECRET), edge="sydney")
    assert binding_url(edge_only, ApiFlavor.CHAT, SERVICE, BINDING).startswith(
        "https://chat.sydney.us1.twilio.com/v2/"
    )
    explicit = curl_command(
        regional, ApiFlavor.CHAT, SERVICE, BINDING, base_url="http://127.0.0.1:4555/"
    )
    assert explicit.endswith(f" http://127.0.0.1:4555/v2/Services/{SERVICE}/Bindings/{BINDING}")
    # The one builder's rules hold here too: no plain http off loopback, no user@host.
    for bad in ("http://evil.example", "https://user@evil.example", "https://h/?q=1"):
        with pytest.raises(UnsafeUrlError):
            curl_command(TOKEN_CREDS, ApiFlavor.CHAT, SERVICE, BINDING, base_url=bad)


def test_twilio_cli_uses_its_real_flags_and_the_sessions_location() -> None:
    conversations = twilio_cli_command(TOKEN_CREDS, ApiFlavor.CONVERSATIONS, SERVICE, BINDING)
    assert shlex.split(conversations) == [
        "twilio",
        "api:conversations:v1:services:bindings:fetch",
        "--chat-service-sid",
        SERVICE,
        "--sid",
        BINDING,
    ]
    chat = twilio_cli_command(KEY_CREDS, ApiFlavor.CHAT, SERVICE, BINDING)
    assert shlex.split(chat) == [
        "twilio",
        "api:chat:v2:services:bindings:fetch",
        "--service-sid",
        SERVICE,
        "--sid",
        BINDING,
    ]
    regional = ApiCredentials(ACCOUNT, Secret(SECRET), region="au1", edge="sydney")
    located = twilio_cli_command(regional, ApiFlavor.CHAT, SERVICE, BINDING)
    assert located.startswith("TWILIO_REGION=au1 TWILIO_EDGE=sydney twilio api:chat:v2:")
    for command in (conversations, chat, located):
        assert SECRET not in command and API_KEY not in command


@pytest.mark.parametrize(
    ("service", "binding"),
    [
        (SERVICE + "; rm -rf ~", BINDING),
        (SERVICE, "$(touch /tmp/pwned)"),
        (SERVICE, BINDING[:-1] + "\x1b"),
        ("IS" + "g" * 32, BINDING),
    ],
)
def test_values_are_validated_before_they_reach_a_command(service: str, binding: str) -> None:
    for build in (curl_command, twilio_cli_command):
        with pytest.raises(InputError):
            build(TOKEN_CREDS, ApiFlavor.CONVERSATIONS, service, binding)


@pytest.mark.skipif(shutil.which("curl") is None, reason="needs the curl program")
@pytest.mark.parametrize("api", [ApiFlavor.CONVERSATIONS, ApiFlavor.CHAT])
async def test_the_curl_command_fetches_the_binding_over_a_socket(api: ApiFlavor) -> None:
    """Run the copied command in a shell, credentials only in its environment."""
    config = FakeConfig(seed=3, bindings=60, api_keys={API_KEY: SECRET})
    async with serve_in_background(config) as (fake, base_url):
        service = fake.service_sids()[0]
        sid = sorted(fake.binding_sids(api, service))[0]
        creds = ApiCredentials(fake.config.account_sid, Secret(SECRET), api_key_sid=API_KEY)
        command = curl_command(creds, api, service, sid, base_url=base_url)
        assert SECRET not in command
        env = {**os.environ, "TWILIO_API_KEY": API_KEY, "TWILIO_API_SECRET": SECRET}
        proc = await asyncio.create_subprocess_exec(
            "sh",
            "-c",
            command,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(proc.communicate(), 60)
        assert proc.returncode == 0, err.decode()
        fetched = json.loads(out)
        assert fetched["sid"] == sid
        # Without the variables the same command is refused: the secret is not in it.
        bare = {k: v for k, v in os.environ.items() if not k.startswith("TWILIO_")}
        proc = await asyncio.create_subprocess_exec(
            "sh", "-c", command, env=bare, stdout=asyncio.subprocess.PIPE
        )
        out, _ = await asyncio.wait_for(proc.communicate(), 60)
        assert json.loads(out).get("status") == 401
