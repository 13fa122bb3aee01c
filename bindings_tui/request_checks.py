"""What a request may ask for: page sizes, binding types, identity filters. Checked before
anything is sent, the same for the CLI, the TUI's queries and the user view.

Page size, the one rule: a list asks for the largest page its documentation allows. For
Bindings, Twilio's API reference says 1000 while the official OpenAPI spec says 100 (v1)
and 50 (v2); twilio-python assumes 1000. So a Bindings list asks for
`DEFAULT_BINDINGS_PAGE_SIZE` (1000) unless told otherwise, and when a server refuses it
(a 400 that names PageSize: `page_size_refused`), the client retries that request once
at the spec's maximum (`ApiFlavor.max_bindings_page_size`) and keeps that size for the
rest of the process. An explicit page size is never changed behind the caller's back.
Monitor's Alerts list documents 1000 in its spec too (no fallback needed); the Services
list asks for 100, its spec's maximum (an account has a handful of services)."""

from __future__ import annotations

from collections.abc import Sequence

from bindings_tui.errors import ApiError, InputError
from bindings_tui.models import ApiFlavor
from bindings_tui.textsafe import clip, make_visible

MIN_PAGE_SIZE = 1
MAX_PAGE_SIZE = 1000
# What a Bindings list asks for when no page size is given (see the module's docstring).
DEFAULT_BINDINGS_PAGE_SIZE = MAX_PAGE_SIZE
# Identities are app-chosen names; the filters must fit in one request line.
MAX_IDENTITY_CHARS = 1024
MAX_IDENTITIES = 100
MAX_IDENTITY_TOTAL_CHARS = 16 * 1024


def check_page_size(page_size: int) -> int:
    if not MIN_PAGE_SIZE <= page_size <= MAX_PAGE_SIZE:
        raise InputError(
            f"page size {page_size} is out of range: use {MIN_PAGE_SIZE}..{MAX_PAGE_SIZE}"
        )
    return page_size


def page_size_refused(error: ApiError) -> bool:
    """A 400 whose message names PageSize: the server refused the page size asked for
    (Twilio answers a bad parameter with 400 and code 20001, naming the parameter)."""
    if error.status != 400:
        return False
    words = error.message.lower().replace(" ", "").replace("_", "")
    return "pagesize" in words


def check_binding_types(api: ApiFlavor, binding_types: Sequence[str]) -> tuple[str, ...]:
    allowed = api.binding_types
    cleaned: list[str] = []
    for value in binding_types:
        lowered = value.strip().lower()
        if lowered not in allowed:
            raise InputError(
                f"unknown binding type {value!r} for {api.label}: use one of {', '.join(allowed)}"
            )
        if lowered not in cleaned:
            cleaned.append(lowered)
    return tuple(cleaned)


def check_identity(identity: str) -> str:
    """One identity filter: bounded and encodable. Control characters are allowed on
    purpose: an identity with escapes is what a user debugging a hostile app must be able
    to look up; it travels URL-encoded and is only ever shown inert."""
    if len(identity) > MAX_IDENTITY_CHARS:
        raise InputError(
            f"an identity is at most {MAX_IDENTITY_CHARS} characters (got {len(identity)})"
        )
    if "\x00" in identity or any("\ud800" <= ch <= "\udfff" for ch in identity):
        raise InputError(f"identity {make_visible(clip(identity, 40))!r} is not valid UTF-8 text")
    return identity


def check_identities(identities: Sequence[str]) -> tuple[str, ...]:
    """Identity filters as sent (every path: CLI, TUI query, user view): non-empty, each
    checked, bounded in count and in total size, duplicates dropped."""
    given = [check_identity(i) for i in identities if i]
    if len(given) > MAX_IDENTITIES:
        raise InputError(f"at most {MAX_IDENTITIES} identities at once (got {len(given)})")
    total = sum(len(i) for i in given)
    if total > MAX_IDENTITY_TOTAL_CHARS:
        raise InputError(
            f"the identities add up to {total} characters: at most "
            f"{MAX_IDENTITY_TOTAL_CHARS} in all"
        )
    return tuple(dict.fromkeys(given))
