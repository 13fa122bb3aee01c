"""Listing behaviour: cursors, filters, page sizes, deletion mid-listing, URLs."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

from bindings_tui.errors import ApiError, InvalidPageTokenError
from bindings_tui.fake_twilio import FAKE_BASE_URL, FakeTwilio
from bindings_tui.models import ApiFlavor
from tests.fake.conftest import ClientFactory

APIS = [ApiFlavor.CONVERSATIONS, ApiFlavor.CHAT]


def _path(api: ApiFlavor, service: str) -> str:
    return f"/{api.version}/Services/{service}/Bindings"


@pytest.mark.parametrize("api", APIS)
async def test_every_sid_exactly_once_across_small_pages(
    fake: FakeTwilio, main_service: str, client_for: ClientFactory, api: ApiFlavor
) -> None:
    async with client_for(api) as client:
        pages = [p async for p in client.iter_binding_pages(main_service, page_size=7)]
    sids = [b.sid for page in pages for b in page.items]
    assert len(sids) == len(set(sids))
    assert set(sids) == fake.binding_sids(api, main_service)
    assert len(pages) == -(-len(sids) // 7)
    assert all(len(p.items) == 7 for p in pages[:-1])
    assert pages[-1].next_page_url is None
    assert [p.page for p in pages] == list(range(len(pages)))


async def test_chat_leaves_twilsock_out(fake: FakeTwilio, main_service: str) -> None:
    v1 = fake.binding_sids(ApiFlavor.CONVERSATIONS, main_service)
    v2 = fake.binding_sids(ApiFlavor.CHAT, main_service)
    twilsock = {b.sid for b in fake.bindings(main_service) if b.binding_type == "twilsock"}
    assert twilsock, "the seed must hold twilsock bindings"
    assert v2 == v1 - twilsock


@pytest.mark.parametrize("api", APIS)
@pytest.mark.parametrize(
    ("types", "identities"),
    [
        (["apn"], []),
        (["apn", "gcm"], []),
        ([], ["olivia.chen@example.com"]),
        ([], ["olivia.chen@example.com", "bob[/b]", "田中太郎@example.jp", "nobody"]),
        (["fcm"], ["priya.patel@acme.test", "usr_shared_tablet", "olivia.chen@example.com"]),
    ],
)
async def test_filters_are_and_between_or_within(
    fake: FakeTwilio,
    main_service: str,
    client_for: ClientFactory,
    api: ApiFlavor,
    types: list[str],
    identities: list[str],
) -> None:
    expected = {
        b.sid
        for b in fake.bindings(main_service)
        if b.binding_type in (types or api.binding_types)
        and (not identities or b.identity in identities)
    }
    assert expected, "each case must select something"
    async with client_for(api) as client:
        got = await client.list_bindings(
            main_service, binding_types=types, identities=identities, page_size=3
        )
    sids = [b.sid for b in got]
    assert len(sids) == len(set(sids))
    assert set(sids) == expected


async def test_twilsock_filter_on_conversations(
    fake: FakeTwilio, main_service: str, client_for: ClientFactory
) -> None:
    async with client_for() as client:
        got = await client.list_bindings(main_service, binding_types=["twilsock"])
    assert got and all(b.binding_type == "twilsock" for b in got)


async def test_chat_refuses_twilsock_filter(http: httpx.AsyncClient, main_service: str) -> None:
    r = await http.get(_path(ApiFlavor.CHAT, main_service), params={"BindingType": "twilsock"})
    assert r.status_code == 400
    assert r.json()["code"] == 20001


@pytest.mark.parametrize("api", APIS)
async def test_deletion_mid_listing_keeps_the_cursor(
    fake: FakeTwilio, main_service: str, client_for: ClientFactory, api: ApiFlavor
) -> None:
    before = fake.binding_sids(api, main_service)
    seen: list[str] = []
    deleted: set[str] = set()
    async with client_for(api) as client:
        async for page in client.iter_binding_pages(main_service, page_size=10):
            seen += [b.sid for b in page.items]
            if len(seen) == 20:
                # Delete the last record of this page (the cursor's anchor), one already
                # listed and one not yet listed.
                upcoming = sorted(before - set(seen))
                for sid in (seen[-1], seen[0], upcoming[0]):
                    await client.delete_binding(main_service, sid)
                    deleted.add(sid)
    assert len(seen) == len(set(seen))
    assert set(seen) == before - {sorted(before - set(seen[:20]))[0]}
    assert fake.binding_sids(api, main_service) == before - deleted


async def test_invalid_page_token(http: httpx.AsyncClient, main_service: str) -> None:
    for token in ("garbage", "PAIS" + "0" * 32, "PA" + "BS" + "z" * 32, ""):
        r = await http.get(
            _path(ApiFlavor.CONVERSATIONS, main_service), params={"PageToken": token}
        )
        assert r.status_code == 400, token
        assert r.json() == {
            "code": 21481,
            "message": "Invalid PageToken",
            "more_info": "https://www.twilio.com/docs/errors/21481",
            "status": 400,
        }


async def test_invalid_page_token_through_the_client(
    client_for: ClientFactory, main_service: str
) -> None:
    async with client_for() as client:
        with pytest.raises(InvalidPageTokenError):
            await client._get_json(
                _path(ApiFlavor.CONVERSATIONS, main_service), [("PageToken", "nope")]
            )


@pytest.mark.parametrize("size", ["0", "1001", "-5", "ten", "1.5"])
async def test_page_size_out_of_range(
    http: httpx.AsyncClient, main_service: str, size: str
) -> None:
    r = await http.get(_path(ApiFlavor.CHAT, main_service), params={"PageSize": size})
    assert r.status_code == 400
    assert r.json()["code"] == 20001


async def test_page_size_default_and_max(http: httpx.AsyncClient, main_service: str) -> None:
    r = await http.get(_path(ApiFlavor.CONVERSATIONS, main_service))
    assert len(r.json()["bindings"]) == 50 and r.json()["meta"]["page_size"] == 50
    r = await http.get(_path(ApiFlavor.CONVERSATIONS, main_service), params={"PageSize": 1000})
    body = r.json()
    assert len(body["bindings"]) == 300 and body["meta"]["next_page_url"] is None


@pytest.mark.parametrize(
    ("key", "value"), [("BindingType", "apn,fcm"), ("Identity", "a@example.com,b@example.com")]
)
async def test_comma_joined_filters_are_rejected(
    http: httpx.AsyncClient, main_service: str, key: str, value: str
) -> None:
    r = await http.get(_path(ApiFlavor.CONVERSATIONS, main_service), params={key: value})
    assert r.status_code == 400
    body = r.json()
    assert body["code"] == 20001 and body["status"] == 400
    assert set(body) >= {"code", "message", "more_info", "status"}


async def test_meta_urls_are_absolute_on_the_request_host(
    fake: FakeTwilio, main_service: str
) -> None:
    creds = fake.credentials()
    for base in ("http://127.0.0.1:4010", "https://conversations.twilio.test", FAKE_BASE_URL):
        async with httpx.AsyncClient(
            transport=fake.transport(), base_url=base, auth=(creds.username, creds.secret.reveal())
        ) as http:
            r = await http.get(
                _path(ApiFlavor.CONVERSATIONS, main_service),
                params=[("BindingType", "apn"), ("Identity", "bob[/b]"), ("PageSize", "2")],
            )
        body = r.json()
        meta = body["meta"]
        for key in ("url", "first_page_url"):
            assert meta[key].startswith(base + "/v1/Services/"), meta[key]
        assert meta["previous_page_url"] is None
        assert body["bindings"][0]["url"].startswith(base + "/v1/")


async def test_next_and_previous_urls_carry_page_size_page_and_token(
    http: httpx.AsyncClient, main_service: str
) -> None:
    path = _path(ApiFlavor.CONVERSATIONS, main_service)
    first = (await http.get(path, params=[("PageSize", "5"), ("BindingType", "apn")])).json()
    next_url = first["meta"]["next_page_url"]
    query = dict(parse_qsl(urlsplit(next_url).query))
    assert query["PageSize"] == "5" and query["Page"] == "1" and query["PageToken"]
    assert query["BindingType"] == "apn"
    assert first["meta"]["first_page_url"].endswith("BindingType=apn&PageSize=5&Page=0")
    second = (await http.get(next_url)).json()
    assert second["meta"]["page"] == 1 and second["meta"]["url"] == next_url
    back = (await http.get(second["meta"]["previous_page_url"])).json()
    assert [b["sid"] for b in back["bindings"]] == [b["sid"] for b in first["bindings"]]
    assert back["meta"]["previous_page_url"] is None
    assert all(b["binding_type"] == "apn" for b in second["bindings"])


async def test_bare_page_number_without_token(http: httpx.AsyncClient, main_service: str) -> None:
    path = _path(ApiFlavor.CONVERSATIONS, main_service)
    page0 = (await http.get(path, params={"PageSize": 4})).json()
    page1 = (await http.get(page0["meta"]["next_page_url"])).json()
    numbered = (await http.get(path, params={"PageSize": 4, "Page": 1})).json()
    assert [b["sid"] for b in numbered["bindings"]] == [b["sid"] for b in page1["bindings"]]


async def test_empty_service(
    fake: FakeTwilio, client_for: ClientFactory, http: httpx.AsyncClient
) -> None:
    empty = fake.service_sids()[2]
    body = (await http.get(_path(ApiFlavor.CHAT, empty))).json()
    assert body["bindings"] == [] and body["meta"]["next_page_url"] is None
    assert body["meta"]["key"] == "bindings"
    async with client_for() as client:
        assert await client.list_bindings(empty) == []


async def test_fetch_and_delete(
    fake: FakeTwilio, main_service: str, http: httpx.AsyncClient
) -> None:
    sid = sorted(fake.binding_sids(ApiFlavor.CHAT, main_service))[0]
    for api in APIS:
        r = await http.get(f"{_path(api, main_service)}/{sid}")
        assert r.status_code == 200 and r.json()["sid"] == sid
    r = await http.delete(f"{_path(ApiFlavor.CHAT, main_service)}/{sid}")
    assert r.status_code == 204 and r.content == b""
    assert sid not in fake.binding_sids(ApiFlavor.CONVERSATIONS, main_service)
    for api in APIS:
        path = f"{_path(api, main_service)}/{sid}"
        r = await http.get(path)
        assert r.status_code == 404
        assert r.json() == {
            "code": 20404,
            "message": f"The requested resource {path} was not found",
            "more_info": "https://www.twilio.com/docs/errors/20404",
            "status": 404,
        }
    assert (await http.delete(f"{_path(ApiFlavor.CHAT, main_service)}/{sid}")).status_code == 404


async def test_chat_hides_twilsock_bindings_on_fetch(
    fake: FakeTwilio, main_service: str, http: httpx.AsyncClient
) -> None:
    sid = next(b.sid for b in fake.bindings(main_service) if b.binding_type == "twilsock")
    assert (await http.get(f"{_path(ApiFlavor.CHAT, main_service)}/{sid}")).status_code == 404
    v1 = await http.get(f"{_path(ApiFlavor.CONVERSATIONS, main_service)}/{sid}")
    assert v1.json()["binding_type"] == "twilsock"


async def test_unknown_service_and_route(http: httpx.AsyncClient) -> None:
    for path in ("/v1/Services/IS" + "0" * 32 + "/Bindings", "/v3/Services", "/v1/Nope"):
        r = await http.get(path)
        assert r.status_code == 404
        assert r.json()["code"] == 20404 and path in r.json()["message"]
    r = await http.post("/v1/Services/IS" + "0" * 32 + "/Bindings")
    assert r.status_code == 405


async def test_services_credentials_and_notifications(
    fake: FakeTwilio, client_for: ClientFactory
) -> None:
    main, staging, _empty = fake.service_sids()
    for api in APIS:
        async with client_for(api) as client:
            services = await client.list_services()
            assert {s.sid for s in services} == set(fake.service_sids())
            assert all(s.friendly_name for s in services)
            assert (await client.fetch_service(main)).sid == main
            assert (await client.fetch_notification_config(main))["new_message"]["enabled"]
            config = await client.fetch_notification_config(staging)
            assert config["new_message"]["enabled"] is False
            types = set()
            for sid in fake.store.credentials:
                credential = await client.fetch_credential(sid)
                types.add((credential.type, credential.sandbox))
            assert types == {("apn", True), ("apn", False), ("fcm", False), ("gcm", False)}
            with pytest.raises(ApiError):
                await client.fetch_credential(fake.store.missing_credential_sid)


@pytest.mark.parametrize("api", APIS)
async def test_a_binding_gives_back_exactly_the_json_the_server_sent(
    http: httpx.AsyncClient, main_service: str, api: ApiFlavor
) -> None:
    """Bindings keep their JSON in a compact form (shared SIDs, rebuilt URL and dates);
    what `raw` gives back, and so JSON output and the raw view, is the server's object."""
    from bindings_tui.models import Binding

    body = (await http.get(_path(api, main_service), params={"PageSize": 100})).json()
    records = body[body["meta"]["key"]]
    assert records
    for record in records:
        binding = Binding.from_json(record)
        assert binding.raw == record
        assert list(binding.raw) == list(record)  # same key order
        assert binding.url == record["url"]
    odd = dict(
        records[0], url="https://elsewhere.example/x", date_updated="2016-10-21T11:37:03+00:00"
    )
    assert Binding.from_json(odd).raw == odd  # not rebuildable: kept as sent
