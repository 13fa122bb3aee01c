"""The main screen's I/O: workers that list, fetch the service name, diagnose and delete.

Each worker runs on the screen (so it ends with it), never touches a widget, and reports
back with a message (`tui.messages`); the screen hands the message to the browse session.
Every body is guarded and started with `exit_on_error=False`: a failure is one line.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

from bindings_tui.audit import AuditContext, AuditTrail
from bindings_tui.browse import BrowseSession, DiagnosisRequest, Scope, Ticket, WatchState
from bindings_tui.browse.loading import list_pages
from bindings_tui.browse.report_index import ReportIndex
from bindings_tui.deletes import DeleteOutcome, DeleteResult, delete_many
from bindings_tui.demo import DEMO_PROFILE
from bindings_tui.diagnose_run import rediagnose, run_diagnostics
from bindings_tui.errors import AuditError, BindingsError, ReadOnlyError
from bindings_tui.models import Binding
from bindings_tui.rows import Origin
from bindings_tui.tui.guard import as_bindings_error, guarded_callback
from bindings_tui.tui.messages import (
    BindingDeleted,
    DeleteFailed,
    DeleteProgress,
    DiagnosisFailed,
    DiagnosisReady,
    LoadFailed,
    PagesLoaded,
    ServiceFetched,
    WatchEnded,
    WatchNoticed,
    WatchRefreshed,
)
from bindings_tui.watch import Refresh, watch

if TYPE_CHECKING:
    from textual.screen import Screen

    from bindings_tui.tui.app import BindingsApp


class BrowseWorkers:
    """Starts the workers of one browser screen for its session."""

    def __init__(self, screen: Screen[Any], session: BrowseSession) -> None:
        self.screen = screen
        self.session = session

    @property
    def app(self) -> BindingsApp:
        return self.screen.app  # type: ignore[return-value]

    def _run(
        self,
        body: Callable[[], Coroutine[Any, Any, None]],
        *,
        group: str,
        description: str,
        exclusive: bool = True,
    ) -> None:
        # A description, or Textual repr()s the work: 100k bindings, 0.5 s, 500 MB. The
        # function, not a coroutine made now: one the worker never starts warns on exit.
        self.screen.run_worker(
            guarded_callback(self.screen, body),
            group=group,
            description=description,
            exclusive=exclusive,
            exit_on_error=False,
        )

    def cancel(self, group: str) -> None:
        self.screen.workers.cancel_group(self.screen, group)

    # ---- listing ------------------------------------------------------------------------

    def load(self, ticket: Ticket) -> None:
        """The service's list, or the identity query's (one worker group for each)."""
        identities = self.session.identities if ticket.scope is Scope.IDENTITY else ()
        post = self.screen.post_message
        ctx = self.app.ctx

        async def body() -> None:
            await list_pages(
                self.app.client_for(self.session.origin.api),
                self.session.origin.service_sid,
                identities,
                page_size=ctx.page_size,
                split_by_type=ctx.split_by_type,
                on_pages=lambda items, pages, done: post(PagesLoaded(ticket, items, pages, done)),
                on_failed=lambda error, pages: post(LoadFailed(ticket, error, pages)),
                as_error=as_bindings_error,
            )

        group = "load" if ticket.scope is Scope.SERVICE else "identity"
        self._run(body, group=group, description=f"load bindings ({ticket.scope})")

    def service_name(self) -> None:
        """The header's service name, fetched beside the list (never before it: the first
        rows would wait a round trip)."""
        origin = self.session.origin

        async def body() -> None:
            try:
                service = await self.app.client_for(origin.api).fetch_service(origin.service_sid)
            except BindingsError:
                return  # the list call reports the problem
            self.screen.post_message(ServiceFetched(service.sid, service.friendly_name))

        self._run(body, group="service-name", description="service name")

    # ---- push diagnosis -------------------------------------------------------------------

    def diagnose(self, request: DiagnosisRequest | None) -> None:
        """The reads and findings for the request's rows; with a report, only the findings
        of what is left (after deletes: no network, in a thread). None: nothing is due."""
        if request is None:
            return
        ctx = self.app.ctx
        origin = self.session.origin
        post = self.screen.post_message

        async def body() -> None:
            try:
                if request.report is not None:
                    report = await asyncio.to_thread(
                        rediagnose, request.report, request.bindings, ctx.clock()
                    )
                else:
                    report = await run_diagnostics(
                        self.app.client_for(origin.api),
                        origin.service_sid,
                        ctx.diagnostics,
                        ctx.clock(),
                        bindings=request.bindings,
                    )
                # Off the loop: at a million bindings these lookups take 1-1.8 s.
                index = await asyncio.to_thread(ReportIndex.of, report.findings)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the findings line says it, one line
                error = as_bindings_error(exc, "diagnosis")
                post(DiagnosisFailed(request.generation, error))
                return
            post(DiagnosisReady(request.generation, report, request.scope, index))

        self._run(body, group="diagnose", description="push diagnosis")

    # ---- deletes --------------------------------------------------------------------------

    def delete(self, origin: Origin, targets: list[Binding], *, reason: str = "") -> None:
        """Deletes go to `origin` (where the rows came from), with that API's client,
        through the one delete routine (bindings_tui.deletes), each result one line of the
        audit log (with the rows' JSON; `reason` names a clean-up)."""
        post = self.screen.post_message
        by_sid = {b.sid: b for b in targets}
        app = self.app
        session = app.session
        cleanup = reason if reason and reason != "marked" else None
        context = AuditContext(
            profile=DEMO_PROFILE if app.ctx.demo else session.profile_name,
            account_sid=session.credentials.account_sid if session.credentials else "",
            api=origin.api.value,
            source="tui",
            cleanup_reason=cleanup,
            bindings={b.sid: b.raw for b in targets},
        )

        async def body() -> None:
            client = self.app.client_for(origin.api)
            trail = AuditTrail(context)
            reported: set[str] = set()
            failed = 0

            def report(result: DeleteResult, done: int, total: int) -> None:
                nonlocal failed
                reported.add(result.sid)
                binding = by_sid[result.sid]
                if result.outcome.gone:
                    post(BindingDeleted(binding, result))
                else:
                    failed += 1
                    post(DeleteFailed(binding, result))
                post(DeleteProgress(done, total, failed, done == total))

            try:
                await delete_many(client, origin.service_sid, list(by_sid), report, audit=trail)
            except asyncio.CancelledError:
                raise
            except (ReadOnlyError, AuditError) as exc:  # refused before anything was sent
                for sid in by_sid:
                    refused = DeleteResult(sid, DeleteOutcome.NOT_DELETED, exc.user_message(), exc)
                    post(DeleteFailed(by_sid[sid], refused))
                post(DeleteProgress(len(by_sid), len(by_sid), len(by_sid), True))
                return
            except Exception as exc:  # a bug, not an answer: say so for every binding left
                error = as_bindings_error(exc, "the delete (its outcome is unknown)")
                for sid in [s for s in by_sid if s not in reported]:
                    failed += 1
                    unknown = DeleteResult(sid, DeleteOutcome.UNKNOWN, error.user_message(), error)
                    post(DeleteFailed(by_sid[sid], unknown))
                post(DeleteProgress(len(by_sid), len(by_sid), failed, True))
            if trail.failure is not None:
                self.app.notify(
                    f"audit log not written: {trail.failure}",
                    title="Audit log",
                    severity="error",
                    timeout=10,
                )

        self._run(body, group="delete", description="delete bindings", exclusive=False)

    # ---- watching (`w`) -------------------------------------------------------------------

    def watch(self, state: WatchState) -> None:
        """List the watched list every interval until the watch changes; no listing while
        another screen (a dialog) is on top of this one."""
        ctx = self.app.ctx
        origin = self.session.origin
        post = self.screen.post_message
        session = self.session

        def paused() -> bool:
            return self.app.screen is not self.screen

        async def list_once() -> list[Binding]:
            client = self.app.client_for(origin.api)
            return await client.list_bindings(
                origin.service_sid, identities=state.identities, page_size=ctx.page_size
            )

        async def body() -> None:
            updates = watch(
                list_once,
                interval=ctx.watch_interval,
                clock=ctx.clock,
                sleep=ctx.watch_sleep,
                paused=paused,
            )
            try:
                async for update in updates:
                    if session.watching is not state:
                        return  # `w` again, or the identity query changed
                    if isinstance(update, Refresh):
                        post(WatchRefreshed(state, update.bindings, update.at))
                    else:
                        post(WatchNoticed(state, update))
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # auth, no such service, a bug: one line, watch ends
                post(WatchEnded(state, as_bindings_error(exc, "watching")))

        self._run(body, group="watch", description="watch bindings")
