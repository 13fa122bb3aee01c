"""The TUI's one error path: every handler, action, callback and worker ends here.

Textual ends the app on an exception that escapes a handler or worker and prints a
traceback WITH LOCALS (the login screen's locals hold the typed secret). So every entry
point Textual calls into our code is wrapped in `guarded`: an exception becomes one inert
line through `BindingsApp.report_error`, and the app keeps running. Workers are also
started with `exit_on_error=False` (see `background`). A test walks every screen and
widget class and fails on a handler that is not guarded.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
from collections.abc import Callable, Coroutine
from typing import Any, ParamSpec, Protocol, TypeVar, cast

from textual.actions import SkipAction
from textual.worker import Worker

from bindings_tui.errors import BindingsError

F = TypeVar("F", bound=Callable[..., Any])
P = ParamSpec("P")
R = TypeVar("R")
GUARDED = "__bindings_tui_guarded__"


class UnexpectedError(BindingsError):
    """An exception the code did not expect, as one line. Only its type is shown: an
    unknown exception's text may carry anything (server data, a header, a secret)."""

    def __init__(self, error: BaseException, what: str) -> None:
        self.error_type = type(error).__name__
        self.what = what
        super().__init__(f"unexpected {self.error_type} in {what}")


def as_bindings_error(error: BaseException, what: str) -> BindingsError:
    """The project's error for anything a worker caught (BindingsError passes through).
    A task group's ExceptionGroup is reported by its first error, ours preferred."""
    while isinstance(error, BaseExceptionGroup) and error.exceptions:
        ours = [e for e in error.exceptions if isinstance(e, BindingsError)]
        error = ours[0] if ours else error.exceptions[0]
    return error if isinstance(error, BindingsError) else UnexpectedError(error, what)


class _Reporter(Protocol):
    def report_error(self, error: BaseException, where: str) -> None: ...


def report(node: Any, error: BaseException, where: str) -> None:
    """Hand `error` to the app's one handler. Never raises: it is the last line."""
    try:
        app = node if hasattr(node, "report_error") else node.app
        cast(_Reporter, app).report_error(error, where)
    except Exception:  # the app is gone or shutting down; nothing to show
        pass


def _where(fn: Callable[..., Any]) -> str:
    return getattr(fn, "__qualname__", getattr(fn, "__name__", "a handler"))


def guarded(fn: F) -> F:
    """Wrap a method (sync or async) of a screen, widget or the app so that no exception
    escapes to Textual. Textual's own control flow (SkipAction, cancellation) passes."""
    where = _where(fn)
    if inspect.iscoroutinefunction(fn):

        @functools.wraps(fn)
        async def run_async(self: Any, *args: Any, **kwargs: Any) -> Any:
            try:
                return await fn(self, *args, **kwargs)
            except (asyncio.CancelledError, SkipAction):
                raise
            except Exception as exc:  # the one handler
                report(self, exc, where)
                return None

        setattr(run_async, GUARDED, True)
        return cast(F, run_async)

    @functools.wraps(fn)
    def run(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(self, *args, **kwargs)
        except SkipAction:
            raise
        except Exception as exc:  # the one handler
            report(self, exc, where)
            return None

    setattr(run, GUARDED, True)
    return cast(F, run)


def guarded_callback(node: Any, fn: Callable[..., Any]) -> Callable[..., Any]:
    """A plain callable (push_screen result callback, timer, call_after_refresh) that
    reports instead of raising."""
    where = _where(fn)

    if inspect.iscoroutinefunction(fn):

        async def run_async(*args: Any, **kwargs: Any) -> Any:
            try:
                return await fn(*args, **kwargs)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the one handler
                report(node, exc, where)
                return None

        setattr(run_async, GUARDED, True)
        return run_async

    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except Exception as exc:  # the one handler
            report(node, exc, where)
            return None

    setattr(run, GUARDED, True)
    return run


def is_guarded(fn: object) -> bool:
    return bool(getattr(fn, GUARDED, False))


def background(
    *, group: str, description: str, exclusive: bool = False
) -> Callable[[Callable[P, Coroutine[Any, Any, R]]], Callable[P, Worker[R]]]:
    """`@work` for our async workers: the body is `guarded` and a failure never ends the
    app (`exit_on_error=False`). `description` keeps Textual from repr()ing every
    argument (100k bindings: 0.5 s and 500 MB)."""
    from textual import work

    def decorate(fn: Callable[P, Coroutine[Any, Any, R]]) -> Callable[P, Worker[R]]:
        worker = work(
            exclusive=exclusive, group=group, description=description, exit_on_error=False
        )(guarded(fn))
        setattr(worker, GUARDED, True)
        return worker

    return decorate
