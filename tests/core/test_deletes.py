"""The one delete routine (bindings_tui.deletes): every outcome is reported truthfully."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest

from bindings_tui.deletes import DeleteOutcome, DeleteResult, delete_many
from bindings_tui.errors import AuthError
from bindings_tui.models import ApiFlavor
from bindings_tui.retry import RetryPolicy

from .test_client import SERVICE, binding, bs, make_client

NOT_FOUND = {"code": 20404, "message": "The requested resource was not found", "status": 404}
SERVICE_PATH = f"/v1/Services/{SERVICE}"


def scripted(
    deletes: Iterator[httpx.Response | Exception],
    *,
    binding_exists: bool = False,
    service_exists: bool = True,
) -> Callable[[httpx.Request], httpx.Response]:
    """DELETEs answered in turn; GETs answered from the state the test says."""

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "DELETE":
            answer = next(deletes)
            if isinstance(answer, Exception):
                raise answer
            return answer
        if request.url.path == SERVICE_PATH:
            if service_exists:
                return httpx.Response(200, json={"sid": SERVICE, "friendly_name": "main"})
            return httpx.Response(404, json=NOT_FOUND)
        if binding_exists:
            return httpx.Response(200, json=binding(1))
        return httpx.Response(404, json=NOT_FOUND)

    return handler


async def run(
    handler: Callable[[httpx.Request], httpx.Response],
    sids: list[str] | None = None,
    attempts: int = 3,
    api: ApiFlavor = ApiFlavor.CONVERSATIONS,
) -> tuple[list[DeleteResult], list[httpx.Request], list[tuple[int, int]]]:
    client, seen = make_client(handler, retry=RetryPolicy(max_attempts=attempts), api=api)
    progress: list[tuple[int, int]] = []
    async with client:
        results = await delete_many(
            client, SERVICE, sids or [bs(1)], lambda r, done, total: progress.append((done, total))
        )
    return results, seen, progress


def request(method: str) -> httpx.Request:
    return httpx.Request(method, "https://conversations.example.test/")


async def test_204_is_deleted() -> None:
    results, seen, progress = await run(scripted(iter([httpx.Response(204)])))
    assert results[0].outcome is DeleteOutcome.DELETED
    assert results[0].line() == f"{bs(1)}: deleted"
    assert [r.method for r in seen] == ["DELETE"]
    assert progress == [(1, 1)]


async def test_404_in_an_existing_service_is_binding_not_found() -> None:
    results, seen, _ = await run(scripted(iter([httpx.Response(404, json=NOT_FOUND)])))
    assert results[0].outcome is DeleteOutcome.BINDING_NOT_FOUND
    assert not results[0].outcome.deleted and results[0].outcome.gone
    assert [(r.method, r.url.path) for r in seen][-1] == ("GET", SERVICE_PATH)


async def test_404_for_a_missing_service_stops_every_other_delete() -> None:
    answers = iter([httpx.Response(404, json=NOT_FOUND)] * 3)
    results, seen, progress = await run(
        scripted(answers, service_exists=False), sids=[bs(1), bs(2), bs(3)]
    )
    assert {r.outcome for r in results} == {DeleteOutcome.SERVICE_NOT_FOUND}
    assert (
        results[0].line().endswith(f"not deleted (service {SERVICE} not found in Conversations v1)")
    )
    assert "not attempted" in results[2].reason
    assert [r.method for r in seen].count("DELETE") == 1
    assert progress == [(1, 3), (2, 3), (3, 3)]


async def test_chat_service_check_uses_the_v2_path() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.path.startswith("/v2/")
        return httpx.Response(404, json=NOT_FOUND)

    results, seen, _ = await run(handler, api=ApiFlavor.CHAT)
    assert results[0].outcome is DeleteOutcome.SERVICE_NOT_FOUND
    assert seen[-1].url.path == f"/v2/Services/{SERVICE}"


async def test_refused_connection_is_not_deleted_at_once() -> None:
    answers = iter([httpx.ConnectError("refused", request=request("DELETE"))] * 5)
    results, seen, _ = await run(scripted(answers))
    assert results[0].outcome is DeleteOutcome.NOT_DELETED
    assert "could not connect" in results[0].reason
    assert len(seen) == 1  # no retry, no check: nothing was sent


async def test_lost_answer_then_gone_is_deleted_by_the_first_attempt() -> None:
    answers = iter([httpx.ReadTimeout("slow", request=request("DELETE"))])
    results, seen, _ = await run(scripted(answers))
    assert results[0].outcome is DeleteOutcome.DELETED_EARLIER
    assert results[0].line() == f"{bs(1)}: deleted (the first answer was lost)"
    assert [r.method for r in seen] == ["DELETE", "GET"]


async def test_lost_answer_then_404_on_retry_is_deleted_not_missing() -> None:
    answers = iter(
        [
            httpx.RemoteProtocolError("dropped", request=request("DELETE")),
            httpx.Response(404, json=NOT_FOUND),
        ]
    )

    # The check in between cannot tell (503): the retry's 404 is our own first attempt.
    def handler(req: httpx.Request) -> httpx.Response:
        if req.method == "GET":
            return httpx.Response(503, text="busy")
        return scripted(answers)(req)

    results, _, _ = await run(handler)
    assert results[0].outcome is DeleteOutcome.DELETED_EARLIER


async def test_500_then_404_is_deleted_not_already_gone() -> None:
    answers = iter([httpx.Response(500, text="oops"), httpx.Response(404, json=NOT_FOUND)])
    results, _, _ = await run(scripted(answers))
    assert results[0].outcome is DeleteOutcome.DELETED_EARLIER
    assert "HTTP 500" in results[0].reason


async def test_429_then_404_is_binding_not_found() -> None:
    """A 429 was not processed: a later 404 is somebody else's doing."""
    answers = iter([httpx.Response(429, text="slow down"), httpx.Response(404, json=NOT_FOUND)])
    results, _, _ = await run(scripted(answers))
    assert results[0].outcome is DeleteOutcome.BINDING_NOT_FOUND


