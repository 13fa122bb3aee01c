"""The one constructor of Twilio base URLs: credentials go only to the configured host.

Every base URL the client uses comes from `api_base_url`:
- a product's Twilio host, `{product}[.{edge}][.{region}].twilio.com`, where region and
  edge are short lowercase tokens checked by `validate_location` wherever they come from
  (flags, environment, profiles, the twilio-cli import, the TUI); or
- an explicit `--base-url`, checked by `check_explicit_base_url`.
The result is then checked once more by `pin_base_url`, with httpx's own URL parser (the
one that decides where the connection goes): its host must be exactly the expected one.
Nothing else in the code builds a host.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Final

from bindings_tui.errors import InputError, UnsafeUrlError
from bindings_tui.textsafe import clip, make_visible

TWILIO_DOMAIN: Final = "twilio.com"
# Products whose hosts we build (the push APIs, and Monitor for alerts).
PRODUCTS: Final = frozenset({"conversations", "chat", "monitor"})
DEFAULT_REGION: Final = "us1"
MAX_LOCATION_CHARS: Final = 32
MAX_BASE_URL_CHARS: Final = 2048
# A DNS label: lowercase ASCII letters, digits and inner hyphens (us1, ie1, sao-paulo).
_LOCATION_RE: Final = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?")
# What may appear between `//` and the path of an explicit base URL: host, port, brackets.
_NETLOC_RE: Final = re.compile(r"(?:[A-Za-z0-9.\-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,10})?")
_PATH_RE: Final = re.compile(r"(?:/[A-Za-z0-9._~\-]*)*")


class BadBaseUrlError(UnsafeUrlError, InputError):
    """An explicit base URL we refuse: bad input (exit 2) and an unsafe URL at once."""


def shown(value: str, width: int = 60) -> str:
    """User text quoted for an error message: control characters visible, clipped."""
    return "'" + clip(make_visible(value), width) + "'"


def validate_location(kind: str, value: str | None) -> str | None:
    """A region (`ie1`) or edge (`dublin`): a short lowercase token; None or "" means none.

    Nothing is stripped or lowercased: `IE1`, ` ie1` and `ie1\\n` are refused, so what is
    validated is exactly what reaches the host name.
    """
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise InputError(f"the {kind} must be text")
    if len(value) > MAX_LOCATION_CHARS or not _LOCATION_RE.fullmatch(value):
        raise InputError(
            f"{shown(value)} is not a valid {kind}: use up to {MAX_LOCATION_CHARS} lowercase "
            "letters, digits and '-' (for example us1, ie1, au1, dublin or sydney)"
        )
    return value


def twilio_host(product: str, region: str | None = None, edge: str | None = None) -> str:
    """`{product}.twilio.com`, or `{product}[.{edge}][.{region}].twilio.com`.

    Mirrors twilio-python: an edge without a region implies region us1; a region alone
    gives `{product}.{region}.twilio.com`.
    """
    if product not in PRODUCTS:
        raise UnsafeUrlError(f"unknown Twilio product {shown(product)}")
    region = validate_location("region", region)
    edge = validate_location("edge", edge)
    if edge and not region:
        region = DEFAULT_REGION
    return ".".join(part for part in (product, edge, region, TWILIO_DOMAIN) if part)


def is_loopback_host(host: str, *, local_names: bool = False) -> bool:
    """`localhost` or a loopback address. Other `*.localhost` names count only for an
    in-process transport (`local_names`): over a real network, the resolver may send such
    a name to DNS, and plain http with credentials could leave the machine."""
    host = host.lower().rstrip(".")
    if host == "localhost" or (local_names and host.endswith(".localhost")):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_explicit_base_url(url: str, *, local_names: bool = False) -> str:
    """An explicit base URL (`--base-url`), without a trailing slash, or BadBaseUrlError.

    https to any host, or http to a loopback address only; no userinfo, a port in
    1..65535, a plain path, no query or fragment, printable ASCII only.
    """
    if not isinstance(url, str) or not url:
        raise BadBaseUrlError("the base URL is empty: give it like https://host[:port]")
    if len(url) > MAX_BASE_URL_CHARS or not (url.isascii() and url.isprintable()):
        raise BadBaseUrlError(
            f"base URL {shown(url)} must be printable ASCII of at most "
            f"{MAX_BASE_URL_CHARS} characters"
        )
    scheme, sep, rest = url.partition("://")
    if not sep or scheme.lower() not in ("http", "https"):
        raise BadBaseUrlError(f"base URL {shown(url)} must look like https://host[:port]")
    if "?" in rest or "#" in rest:
        raise BadBaseUrlError(f"base URL {shown(url)} must not carry a query or fragment")
    netloc, slash, path = rest.partition("/")
    if "@" in netloc:
        raise BadBaseUrlError(
            f"base URL {shown(url)} must not carry a user name or password (user@host)"
        )
    if not _NETLOC_RE.fullmatch(netloc) or not _PATH_RE.fullmatch(slash + path):
        raise BadBaseUrlError(f"base URL {shown(url)} must look like https://host[:port][/path]")
    host, port = _split_netloc(netloc)
    if not netloc.startswith("[") and not is_dns_name_or_ip(host):
        raise BadBaseUrlError(f"base URL {shown(url)}: {shown(host)} is not a host name")
    if port is not None and not 1 <= port <= 65535:
        raise BadBaseUrlError(f"base URL {shown(url)}: the port must be within 1..65535")
    if scheme.lower() == "http" and not is_loopback_host(host, local_names=local_names):
        raise BadBaseUrlError(
            f"refusing plain http:// to {shown(host)}: credentials would travel "
            "unencrypted (http is allowed only for loopback addresses)"
        )
    return f"{scheme.lower()}://{netloc}{slash}{path}".rstrip("/")


def is_dns_name_or_ip(host: str) -> bool:
    try:
        ipaddress.IPv4Address(host)
    except ValueError:
        pass
    else:
        return True
    labels = host.rstrip(".").split(".")
    return len(host) <= 253 and all(
        len(label) <= 63 and _LOCATION_RE.fullmatch(label) for label in labels
    )


def _split_netloc(netloc: str) -> tuple[str, int | None]:
    if netloc.startswith("["):
        host, _, tail = netloc[1:].partition("]")
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            raise BadBaseUrlError(f"{shown(netloc)} is not an IPv6 address") from None
        port_text = tail[1:] if tail.startswith(":") else ""
    else:
        host, _, port_text = netloc.partition(":")
    return host.lower(), int(port_text) if port_text else None


def pin_base_url(url: str, expected_host: str, expected_port: int | None) -> str:
    """The last check before a client exists: httpx must read the same host and port.

    Parsers disagree on odd URLs (`a@b`, backslashes, percent-escapes); the credentials
    follow httpx's reading, so that is the one that must match.
    """
    # Here, not at the top: argument parsing checks URLs with this module, and importing
    # httpx (which imports rich and click for its own CLI) is most of a parse's cost.
    import httpx

    try:
        parsed = httpx.URL(url)
        port = parsed.port
    except (httpx.InvalidURL, ValueError, TypeError):
        raise UnsafeUrlError(f"base URL {shown(url)} cannot be parsed") from None
    if (
        parsed.userinfo
        or parsed.query
        or parsed.fragment
        or parsed.host.lower().rstrip(".") != expected_host.lower().strip("[]").rstrip(".")
        or port != expected_port
    ):
        raise UnsafeUrlError(
            f"refusing base URL {shown(url)}: its host is not {shown(expected_host)}"
        )
    return url


def api_base_url(
    product: str,
    region: str | None = None,
    edge: str | None = None,
    *,
    explicit: str | None = None,
    local_names: bool = False,
) -> str:
    """The base URL of a product: the explicit one when given, else its Twilio host.

    The only function that builds a base URL; the client refuses anything else.
    `local_names`: the requests never reach a network (an in-process transport).
    """
    if explicit is not None:
        url = check_explicit_base_url(explicit, local_names=local_names)
        host, port = _split_netloc(url.partition("://")[2].partition("/")[0])
        default_port = 443 if url.startswith("https") else 80
        return pin_base_url(url, host, None if port == default_port else port)
    host = twilio_host(product, region, edge)
    return pin_base_url(f"https://{host}", host, None)


__all__ = [
    "DEFAULT_REGION",
    "PRODUCTS",
    "BadBaseUrlError",
    "api_base_url",
    "check_explicit_base_url",
    "is_loopback_host",
    "pin_base_url",
    "shown",
    "twilio_host",
    "validate_location",
]
