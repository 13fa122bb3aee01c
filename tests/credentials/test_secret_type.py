"""The secret is a `Secret` from the moment it is read to the auth header.

Attacked by printing every object that holds it (repr, str, f-strings, logging) and by
formatting tracebacks WITH local variables (`capture_locals=True`) for exceptions raised
deep inside a login, a listing and a keyring write: the secret (and its Basic-auth form)
is in none of them.
"""

from __future__ import annotations

import base64
import io
import logging
import traceback
from collections.abc import Awaitable, Callable

import httpx
import keyring.backend
import pytest
from keyring.compat import properties

from bindings_tui.cli.auth import read_secret
from bindings_tui.client import TwilioClient
from bindings_tui.credentials import ApiCredentials, credentials_from_env
from bindings_tui.credentials.login import (
    LoginResult,
    build_profile,
    verify_and_save,
    verify_credentials,
)
from bindings_tui.credentials.profiles import Profile, ProfileStore, profile_credentials
from bindings_tui.credentials.resolve import resolve_credentials
from bindings_tui.credentials.secret import Secret
from bindings_tui.credentials.secrets import KeyringUnavailable, SecretStore
from bindings_tui.credentials.twilio_cli import TwilioCliProfile
from bindings_tui.deletes import DeleteResult
from bindings_tui.retry import NO_RETRY

from .conftest import ACCOUNT, API_KEY, SECRET, MemoryKeyring


def _needles(secret: str = SECRET) -> list[str]:
    """The secret, and the forms it takes on the wire (Basic auth, with either user)."""
    forms = [secret]
    for user in (ACCOUNT, API_KEY):
        forms.append(base64.b64encode(f"{user}:{secret}".encode()).decode())
    return forms


def _assert_absent(text: str, secret: str = SECRET) -> None:
    for needle in _needles(secret):
        assert needle not in text


def _with_locals(exc: BaseException) -> str:
    return "".join(traceback.TracebackException.from_exception(exc, capture_locals=True).format())


def test_credentials_hold_a_secret_and_never_show_it(caplog: pytest.LogCaptureFixture) -> None:
    creds = ApiCredentials(ACCOUNT, SECRET, API_KEY, region="ie1", edge="dublin")
    assert isinstance(creds.secret, Secret) and creds.secret.reveal() == SECRET
    from_env = credentials_from_env({"TWILIO_ACCOUNT_SID": ACCOUNT, "TWILIO_AUTH_TOKEN": SECRET})
    assert from_env is not None and isinstance(from_env.secret, Secret)
    profile = build_profile("work", ACCOUNT, API_KEY)
    via_profile = profile_credentials(profile, SECRET, "profile work")
    result = LoginResult(profile, "MemoryKeyring", True)
    cli_profile = TwilioCliProfile("p", ACCOUNT, API_KEY, Secret(SECRET), "ie1", None)
    caplog.set_level(logging.DEBUG)
    log = logging.getLogger("bindings_tui.test")
    for obj in (creds, from_env, via_profile, creds.secret, result, cli_profile, profile):
        text = f"{obj} {obj!r} {obj!s} {obj:}" + "%s %r" % (obj, obj)  # noqa: UP031
        _assert_absent(text)
        log.debug("object %s %r", obj, obj)
    _assert_absent(caplog.text)
    assert "…" + SECRET[-4:] in repr(creds), "a hint of the last 4 characters identifies it"


def test_secrets_read_from_stdin_and_the_keyring_are_wrapped_at_once(
    memory_keyring: MemoryKeyring, store: ProfileStore
) -> None:
    secret = read_secret("x", io.StringIO(SECRET + "\n"))
    assert isinstance(secret, Secret) and secret.reveal() == SECRET
    SecretStore().set("work", secret)
    got = SecretStore().get("work")
    assert isinstance(got, Secret) and got == secret
    store.save(Profile("work", ACCOUNT))
    creds = resolve_credentials("work", env={}, store=store)
    assert creds is not None and isinstance(creds.secret, Secret)


def _raising_transport(exc: BaseException) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc

    return httpx.MockTransport(handler)


UNEXPECTED = [
    OverflowError("date value out of range"),
    RecursionError("maximum recursion depth exceeded while decoding a JSON object"),
    ValueError("bad Retry-After"),
    httpx.ConnectError("refused"),
]


@pytest.mark.parametrize("exc", UNEXPECTED, ids=lambda e: type(e).__name__)
async def test_a_login_failing_deep_inside_leaves_no_secret_in_a_traceback_with_locals(
    exc: BaseException, memory_keyring: MemoryKeyring, store: ProfileStore
) -> None:
    profile = build_profile("work", ACCOUNT, API_KEY)
    with pytest.raises(BaseException) as info:
        await verify_and_save(
            profile,
            SECRET,  # a plain str, as the TUI's Input gives it: wrapped on entry
            transport=_raising_transport(exc),
            store=store,
            secrets=SecretStore(),
            retry=NO_RETRY,
        )
    text = _with_locals(info.value)
    assert "verify_and_save" in text, "the traceback really went through the login"
    _assert_absent(text)
    assert memory_keyring.entries == {}


@pytest.mark.parametrize("exc", UNEXPECTED, ids=lambda e: type(e).__name__)
@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.list_services(),
        lambda c: c.list_bindings("IS" + "a" * 32),
        lambda c: c.fetch_binding("IS" + "a" * 32, "BS" + "b" * 32),
        lambda c: c.delete_binding("IS" + "a" * 32, "BS" + "b" * 32),
    ],
    ids=["services", "list", "show", "delete"],
)
async def test_a_client_call_failing_deep_inside_leaves_no_secret_in_a_traceback(
    call: Callable[[TwilioClient], Awaitable[object]], exc: BaseException
) -> None:
    creds = ApiCredentials(ACCOUNT, SECRET, API_KEY)
    client = TwilioClient(creds, transport=_raising_transport(exc), retry=NO_RETRY)
    error: BaseException | None = None
    try:
        async with client:
            outcome = await call(client)
    except BaseException as raised:
        error = raised
    else:
        # A delete reports instead of raising: its result carries the error it met.
        assert isinstance(outcome, DeleteResult) and outcome.error is not None
        error = outcome.error
        _assert_absent(repr(outcome))
    assert error is not None
    _assert_absent(_with_locals(error))
    _assert_absent(repr(client) + str(vars(client)))


async def test_a_rejected_login_leaves_no_secret_in_a_traceback() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"code": 20003, "message": "Authenticate"})

    creds = ApiCredentials(ACCOUNT, SECRET, API_KEY)
    with pytest.raises(Exception) as info:
        await verify_credentials(creds, transport=httpx.MockTransport(handler), retry=NO_RETRY)
    _assert_absent(_with_locals(info.value))


class _QuotingKeyring(keyring.backend.KeyringBackend):
    """A backend whose errors quote the password (some do, in their messages)."""

    @properties.classproperty
    def priority(cls) -> float:
        return 1

    def get_password(self, service: str, username: str) -> str | None:
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        raise RuntimeError(f"cannot store {password!r}")

    def delete_password(self, service: str, username: str) -> None:
        return None


def test_a_keyring_error_quoting_the_secret_leaves_it_nowhere(
    use_backend: Callable[[keyring.backend.KeyringBackend], None],
) -> None:
    use_backend(_QuotingKeyring())
    with pytest.raises(KeyringUnavailable) as info:
        SecretStore(timeout=5).set("work", Secret(SECRET))
    assert "****" in str(info.value)
    _assert_absent(_with_locals(info.value))
