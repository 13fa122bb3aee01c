"""`bindings-tui delete` against hostile servers: every outcome reported truthfully.

Scenario numbers follow the kit's brief (issue 12, "Deletes report what happened").
"""

from __future__ import annotations

import re
import socket

from tests.hostile.conftest import Cli
from tests.hostile.runner import CliResult, assert_failed
from tests.hostile.servers import Drop, Hang, HostileServer, Request, json_reply
from tests.hostile.twilio import SERVICE, TwilioLike, bs, not_found, twilio_error

SIDS = [bs(1), bs(2)]


def delete(
    cli: Cli, *sids: str, flags: tuple[str, ...] = (), base_url: str | None = None
) -> CliResult:
    return cli("delete", "--service", SERVICE, *sids, "--yes", *flags, base_url=base_url)


def deletes_sent(hostile: HostileServer) -> list[Request]:
    return [r for r in hostile.requests if r.method == "DELETE"]


def line_with(text: str, needle: str) -> str:
    return next((line for line in text.splitlines() if needle in line), "")


# 15. the service does not exist: every path 404
def test_missing_service_is_reported_and_stops_the_run(hostile: HostileServer, cli: Cli) -> None:
    hostile.serve(TwilioLike(everything=lambda req, _srv: not_found(req.path)))
    result = delete(cli, *SIDS)
    assert_failed(result, one_line=False)
    assert re.search(rf"service {SERVICE} not found", result.err), result.err
    assert "already gone" not in result.out + result.err
    assert len(deletes_sent(hostile)) == 1, "DELETEs went on after the service proved missing"


# 16. the service exists, the binding does not
def test_missing_binding_is_an_error(hostile: HostileServer, cli: Cli) -> None:
    hostile.serve(TwilioLike())
    result = delete(cli, SIDS[0])
    assert_failed(result, one_line=False)
    assert f"{SIDS[0]}: binding not found" in result.err, result.err
    assert "already gone" not in result.out + result.err
    assert len(deletes_sent(hostile)) == 1


def test_missing_binding_is_ignored_with_ignore_missing(hostile: HostileServer, cli: Cli) -> None:
    hostile.serve(TwilioLike())
    result = delete(cli, SIDS[0], flags=("--ignore-missing",))
    assert result.code == 0, str(result)
    assert SIDS[0] in result.out + result.err


# 17. 500, then the retry finds 404: this run deleted it
def test_500_then_404_is_reported_deleted(hostile: HostileServer, cli: Cli) -> None:
    error = json_reply(500, twilio_error(500, 20500, "Internal Server Error"))
    hostile.serve(TwilioLike(deletes=[error]))
    result = delete(cli, SIDS[0])
    assert result.code == 0, str(result)
    assert re.search(rf"^{SIDS[0]}: deleted", result.out, re.M), result.out
    assert not re.search(r"not found|already gone", result.out + result.err), str(result)
    assert len(deletes_sent(hostile)) == 2


# 18. the first answer is lost (connection dropped), then 404
def test_lost_answer_then_404_is_deleted_with_the_reason(hostile: HostileServer, cli: Cli) -> None:
    hostile.serve(TwilioLike(deletes=[Drop()]))
    result = delete(cli, SIDS[0])
    assert result.code == 0, str(result)
    assert f"{SIDS[0]}: deleted (the first answer was lost)" in result.out, result.out
    assert not re.search(r"not found|already gone", result.out + result.err), str(result)


# 19. nothing listening: a refused connection means nothing was sent
def test_server_down_is_not_deleted_at_once(cli: Cli) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # the port is closed again: connecting to it is refused
    result = delete(cli, *SIDS, flags=("--retries", "2"), base_url=f"http://127.0.0.1:{port}")
    assert_failed(result, one_line=False)
    for sid in SIDS:
        assert "not deleted" in line_with(result.err, sid), result.err
    assert "outcome unknown" not in result.err


# 20. a black hole: accepts, never answers
def test_black_hole_ends_with_outcome_unknown(hostile: HostileServer, cli: Cli) -> None:
    hostile.serve(TwilioLike(everything=Hang()))
    result = delete(cli, SIDS[0], flags=("--timeout", "1", "--retries", "1"))
    assert_failed(result, one_line=False)
    assert "outcome unknown" in line_with(result.err, SIDS[0]), result.err
    assert "deleted" not in result.out
