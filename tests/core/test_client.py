"""TwilioClient against scripted transports: pagination, security rule, retries, errors."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from bindings_tui.client import TwilioClient
from bindings_tui.credentials import ApiCredentials
from bindings_tui.errors import (
    ApiError,
    AuthError,
    InputError,
    InvalidPageTokenError,
    NotFoundError,
    PaginationLoopError,
    RateLimitedError,
    ResponseFormatError,
    ServerError,
    UnsafeUrlError,
)
from bindings_tui.models import ApiFlavor
from bindings_tui.responses import parse_error_body
from bindings_tui.retry import RetryPolicy

ACCOUNT = "AC" + "a" * 32
SERVICE = "IS" + "b" * 32
SECRET = "s3cr3t-token-value-1234"
CREDS = ApiCredentials(ACCOUNT, SECRET)
BASE = "https://conversations.example.test"


def bs(n: int) -> str:
    return f"BS{n:032x}"


def binding(n: int, **extra: Any) -> dict[str, Any]:
    return {
        "sid": bs(n),
        "account_sid": ACCOUNT,
        "chat_service_sid": SERVICE,
        "identity": f"user{n}",
        "binding_type": "apn",
        "endpoint": f"endpoint-{n}",
        "message_types": ["new_message"],
        "credential_sid": None,
        "date_created": "2016-10-21T11:37:03Z",
        "date_updated": "2016-10-21T11:37:03Z",
        "url": f"{BASE}/v1/Services/{SERVICE}/Bindings/{bs(n)}",
        **extra,
    }


def page(
    records: list[dict[str, Any]], next_url: str | None, key: str = "bindings"
) -> dict[str, Any]:
    return {
        key: records,
        "meta": {
            "key": key,
            "page": 0,
            "page_size": 50,
            "next_page_url": next_url,
            "first_page_url": "x",
            "previous_page_url": None,
            "url": "x",
        },
    }


Handler = Callable[[httpx.Request], httpx.Response]


def make_client(handler: Handler, **kwargs: Any) -> tuple[TwilioClient, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request)

    async def no_sleep(_: float) -> None:
        return None

    client = TwilioClient(
        CREDS,
        kwargs.pop("api", ApiFlavor.CONVERSATIONS),
        base_url=kwargs.pop("base_url", BASE),
        transport=httpx.MockTransport(record),
        sleep=kwargs.pop("sleep", no_sleep),
        **kwargs,
    )
    return client, seen


async def test_first_request_uses_repeated_keys_and_documented_page_size() -> None:
    client, seen = make_client(lambda r: httpx.Response(200, json=page([binding(1)], None)))
    async with client:
        got = await client.list_bindings(
            SERVICE, identities=["alice", "bob"], binding_types=["apn", "fcm"]
        )
    assert [b.sid for b in got] == [bs(1)]
    query = seen[0].url.params
    assert query.get_list("BindingType") == ["apn", "fcm"]
    assert query.get_list("Identity") == ["alice", "bob"]
    assert query["PageSize"] == "1000"  # the API reference's maximum (request_checks)
    assert "Page" not in query
    assert seen[0].url.path == f"/v1/Services/{SERVICE}/Bindings"


async def test_chat_asks_for_1000_on_its_own_path() -> None:
    client, seen = make_client(
        lambda r: httpx.Response(200, json=page([], None)), api=ApiFlavor.CHAT, base_url=BASE
    )
    async with client:
        await client.list_bindings(SERVICE)
    assert seen[0].url.params["PageSize"] == "1000"
    assert seen[0].url.path == f"/v2/Services/{SERVICE}/Bindings"


def _refuses_page_size_above(limit: int) -> Handler:
    """A server that answers like Twilio to a PageSize above `limit`: 400, code 20001."""

    def handle(request: httpx.Request) -> httpx.Response:
        size = request.url.params.get("PageSize")
        if size is not None and int(size) > limit:
            body = {"code": 20001, "message": f"Invalid PageSize {size}", "status": 400}
            return httpx.Response(400, json=body)
        return httpx.Response(200, json=page([binding(1)], None))

    return handle


@pytest.mark.parametrize(
    ("api", "spec_max"), [(ApiFlavor.CONVERSATIONS, 100), (ApiFlavor.CHAT, 50)]
)
async def test_a_refused_default_page_size_falls_back_to_the_spec_maximum_for_good(
    api: ApiFlavor, spec_max: int, caplog: pytest.LogCaptureFixture
) -> None:
    client, seen = make_client(_refuses_page_size_above(spec_max), api=api)
    caplog.set_level("INFO", logger="bindings_tui.client")
    async with client:
        first = await client.list_bindings(SERVICE)
        second = await client.list_bindings(SERVICE, binding_types=["apn"])
    assert [b.sid for b in first] == [bs(1)] and [b.sid for b in second] == [bs(1)]
    sizes = [r.url.params["PageSize"] for r in seen]
    # One refused request, its retry, then the next listing asks for the spec's size at once.
    assert sizes == ["1000", str(spec_max), str(spec_max)]
    assert client.page_size_fallback
    lines = [r.getMessage() for r in caplog.records if "PageSize" in r.getMessage()]
    assert len(lines) == 1 and f"using {spec_max}" in lines[0]


async def test_an_explicit_page_size_the_server_refuses_is_an_error() -> None:
    client, seen = make_client(_refuses_page_size_above(100))
    async with client:
        with pytest.raises(ApiError, match="PageSize"):
            await client.list_bindings(SERVICE, page_size=500)
    assert [r.url.params["PageSize"] for r in seen] == ["500"]
    assert not client.page_size_fallback


async def test_a_400_not_about_page_size_is_not_retried() -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        body = {"code": 20001, "message": "Invalid Identity", "status": 400}
        return httpx.Response(400, json=body)

    client, seen = make_client(handle)
    async with client:
        with pytest.raises(ApiError, match="Identity"):
            await client.list_bindings(SERVICE)
    assert len(seen) == 1 and not client.page_size_fallback


async def test_follows_next_page_url_but_only_on_the_configured_host() -> None:
    """The body says evil.example; we keep the path+query and send it to our own base."""

    def handler(request: httpx.Request) -> httpx.Response:
        if "PageToken" not in request.url.params:
            nxt = f"https://evil.example:8443/v1/Services/{SERVICE}/Bindings?PageSize=2&Page=1&PageToken=PT1"
            return httpx.Response(200, json=page([binding(1), binding(2)], nxt))
        return httpx.Response(200, json=page([binding(3)], None))

    client, seen = make_client(handler)
    async with client:
        pages = [p async for p in client.iter_binding_pages(SERVICE)]
    assert [len(p.items) for p in pages] == [2, 1]
    assert all(r.url.host == "conversations.example.test" for r in seen)
    assert seen[1].url.params["PageToken"] == "PT1"
    assert seen[1].url.params["Page"] == "1"
    assert all(r.headers["Authorization"].startswith("Basic ") for r in seen)


async def test_repeated_next_page_url_is_stopped() -> None:
    nxt = f"{BASE}/v1/Services/{SERVICE}/Bindings?PageSize=1&Page=1&PageToken=SAME"
    client, seen = make_client(lambda r: httpx.Response(200, json=page([binding(1)], nxt)))
    async with client:
        with pytest.raises(PaginationLoopError, match="same next_page_url"):
            await client.list_bindings(SERVICE)
    assert len(seen) == 2  # first page, then SAME once; SAME again is caught before sending


async def test_endless_pages_are_bounded() -> None:
    counter = iter(range(10_000))

    def handler(request: httpx.Request) -> httpx.Response:
        n = next(counter)
        nxt = f"{BASE}/v1/Services/{SERVICE}/Bindings?PageToken=T{n}"
        return httpx.Response(200, json=page([binding(n)], nxt))

    client, seen = make_client(handler, max_pages=20)
    async with client:
        with pytest.raises(PaginationLoopError, match="20 pages"):
            await client.list_bindings(SERVICE)
    assert len(seen) == 20


async def test_retries_429_and_503_then_succeeds() -> None:
    answers = iter(
        [
            httpx.Response(
                429, json={"code": 20429, "message": "Too Many Requests", "status": 429}
            ),
            httpx.Response(503, text="Service Unavailable"),
            httpx.Response(200, json=page([binding(1)], None)),
        ]
    )
    client, seen = make_client(lambda r: next(answers))
    async with client:
        got = await client.list_bindings(SERVICE)
    assert len(got) == 1
    assert len(seen) == 3


async def test_retry_after_header_is_honoured() -> None:
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    answers = iter(
        [
            httpx.Response(429, headers={"Retry-After": "2"}, json={"code": 20429, "message": "x"}),
            httpx.Response(200, json=page([], None)),
        ]
    )
    client = TwilioClient(
        CREDS, base_url=BASE, transport=httpx.MockTransport(lambda r: next(answers)), sleep=sleep
    )
    async with client:
        await client.list_bindings(SERVICE)
    assert waits == [2.0]


async def test_persistent_429_gives_up_after_bounded_tries() -> None:
    body = {
        "code": 20429,
        "message": "Too Many Requests",
        "more_info": "https://www.twilio.com/docs/errors/20429",
        "status": 429,
    }
    client, seen = make_client(
        lambda r: httpx.Response(429, json=body), retry=RetryPolicy(max_attempts=4)
    )
    async with client:
        with pytest.raises(RateLimitedError) as info:
            await client.list_bindings(SERVICE)
    assert len(seen) == 4
    assert "20429" in info.value.user_message()
    assert "https://www.twilio.com/docs/errors/20429" in info.value.user_message()


async def test_connection_error_is_retried() -> None:
    calls = {"n": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        if calls["n"] == 1:
            raise httpx.ConnectError("boom", request=request)
        return httpx.Response(200, json=page([binding(1)], None))

    client, _ = make_client(handler)
    async with client:
        assert len(await client.list_bindings(SERVICE)) == 1
    assert calls["n"] == 2


async def test_auth_error_is_not_retried_and_names_the_code() -> None:
    body = {
        "code": 20003,
        "detail": "",
        "message": "Authenticate",
        "more_info": "https://www.twilio.com/docs/errors/20003",
        "status": 401,
    }
    client, seen = make_client(lambda r: httpx.Response(401, json=body))
    async with client:
        with pytest.raises(AuthError) as info:
            await client.list_bindings(SERVICE)
    assert len(seen) == 1
    message = info.value.user_message()
    assert "20003" in message and "Authenticate" in message
    assert SECRET not in message and SECRET not in repr(info.value)


async def test_invalid_page_token_maps_to_its_own_error() -> None:
    body = {
        "code": 21481,
        "message": "Invalid PageToken",
        "more_info": "https://www.twilio.com/docs/errors/21481",
        "status": 400,
    }
    client, _ = make_client(lambda r: httpx.Response(400, json=body))
    async with client:
        with pytest.raises(InvalidPageTokenError):
            await client.list_bindings(SERVICE)


async def test_truncated_json_is_retried_then_reported() -> None:
    client, seen = make_client(
        lambda r: httpx.Response(200, content=b'{"bindings": [{"sid": "BS'),
        retry=RetryPolicy(max_attempts=2),
    )
    async with client:
        with pytest.raises(ResponseFormatError, match="not valid JSON"):
            await client.list_bindings(SERVICE)
    assert len(seen) == 2


async def test_missing_meta_key_is_a_clear_error() -> None:
    client, _ = make_client(lambda r: httpx.Response(200, json={"bindings": [], "meta": {}}))
    async with client:
        with pytest.raises(ResponseFormatError, match=r"meta\.key"):
            await client.list_bindings(SERVICE)


async def test_redirect_is_not_followed() -> None:
    client, seen = make_client(
        lambda r: httpx.Response(302, headers={"Location": "https://evil.example/steal"})
    )
    async with client:
        with pytest.raises(ResponseFormatError, match="redirect"):
            await client.fetch_binding(SERVICE, bs(1))
    assert len(seen) == 1


async def test_oversized_body_is_refused() -> None:
    client, _ = make_client(lambda r: httpx.Response(200, content=b" " * 5000), max_body_bytes=1000)
    async with client:
        with pytest.raises(ResponseFormatError, match="larger than"):
            await client.fetch_binding(SERVICE, bs(1))


async def test_input_validation_happens_before_any_request() -> None:
    client, seen = make_client(lambda r: httpx.Response(200, json=page([], None)))
    async with client:
        with pytest.raises(InputError, match="service SID"):
            await client.list_bindings("IS123")
        with pytest.raises(InputError, match="binding type"):
            await client.list_bindings(SERVICE, binding_types=["twilsock", "sms"])
        with pytest.raises(InputError, match="page size"):
            await client.list_bindings(SERVICE, page_size=1001)
    assert seen == []


async def test_chat_rejects_twilsock() -> None:
    client, _ = make_client(lambda r: httpx.Response(200, json=page([], None)), api=ApiFlavor.CHAT)
    async with client:
        with pytest.raises(InputError, match="twilsock"):
            await client.list_bindings(SERVICE, binding_types=["twilsock"])


def test_plain_http_is_refused_off_loopback() -> None:
    with pytest.raises(UnsafeUrlError, match="plain http"):
        TwilioClient(CREDS, base_url="http://conversations.twilio.com")
    TwilioClient(CREDS, base_url="http://127.0.0.1:4010")
    TwilioClient(CREDS, base_url="http://localhost:4010")
    TwilioClient(CREDS, base_url="http://[::1]:4010")


def test_default_hosts_follow_region_and_edge() -> None:
    assert TwilioClient(CREDS).base_url == "https://conversations.twilio.com"
    assert TwilioClient(CREDS, ApiFlavor.CHAT).base_url == "https://chat.twilio.com"
    edge = ApiCredentials(ACCOUNT, SECRET, edge="sydney")
    assert TwilioClient(edge).base_url == "https://conversations.sydney.us1.twilio.com"
    both = ApiCredentials(ACCOUNT, SECRET, region="au1", edge="sydney")
    assert TwilioClient(both).base_url == "https://conversations.sydney.au1.twilio.com"
    region = ApiCredentials(ACCOUNT, SECRET, region="ie1")
    assert TwilioClient(region, ApiFlavor.CHAT).base_url == "https://chat.ie1.twilio.com"


@pytest.mark.parametrize(
    ("status", "body", "cls", "code"),
    [
        (401, {"code": 20003, "message": "Authenticate", "status": 401}, AuthError, 20003),
        (404, {"code": 20404, "message": "nope", "status": 404}, NotFoundError, 20404),
        (429, {"code": 20429, "message": "Too Many Requests"}, RateLimitedError, 20429),
        (400, {"code": 21481, "message": "Invalid PageToken"}, InvalidPageTokenError, 21481),
        (500, None, ServerError, None),
    ],
)
def test_error_body_parsing(status: int, body: Any, cls: type[ApiError], code: int | None) -> None:
    raw = json.dumps(body).encode() if body is not None else b"<html>oops</html>"
    error = parse_error_body(status, raw, "GET", "/v1/x")
    assert type(error) is cls
    assert error.code == code
    if code:
        assert error.more_info == f"https://www.twilio.com/docs/errors/{code}"
    else:
        assert "non-JSON body" in error.message


def test_error_bodies_from_the_reference_all_parse(error_bodies: dict[str, Any]) -> None:
    for name, entry in error_bodies.items():
        if name.startswith("_"):
            continue
        error = parse_error_body(
            entry["http_status"], json.dumps(entry["body"]).encode(), "GET", "/p"
        )
        assert error.status == entry["http_status"]
        assert error.message, name
        if "code" in entry["body"]:
            assert error.code == entry["body"]["code"]


def test_rfc9457_shape_is_understood() -> None:
    body = {
        "type": "https://www.twilio.com/docs/api/errors/20001",
        "title": "Invalid parameter",
        "status": 400,
        "code": 20001,
        "detail": "The 'PhoneNumber' parameter is required.",
    }
    error = parse_error_body(400, json.dumps(body).encode(), "GET", "/p")
    assert error.code == 20001
    assert "PhoneNumber" in error.message
    assert error.more_info == body["type"]


def test_error_message_makes_escape_sequences_visible() -> None:
    body = {"code": 20001, "message": "bad \x1b]52;c;aGk=\x07 value"}
    error = parse_error_body(400, json.dumps(body).encode(), "GET", "/p")
    assert "\x1b" not in error.user_message()
    assert "\\x1b" in error.user_message()


def test_error_link_from_the_server_is_made_inert_too() -> None:
    # more_info is server data like the message: a hostile link must not reach a terminal raw.
    body = {"code": 20001, "message": "x", "more_info": "https://e.test/\x1b]0;pwned\x07\n\u202e"}
    error = parse_error_body(400, json.dumps(body).encode(), "GET", "/p")
    shown = error.user_message()
    assert "\x1b" not in shown and "\x07" not in shown and "\n" not in shown
    assert "\u202e" not in shown
    assert error.more_info == "https://e.test/\\x1b]0;pwned\\x07\\x0a\\u202e"


def test_client_repr_hides_the_secret() -> None:
    client = TwilioClient(CREDS, base_url=BASE)
    assert SECRET not in repr(client)
    assert SECRET not in repr(CREDS)
    assert SECRET[-4:] in repr(CREDS)


async def test_first_page_url_sent_back_as_next_is_a_loop() -> None:
    """Page 1's own URL as next_page_url must not yield page 1 twice."""

    def handler(request: httpx.Request) -> httpx.Response:
        body = page([binding(1)], f"{BASE}/v1/Services/{SERVICE}/Bindings?Page=0&PageSize=100")
        body["meta"]["url"] = f"{BASE}/v1/Services/{SERVICE}/Bindings?PageSize=100&Page=0"
        return httpx.Response(200, json=body)

    client, seen = make_client(handler)
    async with client:
        with pytest.raises(PaginationLoopError):
            await client.list_bindings(SERVICE)
    assert len(seen) == 1
