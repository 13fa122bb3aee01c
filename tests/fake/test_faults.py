"""Each fault does what it says, scripted or drawn from a --faults spec."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from bindings_tui.errors import (
    AuthError,
    InvalidPageTokenError,
    NetworkError,
    PaginationLoopError,
    RateLimitedError,
    ResponseFormatError,
    ServerError,
)
from bindings_tui.fake_twilio import (
    FAKE_BASE_URL,
    FAULT_KINDS,
    FAULTS_HELP,
    ConnectionDropped,
    FakeConfig,
    FakeTwilio,
    parse_fault_spec,
)
from bindings_tui.fake_twilio import app as app_module
from bindings_tui.models import ApiFlavor
from bindings_tui.retry import NO_RETRY
from tests.fake.conftest import ClientFactory, authed_http


def _bindings(service: str, api: ApiFlavor = ApiFlavor.CONVERSATIONS) -> str:
    return f"/{api.version}/Services/{service}/Bindings"


@pytest.mark.parametrize(
    ("kind", "status", "code"),
    [
        ("429", 429, 20429),
        ("429-retry-after", 429, 20429),
        ("500", 500, 20500),
        ("502", 502, 20500),
        ("503", 503, 20500),
        ("504", 504, 20500),
        ("401", 401, 20003),
        ("21481", 400, 21481),
    ],
)
async def test_error_faults_send_twilio_bodies(
    fake: FakeTwilio, http: httpx.AsyncClient, main_service: str, kind: str, status: int, code: int
) -> None:
    fake.faults.script(kind, path_contains="/Bindings")
    r = await http.get(_bindings(main_service))
    assert r.status_code == status
    body = r.json()
    assert body["code"] == code and body["status"] == status
    assert body["more_info"] == f"https://www.twilio.com/docs/errors/{code}"
    assert (r.headers.get("Retry-After") == "1") is (kind == "429-retry-after")
    # One shot: the next request is normal again.
    assert (await http.get(_bindings(main_service))).status_code == 200
    assert fake.faults.pending == 0
    assert [f[0] for f in fake.faults.fired] == [kind]


@pytest.mark.parametrize(
    ("kind", "error"),
    [
        ("429", RateLimitedError),
        ("503", ServerError),
        ("html-error", ServerError),
        ("drop", NetworkError),
        ("truncate", ResponseFormatError),
        ("empty-body", ResponseFormatError),
    ],
)
async def test_client_retries_transient_faults(
    fake: FakeTwilio,
    client_for: ClientFactory,
    main_service: str,
    kind: str,
    error: type[Exception],
) -> None:
    fake.faults.script(kind, path_contains="PageToken=", times=2)
    async with client_for() as client:
        got = await client.list_bindings(main_service, page_size=40)
    assert {b.sid for b in got} == fake.binding_sids(ApiFlavor.CONVERSATIONS, main_service)
    assert [f[0] for f in fake.faults.fired] == [kind, kind]
    # Without retries the same fault surfaces as the matching error.
    fake.faults.script(kind)
    async with client_for(retry=NO_RETRY) as client:
        with pytest.raises(error):
            await client.list_bindings(main_service)


async def test_drop_is_a_transport_error_in_process(
    fake: FakeTwilio, http: httpx.AsyncClient, main_service: str
) -> None:
    fake.faults.script("drop")
    with pytest.raises(httpx.TransportError) as info:
        await http.get(_bindings(main_service))
    assert isinstance(info.value, ConnectionDropped)


async def test_truncate_cuts_the_json(
    fake: FakeTwilio, http: httpx.AsyncClient, main_service: str
) -> None:
    full = await http.get(_bindings(main_service))
    fake.faults.script("truncate", keep=0.3)
    cut = await http.get(_bindings(main_service))
    assert cut.status_code == 200
    assert int(cut.headers["content-length"]) == len(cut.content)
    assert 0 < len(cut.content) < len(full.content)
    assert full.content.startswith(cut.content)
    with pytest.raises(json.JSONDecodeError):
        cut.json()


async def test_truncate_can_claim_the_full_length(fake: FakeTwilio, main_service: str) -> None:
    fake.faults.script("truncate", lie_length=True)
    response = await fake_raw(fake, _bindings(main_service))
    status, headers, body = response
    assert status == 200
    assert int(headers[b"content-length"]) > len(body)


async def fake_raw(fake: FakeTwilio, path: str) -> tuple[int, dict[bytes, bytes], bytes]:
    """Call the ASGI app directly: what was sent, without a client interpreting it."""
    creds = fake.credentials()
    token = httpx.BasicAuth(creds.username, creds.secret.reveal())._auth_header.encode()
    sent: list[dict[str, object]] = []

    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "GET",
        "path": path,
        "query_string": b"",
        "headers": [(b"host", b"fake-twilio.localhost"), (b"authorization", token)],
        "scheme": "http",
    }
    await fake(scope, receive, send)  # type: ignore[arg-type]
    start = sent[0]
    headers = dict(start["headers"])  # type: ignore[call-overload]
    body = b"".join(m["body"] for m in sent[1:])  # type: ignore[misc]
    return int(start["status"]), headers, body  # type: ignore[call-overload]


async def test_slow_answers_normally_after_waiting(
    http: httpx.AsyncClient, main_service: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = FakeTwilio(FakeConfig(bindings=60, slow_seconds=12.5))
    waits: list[float] = []
    real_sleep = asyncio.sleep

    async def recording_sleep(seconds: float) -> None:
        waits.append(seconds)
        await real_sleep(0)

    monkeypatch.setattr(app_module.asyncio, "sleep", recording_sleep)
    async with authed_http(fake) as client:
        service = fake.service_sids()[0]
        fake.faults.script("slow")
        fake.faults.script("slow", seconds=0.25)
        for _ in range(3):
            r = await client.get(_bindings(service))
            assert r.status_code == 200 and len(r.json()["bindings"]) == 50
    assert waits == [12.5, 0.25]
    assert [f[0] for f in fake.faults.fired] == ["slow", "slow"]


async def test_next_page_same_is_caught_as_a_loop(
    fake: FakeTwilio, client_for: ClientFactory, main_service: str
) -> None:
    fake.faults.script("next-page-same", path_contains="PageToken=")
    async with client_for() as client:
        with pytest.raises(PaginationLoopError):
            await client.list_bindings(main_service, page_size=50)


async def test_next_page_same_repeats_the_url(
    fake: FakeTwilio, http: httpx.AsyncClient, main_service: str
) -> None:
    first = (await http.get(_bindings(main_service))).json()
    fake.faults.script("next-page-same")
    second = (await http.get(first["meta"]["next_page_url"])).json()
    assert second["meta"]["next_page_url"] == first["meta"]["next_page_url"]


async def test_next_page_foreign_host(
    fake: FakeTwilio, http: httpx.AsyncClient, client_for: ClientFactory, main_service: str
) -> None:
    fake.faults.script("next-page-foreign-host")
    body = (await http.get(_bindings(main_service), params={"PageSize": 20})).json()
    assert body["meta"]["next_page_url"].startswith("http://127.0.0.2:80/v1/Services/")
    fake.faults.script("next-page-foreign-host", host="https://evil.example")
    fake.requests.clear()
    async with client_for() as client:
        got = await client.list_bindings(main_service, page_size=100)
    # The client follows only the path: everything still went to the fake's own host.
    assert len(got) == len(fake.binding_sids(ApiFlavor.CONVERSATIONS, main_service))
    assert {r.host for r in fake.requests} == {"fake-twilio.localhost"}


async def test_redirect(
    fake: FakeTwilio, http: httpx.AsyncClient, client_for: ClientFactory, main_service: str
) -> None:
    fake.faults.script("redirect")
    r = await http.get(_bindings(main_service), params={"PageSize": 3})
    assert r.status_code == 302
    assert r.headers["location"] == (f"http://127.0.0.2:80{_bindings(main_service)}?PageSize=3")
    fake.faults.script("redirect", location="https://evil.example/steal")
    async with client_for() as client:
        with pytest.raises(ResponseFormatError, match="redirect"):
            await client.list_bindings(main_service)


async def test_html_error_and_empty_body(
    fake: FakeTwilio, http: httpx.AsyncClient, main_service: str
) -> None:
    fake.faults.script("html-error")
    r = await http.get(_bindings(main_service))
    assert r.status_code == 500 and r.headers["content-type"].startswith("text/html")
    assert r.text.startswith("<!DOCTYPE html>")
    fake.faults.script("empty-body")
    r = await http.get(_bindings(main_service))
    assert r.status_code == 200 and r.content == b""


async def test_oversized(fake: FakeTwilio, http: httpx.AsyncClient, main_service: str) -> None:
    fake.faults.script("oversized", size_mb=2)
    r = await http.get(_bindings(main_service))
    assert r.status_code == 200 and len(r.content) > 2 * 1024 * 1024
    assert isinstance(r.json(), dict)
    fake.faults.script("oversized", size_mb=1)
    creds = fake.credentials()
    from bindings_tui.client import TwilioClient

    async with TwilioClient(
        creds,
        base_url=FAKE_BASE_URL,
        transport=fake.transport(),
        max_body_bytes=512 * 1024,
        retry=NO_RETRY,
    ) as client:
        with pytest.raises(ResponseFormatError, match="larger than"):
            await client.list_bindings(main_service)


async def test_missing_meta_key(
    fake: FakeTwilio, http: httpx.AsyncClient, client_for: ClientFactory, main_service: str
) -> None:
    fake.faults.script("missing-meta-key")
    body = (await http.get(_bindings(main_service))).json()
    assert "key" not in body["meta"] and len(body["bindings"]) == 50
    fake.faults.script("missing-meta-key")
    async with client_for(retry=NO_RETRY) as client:
        with pytest.raises(ResponseFormatError, match=r"meta\.key"):
            await client.list_bindings(main_service)


async def test_wrong_types(fake: FakeTwilio, http: httpx.AsyncClient, main_service: str) -> None:
    fake.faults.script("wrong-types")
    body = (await http.get(_bindings(main_service))).json()
    record = body["bindings"][0]
    assert isinstance(record["sid"], str)
    assert isinstance(record["identity"], int)
    assert isinstance(record["message_types"], str)
    assert isinstance(body["meta"]["page"], str)
    fake.faults.script("wrong-types", break_sid=True)
    sid = sorted(fake.binding_sids(ApiFlavor.CONVERSATIONS, main_service))[0]
    fetched = (await http.get(f"{_bindings(main_service)}/{sid}")).json()
    assert isinstance(fetched["sid"], int) and isinstance(fetched["binding_type"], list)


async def test_401_fault_through_client(
    fake: FakeTwilio, client_for: ClientFactory, main_service: str
) -> None:
    fake.faults.script("401")
    async with client_for() as client:
        with pytest.raises(AuthError):
            await client.list_bindings(main_service)
    fake.faults.script("21481", path_contains="PageToken=")
    async with client_for() as client:
        with pytest.raises(InvalidPageTokenError):
            await client.list_bindings(main_service, page_size=100)


async def test_method_and_times_filters(
    fake: FakeTwilio, http: httpx.AsyncClient, main_service: str
) -> None:
    sid = sorted(fake.binding_sids(ApiFlavor.CONVERSATIONS, main_service))[0]
    fake.faults.script("503", method="DELETE", times=2)
    assert (await http.get(_bindings(main_service))).status_code == 200
    path = f"{_bindings(main_service)}/{sid}"
    assert (await http.delete(path)).status_code == 503
    assert (await http.delete(path)).status_code == 503
    assert sid in fake.binding_sids(ApiFlavor.CONVERSATIONS, main_service)
    assert (await http.delete(path)).status_code == 204
    assert fake.faults.pending == 0


def test_script_rejects_unknown_kinds(fake: FakeTwilio) -> None:
    with pytest.raises(ValueError, match="unknown fault kind"):
        fake.faults.script("teapot")
    with pytest.raises(ValueError):
        fake.faults.script("429", times=0)


# ---- the --faults spec ------------------------------------------------------------------


def test_parse_fault_spec() -> None:
    spec = "429:0.1, 429-retry-after:0.05,500:0.05,503:0.05,drop:0.02,truncate:0.02,slow:0.01"
    parsed = parse_fault_spec(spec)
    assert parsed[0] == ("429", 0.1) and parsed[-1] == ("slow", 0.01)
    assert parse_fault_spec("") == []
    for bad in ("429", "teapot:0.1", "500:x", "500:1.5", "500:0.6,503:0.6"):
        with pytest.raises(ValueError):
            parse_fault_spec(bad)


def test_help_lists_every_kind() -> None:
    for kind in FAULT_KINDS:
        assert f"  {kind} " in FAULTS_HELP


async def _fired_for(seed: int, spec: str) -> list[tuple[str, str, str]]:
    fake = FakeTwilio(FakeConfig(seed=seed, bindings=60, faults=spec))
    service = fake.service_sids()[0]
    async with authed_http(fake) as http:
        for n in range(60):
            await http.get(_bindings(service), params={"PageSize": 1 + n % 5})
    return fake.faults.fired


async def test_random_faults_replay_per_seed() -> None:
    spec = "429:0.2,500:0.1,truncate:0.1"
    first = await _fired_for(3, spec)
    assert first == await _fired_for(3, spec)
    assert first != await _fired_for(4, spec)
    assert {kind for kind, _, _ in first} == {"429", "500", "truncate"}
    assert 5 < len(first) < 40


async def test_random_faults_spare_deletes() -> None:
    fake = FakeTwilio(FakeConfig(bindings=20, faults="500:1"))
    service = fake.service_sids()[0]
    sid = sorted(fake.binding_sids(ApiFlavor.CONVERSATIONS, service))[0]
    async with authed_http(fake) as http:
        assert (await http.get(_bindings(service))).status_code == 500
        assert (await http.delete(f"{_bindings(service)}/{sid}")).status_code == 204
