"""Credentials go only to the configured host: `hosts.api_base_url` is the one constructor.

Attacked from every way a region, an edge or a base URL gets in: the constructor itself,
`ApiCredentials` (and `dataclasses.replace` on it), `TwilioClient`, and a client whose
transport records every request (none may leave for a host we did not build).
"""

from __future__ import annotations

import dataclasses

import httpx
import pytest

from bindings_tui.client import TwilioClient
from bindings_tui.credentials import ApiCredentials
from bindings_tui.errors import BindingsError, InputError, UnsafeUrlError
from bindings_tui.hosts import (
    BadBaseUrlError,
    api_base_url,
    check_explicit_base_url,
    pin_base_url,
    twilio_host,
    validate_location,
)
from bindings_tui.models import ApiFlavor

ACCOUNT = "AC" + "a" * 32
SECRET = "host-test-secret-0123456789"

# Every one of these, as a region or an edge, must be refused before any client exists.
HOSTILE_LOCATIONS = [
    "x@evil.example:443/",
    "evil.example#",
    "us1/../",
    "a.b",
    "IE1",
    "Dublin",
    "a" * 100,
    "ie1\n",
    "\nie1",
    " ie1",
    "ie1 ",
    "ie1\x00",
    "ie\x1b]52;c;cm0gLXJmIH4=\x07",
    "ａ",  # fullwidth a: not ASCII
    "ie1．evil",  # fullwidth full stop, which IDNA maps to a dot
    "-ie1",
    "ie1-",
    "ie1:443",
    "ie1?x",
    "ie1%2e",
    "ie1\\evil",
    "\u202eie1",
]


@pytest.mark.parametrize("value", HOSTILE_LOCATIONS)
@pytest.mark.parametrize("kind", ["region", "edge"])
def test_hostile_location_is_refused_by_the_one_check(kind: str, value: str) -> None:
    with pytest.raises(InputError) as info:
        validate_location(kind, value)
    message = info.value.user_message()
    assert kind in message
    assert message.isprintable(), "the message shows the value inert"
    assert len(message) < 300


@pytest.mark.parametrize("value", HOSTILE_LOCATIONS)
@pytest.mark.parametrize("kind", ["region", "edge"])
def test_credentials_refuse_a_hostile_location_on_every_construction(kind: str, value: str) -> None:
    with pytest.raises(InputError):
        ApiCredentials(ACCOUNT, SECRET, **{kind: value})
    good = ApiCredentials(ACCOUNT, SECRET, region="ie1", edge="dublin")
    # dataclasses.replace (how --region/--edge override a profile) runs __post_init__ too.
    with pytest.raises(InputError):
        dataclasses.replace(good, **{kind: value})


@pytest.mark.parametrize("value", HOSTILE_LOCATIONS)
def test_client_refuses_credentials_smuggled_past_validation(value: str) -> None:
    """Even credentials whose frozen fields were forced afterwards never build a host."""
    creds = ApiCredentials(ACCOUNT, SECRET)
    object.__setattr__(creds, "region", value)
    with pytest.raises(BindingsError):
        TwilioClient(creds)
    with pytest.raises(BindingsError):
        twilio_host("conversations", value, None)


@pytest.mark.parametrize(
    ("product", "region", "edge", "host"),
    [
        ("conversations", None, None, "conversations.twilio.com"),
        ("conversations", "ie1", "dublin", "conversations.dublin.ie1.twilio.com"),
        ("chat", "ie1", None, "chat.ie1.twilio.com"),
        ("conversations", None, "sydney", "conversations.sydney.us1.twilio.com"),
        ("chat", "br1", "sao-paulo", "chat.sao-paulo.br1.twilio.com"),
        ("conversations", "us1", "ashburn-ix", "conversations.ashburn-ix.us1.twilio.com"),
        ("monitor", "au1", "sydney", "monitor.sydney.au1.twilio.com"),
        ("conversations", "", "", "conversations.twilio.com"),
    ],
)
def test_valid_locations_build_the_twilio_host(
    product: str, region: str | None, edge: str | None, host: str
) -> None:
    assert api_base_url(product, region, edge) == f"https://{host}"


def test_unknown_product_is_refused() -> None:
    with pytest.raises(UnsafeUrlError):
        api_base_url("evil.example/")


