"""Base URLs per API flavour, with Twilio's region/edge host rewriting."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from bindings_tui.errors import UnsafeUrlError
from bindings_tui.models import ApiFlavor


def twilio_host(api: ApiFlavor, region: str | None = None, edge: str | None = None) -> str:
    """`conversations.twilio.com`, or `conversations.{edge}.{region}.twilio.com`.

    Mirrors twilio-python: an edge without a region implies region us1; a region
    alone gives `conversations.{region}.twilio.com`.
    """
    product = api.host_prefix
    if edge and not region:
        region = "us1"
    parts = [product]
    if edge:
        parts.append(edge)
    if region:
        parts.append(region)
    return ".".join([*parts, "twilio.com"])


def default_base_url(api: ApiFlavor, region: str | None = None, edge: str | None = None) -> str:
    return f"https://{twilio_host(api, region, edge)}"


def is_loopback_host(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_base_url(url: str) -> str:
    """Return the base URL without a trailing slash; refuse plain HTTP off loopback."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeUrlError(f"base URL {url!r} must look like https://host[:port]")
    if parts.scheme == "http" and not is_loopback_host(parts.hostname):
        raise UnsafeUrlError(
            f"refusing plain http:// to {parts.hostname}: credentials would travel "
            "unencrypted (http is allowed only for loopback addresses)"
        )
    if parts.query or parts.fragment:
        raise UnsafeUrlError(f"base URL {url!r} must not carry a query or fragment")
    return url.rstrip("/")