async def test_no_answer_and_still_there_is_not_deleted() -> None:
    answers = iter([httpx.ReadTimeout("slow", request=request("DELETE"))] * 3)
    results, seen, _ = await run(scripted(answers, binding_exists=True))
    assert results[0].outcome is DeleteOutcome.NOT_DELETED
    assert "still there" in results[0].reason
    assert [r.method for r in seen].count("DELETE") == 3


async def test_no_answer_and_no_check_possible_is_unknown() -> None:
    def handler(req: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=req)

    results, seen, _ = await run(handler)
    assert results[0].outcome is DeleteOutcome.UNKNOWN
    assert not results[0].outcome.gone
    assert "could not be checked" in results[0].reason
    assert [r.method for r in seen] == ["DELETE", "GET"]  # no answer twice: stop there


async def test_a_server_that_stopped_answering_ends_a_bulk_delete() -> None:
    def handler(req: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=req)

    results, seen, progress = await run(handler, sids=[bs(1), bs(2), bs(3)])
    assert [r.outcome for r in results] == [
        DeleteOutcome.UNKNOWN,
        DeleteOutcome.NOT_DELETED,
        DeleteOutcome.NOT_DELETED,
    ]
    assert "not attempted" in results[2].reason
    assert len(seen) == 2 and progress[-1] == (3, 3)


async def test_auth_error_stops_the_rest_without_requests() -> None:
    answers = iter([httpx.Response(401, json={"code": 20003, "message": "Authenticate"})])
    results, seen, _ = await run(scripted(answers), sids=[bs(1), bs(2)])
    assert [r.outcome for r in results] == [DeleteOutcome.NOT_DELETED] * 2
    assert isinstance(results[1].error, AuthError)
    assert "not attempted" in results[1].reason
    assert len(seen) == 1


async def test_malformed_sid_is_not_deleted_without_a_request() -> None:
    results, seen, _ = await run(scripted(iter([])), sids=["BS123"])
    assert results[0].outcome is DeleteOutcome.NOT_DELETED
    assert seen == []


@pytest.mark.parametrize("status", [500, 502, 503])
async def test_persistent_5xx_with_the_binding_still_there_is_not_deleted(status: int) -> None:
    answers = iter([httpx.Response(status, text="down")] * 3)
    results, _, _ = await run(scripted(answers, binding_exists=True))
    assert results[0].outcome is DeleteOutcome.NOT_DELETED
    assert "still there" in results[0].reason