HOSTILE_BASE_URLS = [
    ("http://127.0.0.1:99999", "1..65535"),
    ("http://127.0.0.1:0", "1..65535"),
    ("http://127.0.0.1:123456789012", "must look like"),
    ("https://user:pw@127.0.0.1:4010", "user name"),
    ("https://evil.example@127.0.0.1", "user name"),
    ("https://127.0.0.1:4010@evil.example", "user name"),
    ("http://127.0.0.1\\@evil.example", "user name"),
    ("http://127.0.0.1:1/?x=1", "query or fragment"),
    ("http://127.0.0.1:1#frag", "query or fragment"),
    ("ftp://127.0.0.1", "must look like"),
    ("127.0.0.1:4010", "must look like"),
    ("http://example.com", "refusing plain http://"),
    ("http://127.0.0.1.evil.example", "refusing plain http://"),
    ("http://localhost.evil.example", "refusing plain http://"),
    ("http://[::ffff:8.8.8.8]", "refusing plain http://"),
    ("http://127.0.0.1:4010/a b", "must look like"),
    ("http://127.0.0.1:4010/\x1b]0;title\x07", "printable ASCII"),
    ("https://evil\x00.example", "printable ASCII"),
    ("https://ｅvil.example", "printable ASCII"),
    ("https://" + "a" * 3000, "at most"),
    ("https://-evil.example", "not a host name"),
    ("https://evil..example", "not a host name"),
    ("https://[not-v6]", "must look like"),
    ("https://127.0.0.1:4010/%2e%2e", "must look like"),
    ("", "empty"),
]


@pytest.mark.parametrize(("url", "needle"), HOSTILE_BASE_URLS)
def test_hostile_explicit_base_url_is_one_input_error(url: str, needle: str) -> None:
    with pytest.raises(BadBaseUrlError) as info:
        check_explicit_base_url(url)
    assert isinstance(info.value, InputError) and isinstance(info.value, UnsafeUrlError)
    message = info.value.user_message()
    assert needle in message
    assert message.isprintable() and len(message) < 400
    with pytest.raises(BadBaseUrlError):
        TwilioClient(ApiCredentials(ACCOUNT, SECRET), base_url=url)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://127.0.0.1:4010/", "http://127.0.0.1:4010"),
        ("http://localhost:4010", "http://localhost:4010"),
        ("http://[::1]:4010", "http://[::1]:4010"),
        ("https://proxy.example.com/twilio", "https://proxy.example.com/twilio"),
        ("HTTPS://api.example.com:8443", "https://api.example.com:8443"),
    ],
)
def test_reasonable_base_urls_are_kept(url: str, expected: str) -> None:
    assert api_base_url("conversations", explicit=url) == expected


def test_pin_refuses_a_url_whose_host_httpx_reads_differently() -> None:
    with pytest.raises(UnsafeUrlError):
        pin_base_url("https://evil.example", "conversations.twilio.com", None)
    with pytest.raises(UnsafeUrlError):
        pin_base_url("https://conversations.twilio.com:8443", "conversations.twilio.com", None)
    with pytest.raises(UnsafeUrlError):
        pin_base_url("https://a@conversations.twilio.com", "conversations.twilio.com", None)


async def test_every_request_goes_to_the_host_built_from_region_and_edge() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(
            200, json={"services": [], "meta": {"key": "services", "next_page_url": None}}
        )

    creds = ApiCredentials(ACCOUNT, SECRET, region="ie1", edge="dublin")
    for api, host in (
        (ApiFlavor.CONVERSATIONS, "conversations.dublin.ie1.twilio.com"),
        (ApiFlavor.CHAT, "chat.dublin.ie1.twilio.com"),
    ):
        seen.clear()
        async with TwilioClient(creds, api, transport=httpx.MockTransport(handler)) as client:
            await client.list_services()
        assert seen, "the request was made"
        assert {(r.url.scheme, r.url.host, r.url.port) for r in seen} == {("https", host, None)}
        assert all(r.headers.get("authorization", "").startswith("Basic ") for r in seen)


def test_localhost_subdomains_over_http_only_in_process() -> None:
    """`*.localhost` may be resolved through DNS by the system resolver: plain http with
    credentials to such a name is refused unless no request can leave the process."""
    with pytest.raises(BadBaseUrlError, match="plain http"):
        check_explicit_base_url("http://fake-twilio.localhost")
    assert check_explicit_base_url("http://localhost:4010") == "http://localhost:4010"
    assert (
        check_explicit_base_url("http://fake-twilio.localhost", local_names=True)
        == "http://fake-twilio.localhost"
    )
    creds = ApiCredentials("AC" + "0" * 32, "token-123456789")
    with pytest.raises(BadBaseUrlError):
        TwilioClient(creds, base_url="http://x.localhost", transport=httpx.AsyncHTTPTransport())
    in_process = TwilioClient(
        creds, base_url="http://x.localhost", transport=httpx.MockTransport(lambda r: None)
    )
    assert in_process.base_url == "http://x.localhost"
