"""The kit itself, checked with a plain httpx client: a failing product test must be about
the product, never about a server that misbehaved in a way it was not asked to."""

from __future__ import annotations

import gzip
import socket
import zlib

import httpx
import pytest

from tests.hostile.servers import FOREIGN_HOST, HOST, Drop, Hang, HostileServer, Reply, head
from tests.hostile.twilio import (
    FOREIGN_SID,
    SERVICE,
    TwilioLike,
    binding,
    bindings_path,
    double_gzip_bomb,
    encoded_reply,
    gzip_bomb,
    oversized_page,
    page,
    page_url,
)

MIB = 1 << 20


def test_pages_follow_page_tokens_and_unknown_paths_get_the_lure(hostile: HostileServer) -> None:
    b = hostile.base_url
    hostile.serve(TwilioLike(pages=[page(b, [binding(1)], next_url=page_url(b, 1)), page(b, [])]))
    with httpx.Client(base_url=b, timeout=5) as client:
        first = client.get(bindings_path(), params={"PageSize": 100}).json()
        assert first["bindings"][0]["identity"] == "user-1"
        assert client.get(first["meta"]["next_page_url"]).json()["bindings"] == []
        assert client.get(bindings_path(), params={"PageToken": "PT9"}).status_code == 400
        assert client.get("/v1/Credentials").json()["bindings"][0]["sid"] == FOREIGN_SID
        assert client.get(f"/v1/Services/{SERVICE}").json()["sid"] == SERVICE
        long_target = bindings_path() + "?x=" + "a" * 60_000
        assert client.get(long_target).status_code == 200
    seen = hostile.requests
    assert [r.method for r in seen] == ["GET"] * 6
    assert seen[-1].target == long_target  # long request lines are read and recorded whole
    assert not any(r.has_auth for r in seen)


def test_drop_and_hang_behave(hostile: HostileServer) -> None:
    hostile.serve(TwilioLike(pages=[Drop(head(200, [], 100) + b'{"a'), Hang()]))
    with httpx.Client(base_url=hostile.base_url, timeout=0.5) as client:
        with pytest.raises(httpx.RemoteProtocolError):
            client.get(bindings_path())
        with pytest.raises(httpx.ReadTimeout):
            client.get(bindings_path(), params={"PageToken": "PT1"})


def test_dripped_head_still_forms_a_valid_response(hostile: HostileServer) -> None:
    from tests.hostile.servers import Drip

    hostile.serve(TwilioLike(pages=[Drip(b"", head(200, [], 2) + b"{}", 0.01)]))
    response = httpx.get(hostile.base_url + bindings_path(), timeout=10)
    assert response.status_code == 200 and response.json() == {}


def test_bombs_are_valid_and_expand_past_the_cap() -> None:
    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    assert len(d.decompress(gzip_bomb(), 80 * MIB)) == 80 * MIB  # > 64 MiB, from ~1 MB
    assert len(gzip_bomb()) < 2 * MIB
    inner = gzip.decompress(double_gzip_bomb())
    d2 = zlib.decompressobj(16 + zlib.MAX_WBITS)
    assert set(d2.decompress(inner, MIB)) == {0}
    assert len(inner) > 100 * len(double_gzip_bomb())  # each layer multiplies
    assert len(inner) * 900 < 4 << 30 < len(inner) * 1100


def test_headers_can_lie_and_bodies_stream(hostile: HostileServer) -> None:
    hostile.serve(
        TwilioLike(
            pages=[
                encoded_reply(b'{"a": 1}', "x-evil"),
                oversized_page(),
                Reply(302, b"", [("Location", "http://127.0.0.2/steal")]),
            ]
        )
    )
    with httpx.Client(base_url=hostile.base_url, timeout=5) as client:
        evil = client.get(bindings_path())
        assert evil.headers["content-encoding"] == "x-evil"
        with client.stream("GET", bindings_path(), params={"PageToken": "PT1"}) as big:
            assert sum(len(c) for c in big.iter_raw()) == 80 * MIB
        redirect = client.get(bindings_path(), params={"PageToken": "PT2"})
        assert redirect.status_code == 302


def test_foreign_listener_records_every_byte(hostile: HostileServer) -> None:
    assert hostile.base_url.startswith(f"http://{HOST}:")
    assert hostile.foreign.base_url.startswith(f"http://{FOREIGN_HOST}:")
    httpx.get(hostile.foreign.base_url + "/steal", headers={"Authorization": "Basic eA=="})
    assert b"GET /steal" in hostile.foreign.received
    assert b"Authorization: Basic eA==" in hostile.foreign.received
    hostile.serve(TwilioLike())
    assert hostile.foreign.received == b""


def test_servers_listen_on_loopback_only(hostile: HostileServer) -> None:
    for host, port in ((HOST, hostile.port), (FOREIGN_HOST, hostile.foreign.port)):
        with socket.create_connection((host, port), timeout=5):
            pass
    assert hostile.requests == []


def test_each_listing_scenario_serves_what_it_says(hostile: HostileServer) -> None:
    """Plain httpx (no decoding where a bomb is involved) against every LISTING entry."""
    from tests.hostile.scenarios import (
        DEEP,
        LISTING,
        dated_records,
        hostile_records,
    )

    b = hostile.base_url
    first = bindings_path() + "?PageSize=100"
    with httpx.Client(base_url=b, timeout=5) as client:

        def get(name: str) -> httpx.Response:
            hostile.serve(LISTING[name](hostile))
            return client.get(first)

        def raw(name: str) -> tuple[httpx.Headers, bytes]:
            hostile.serve(LISTING[name](hostile))
            with client.stream("GET", first) as response:
                return response.headers, b"".join(response.iter_raw())

        headers, body = raw("gzip-bomb")
        assert headers["content-encoding"] == "gzip" and body == gzip_bomb()
        headers, body = raw("unknown-encoding")
        assert headers["content-encoding"] == "x-evil" and b'"bindings"' in body
        for name, status in (("nested-page", 200), ("nested-error", 400)):
            response = get(name)
            assert response.status_code == status and DEEP in response.content
        assert get("bad-dates").json()["bindings"] == dated_records(b)
        assert get("hostile-text").json()["bindings"] == hostile_records(b)
        assert get("hostile-error").json()["code"] == 20001
        assert len(get("too-many-records").json()["bindings"]) == 1_001
        assert get("redirect").headers["location"].startswith("http://127.0.0.2:")
        assert get("malformed-sid").json()["bindings"][0]["sid"].startswith("BS\x1b]52;")
        for name in ("next-other-service", "next-nul", "next-dot-segments", "next-foreign-host"):
            assert get(name).json()["meta"]["next_page_url"], name
        assert len(get("next-over-64KB").json()["meta"]["next_page_url"]) > 64 * 1024


def test_drip_keeps_sending_one_byte_at_a_time(hostile: HostileServer) -> None:
    """The 1-byte-a-second drip never lets a 2 s read timeout fire."""
    from tests.hostile.scenarios import LISTING

    hostile.serve(LISTING["drip-headers"](hostile))
    with socket.create_connection((HOST, hostile.port), timeout=2.5) as sock:
        sock.sendall(f"GET {bindings_path()} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        got = b"".join(sock.recv(16) for _ in range(3))
    assert got == b"HTT"
