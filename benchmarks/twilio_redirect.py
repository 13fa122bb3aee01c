"""twilio-python pointed at the fake: an HTTP client that swaps the host of every URL.

twilio-python builds `https://conversations.twilio.com/v1/...` URLs, and follows
`meta.next_page_url` as the server wrote it. This client keeps path and query and
sends the request to the fake's `http://127.0.0.1:PORT`, over one pooled
`requests.Session` (twilio-python's default, so connections are reused as in real use).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client


class RedirectingHttpClient(TwilioHttpClient):  # type: ignore[misc]
    def __init__(self, base_url: str) -> None:
        super().__init__(pool_connections=True, timeout=30)
        target = urlsplit(base_url)
        self._scheme = target.scheme
        self._netloc = target.netloc
        assert self.session is not None
        self.session.trust_env = False  # no proxy settings from the environment

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Response:
        parts = urlsplit(url)
        local = urlunsplit((self._scheme, self._netloc, parts.path, parts.query, ""))
        return super().request(method, local, *args, **kwargs)


def twilio_client(base_url: str, account_sid: str, auth_token: str) -> Client:
    return Client(account_sid, auth_token, http_client=RedirectingHttpClient(base_url))
