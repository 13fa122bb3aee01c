"""Find users everywhere: every binding of some identities in every service of the account,
on one or both APIs (the `find` command and the TUI's find screen).

Each API's services are listed, then each service gets one `Identity`-filtered listing
(the client's own pagination, 429 handling and retries), at most `concurrency` requests in
flight at a time. A service that fails (403, 404, a network error) is kept as one failure
and the other services' results stay. Results come out in a fixed order: API (as asked),
then the services as the API listed them, then the server's order of bindings.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from bindings_tui.client import TwilioClient
from bindings_tui.errors import AuthError, BindingsError, InputError
from bindings_tui.models import ApiFlavor, Binding, Service
from bindings_tui.request_checks import check_identities

# Requests in flight at once, over both APIs: enough to overlap latency, few enough that
# an account with many services does not run into Twilio's concurrency limit (429s are
# still retried by the client).
DEFAULT_CONCURRENCY = 4
MAX_CONCURRENCY = 16


@dataclass(frozen=True, slots=True)
class ServiceRef:
    """Where a result came from: the API, and the service as that API listed it."""

    api: ApiFlavor
    sid: str
    friendly_name: str | None  # the server's text: shown only through the inert paths
    position: int  # in the API's own listing order


@dataclass(frozen=True, slots=True)
class ServiceResult:
    """One service's search: its bindings of the identities, or the error that stopped it."""

    service: ServiceRef
    bindings: tuple[Binding, ...] = ()
    error: BindingsError | None = None

    @property
    def order(self) -> tuple[int, int]:
        return (_API_ORDER[self.service.api], self.service.position)


@dataclass(frozen=True, slots=True)
class ApiFailure:
    """An API whose services could not be listed (nothing of it was searched)."""

    api: ApiFlavor
    error: BindingsError


@dataclass(frozen=True, slots=True)
class FoundBinding:
    """One binding with the API and service it lives in."""

    service: ServiceRef
    binding: Binding


@dataclass(frozen=True, slots=True)
class FindReport:
    identities: tuple[str, ...]
    apis: tuple[ApiFlavor, ...]
    results: tuple[ServiceResult, ...]  # every service searched, in the fixed order
    api_failures: tuple[ApiFailure, ...] = field(default=())

    @property
    def found(self) -> list[FoundBinding]:
        return [FoundBinding(r.service, b) for r in self.results for b in r.bindings]

    @property
    def with_bindings(self) -> list[ServiceResult]:
        return [r for r in self.results if r.bindings]

    @property
    def failed(self) -> list[ServiceResult]:
        return [r for r in self.results if r.error is not None]

    @property
    def ok(self) -> bool:
        return not self.failed and not self.api_failures

    def auth_error(self) -> AuthError | None:
        """20003 anywhere: the credentials are refused (the TUI asks to log in again)."""
        errors = [f.error for f in self.api_failures] + [r.error for r in self.failed]
        return next((e for e in errors if isinstance(e, AuthError)), None)


_API_ORDER = {ApiFlavor.CONVERSATIONS: 0, ApiFlavor.CHAT: 1}
ALL_APIS: tuple[ApiFlavor, ...] = (ApiFlavor.CONVERSATIONS, ApiFlavor.CHAT)

ClientFor = Callable[[ApiFlavor], TwilioClient]
OnResult = Callable[[ServiceResult], None]


def parse_identity_text(text: str) -> tuple[str, ...]:
    """What a person types in the find box: identities separated by commas or blanks
    (`alice bob`, `alice, bob`), repeats dropped, then checked like every other filter."""
    parts = text.replace(",", " ").split()
    return check_identities(parts)


async def find_identities(
    client_for: ClientFor,
    identities: Sequence[str],
    apis: Iterable[ApiFlavor] = ALL_APIS,
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    on_result: OnResult | None = None,
) -> FindReport:
    """Every binding of `identities` in every service of `apis`.

    `client_for(api)` gives the client of one API (same credentials for all). `on_result`
    hears each service as it finishes (in any order; the report is in the fixed order).
    """
    wanted = check_identities(identities)
    if not wanted:
        raise InputError("give at least one identity to find")
    if not 1 <= concurrency <= MAX_CONCURRENCY:
        raise InputError(f"concurrency must be within 1..{MAX_CONCURRENCY}")
    ordered = tuple(sorted(dict.fromkeys(apis), key=_API_ORDER.__getitem__))
    if not ordered:
        raise InputError("no API to search")
    gate = asyncio.Semaphore(concurrency)
    results: list[ServiceResult] = []
    api_failures: list[ApiFailure] = []

    async def search_service(client: TwilioClient, ref: ServiceRef) -> None:
        async with gate:
            try:
                found = await client.list_bindings(ref.sid, identities=wanted)
            except BindingsError as exc:
                result = ServiceResult(ref, error=exc)
            else:
                result = ServiceResult(ref, tuple(found))
        results.append(result)
        if on_result is not None:
            on_result(result)

    async def search_api(api: ApiFlavor, group: asyncio.TaskGroup) -> None:
        try:
            client = client_for(api)
            async with gate:
                services = await client.list_services()
        except BindingsError as exc:
            api_failures.append(ApiFailure(api, exc))
            return
        for position, service in enumerate(_unique(services)):
            ref = ServiceRef(api, service.sid, service.friendly_name, position)
            group.create_task(search_service(client, ref))

    try:
        async with asyncio.TaskGroup() as group:
            for api in ordered:
                group.create_task(search_api(api, group))
    except BaseExceptionGroup as failure:
        # Only an unexpected error gets here (ours are kept per service): raise it alone.
        raise _first_leaf(failure) from None
    results.sort(key=lambda r: r.order)
    api_failures.sort(key=lambda f: _API_ORDER[f.api])
    return FindReport(wanted, ordered, tuple(results), tuple(api_failures))


def _unique(services: list[Service]) -> list[Service]:
    """A service listed twice (a confused server) is searched once."""
    seen: set[str] = set()
    out: list[Service] = []
    for service in services:
        if service.sid not in seen:
            seen.add(service.sid)
            out.append(service)
    return out


def _first_leaf(group: BaseExceptionGroup[BaseException]) -> BaseException:
    error: BaseException = group
    while isinstance(error, BaseExceptionGroup) and error.exceptions:
        error = error.exceptions[0]
    return error


__all__ = [
    "ALL_APIS",
    "DEFAULT_CONCURRENCY",
    "ApiFailure",
    "FindReport",
    "FoundBinding",
    "ServiceRef",
    "ServiceResult",
    "find_identities",
    "parse_identity_text",
]
