"""One exception hierarchy for Twilio API, network and input errors.

Messages never contain credentials: the client never puts request headers or
auth tuples into an exception.
"""

from __future__ import annotations


class BindingsError(Exception):
    """Base of every error bindings-tui reports to a user."""

    def user_message(self) -> str:
        return str(self)


class InputError(BindingsError):
    """Bad input from the user (malformed SID, unknown type, bad option)."""


class ConfigError(BindingsError):
    """Missing or unusable configuration (no credentials, bad profile)."""


class ApiError(BindingsError):
    """Twilio answered with an error status."""

    def __init__(
        self,
        status: int,
        message: str,
        code: int | None = None,
        more_info: str | None = None,
        method: str = "",
        path: str = "",
    ) -> None:
        self.status = status
        self.code = code
        self.message = message
        self.more_info = more_info
        self.method = method
        self.path = path
        self.hint = ""
        super().__init__(self.user_message())

    def with_hint(self, hint: str) -> ApiError:
        """The same error with what to do next appended (`; hint`)."""
        self.hint = hint
        self.args = (self.user_message(),)
        return self

    def user_message(self) -> str:
        parts = [f"HTTP {self.status}"]
        if self.code is not None:
            parts.append(f"Twilio error {self.code}")
        text = " ".join(parts) + f": {self.message}"
        if self.more_info:
            text += f" ({self.more_info})"
        if self.hint:
            text += f"; {self.hint}"
        return text


class AuthError(ApiError):
    """20003: the account SID or secret is wrong (or lacks access)."""


class NotFoundError(ApiError):
    """20404: the resource does not exist."""


class RateLimitedError(ApiError):
    """20429 / HTTP 429: too many requests, still failing after retries."""


class InvalidPageTokenError(ApiError):
    """21481: the PageToken cursor was rejected."""


class ServerError(ApiError):
    """5xx from Twilio, still failing after retries."""


class NetworkError(BindingsError):
    """Could not reach the server, or the connection broke."""


class ConnectFailed(NetworkError):
    """The connection could not be made: nothing of the request was sent."""


class RequestTimeout(NetworkError):
    """The server did not answer within the timeout."""


class ResponseFormatError(BindingsError):
    """The server's answer was not what the API promises (bad JSON, wrong shape)."""


class UnsafeUrlError(BindingsError):
    """A URL we refuse to send credentials to."""


class PaginationLoopError(ResponseFormatError):
    """The server sent a next_page_url we already followed, or too many pages."""


def api_error_class(status: int, code: int | None) -> type[ApiError]:
    """Pick the most specific ApiError subclass for a status and Twilio code."""
    if code == 20003 or status in (401, 403):
        return AuthError
    if code == 20404 or status == 404:
        return NotFoundError
    if code == 20429 or status == 429:
        return RateLimitedError
    if code == 21481:
        return InvalidPageTokenError
    if status >= 500:
        return ServerError
    return ApiError
