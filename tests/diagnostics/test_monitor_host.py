"""Monitor alerts go where the other products go: the same region/edge rules, or the one
explicit base URL; the credentials never go anywhere else."""

from __future__ import annotations

from bindings_tui.client import TwilioClient
from bindings_tui.credentials import ApiCredentials
from bindings_tui.credentials.secret import Secret
from bindings_tui.models import ApiFlavor

ACCOUNT = "AC" + "1" * 32


async def test_monitor_follows_region_and_edge() -> None:
    creds = ApiCredentials(ACCOUNT, Secret("s" * 32), region="ie1", edge="dublin")
    async with TwilioClient(creds, ApiFlavor.CONVERSATIONS) as client:
        assert client.base_url == "https://conversations.dublin.ie1.twilio.com"
        assert client.monitor_client().base_url == "https://monitor.dublin.ie1.twilio.com"
        assert client.monitor_client() is client.monitor_client()
    async with TwilioClient(ApiCredentials(ACCOUNT, Secret("s" * 32)), ApiFlavor.CHAT) as chat:
        assert chat.monitor_client().base_url == "https://monitor.twilio.com"


async def test_an_explicit_base_url_serves_every_product() -> None:
    creds = ApiCredentials(ACCOUNT, Secret("s" * 32), region="ie1")
    async with TwilioClient(creds, base_url="https://twilio.example.test:8443") as client:
        assert client.monitor_client().base_url == "https://twilio.example.test:8443"
