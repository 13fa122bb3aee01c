"""Twilio error codes seen in push delivery, as data: a correction is one line.

Each row: the code, Twilio's title, what it means for a binding, what to do, what it
names (a binding's token, a credential, or the service), whether it says the device
token itself is dead (then deleting the binding is backed by evidence), and where the
meaning comes from. Titles marked "twilio.com" were read on the code's page
(https://www.twilio.com/docs/api/errors/CODE); "third-party" ones come from a summary
of those pages and are worded cautiously.

Other facts the rules rely on live here too, each with its source.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

DOCS_URL: Final = "https://www.twilio.com/docs/api/errors/{code}"

# firebase.google.com/docs/cloud-messaging/manage-tokens: an Android token inactive for
# 270 days expires.
FCM_TOKEN_EXPIRY_DAYS: Final = 270
FCM_TOKEN_EXPIRY_SOURCE: Final = "firebase.google.com/docs/cloud-messaging/manage-tokens"
# Google shut the legacy FCM (GCM) send API down in June 2024
# (firebase.google.com/docs/cloud-messaging/migrate-v1; Twilio errors 52116/52117).
LEGACY_FCM_SHUTDOWN: Final = datetime(2024, 6, 20, tzinfo=UTC)
LEGACY_FCM_SOURCE: Final = "firebase.google.com/docs/cloud-messaging/migrate-v1"


class Target(enum.StrEnum):
    """What a code is about, so an alert that names several things lands on the right one."""

    TOKEN = "token"  # one device's token (a binding)
    CREDENTIAL = "credential"  # the push credential
    SERVICE = "service"  # the push provider or the service as a whole


@dataclass(frozen=True, slots=True)
class PushCode:
    code: str
    title: str
    meaning: str  # what it means for a binding
    action: str
    target: Target
    token_dead: bool  # the device token itself is rejected: deleting the binding is backed
    level: str  # "error" or "warning", as Twilio logs it
    source: str

    @property
    def docs_url(self) -> str:
        return DOCS_URL.format(code=self.code)

    @property
    def platform(self) -> str | None:
        """`apn` for APNs codes (5213x-5214x), `fcm` for GCM/FCM ones (5210x-5211x)."""
        number = int(self.code)
        if 52130 <= number < 52150:
            return "apn"
        if 52100 <= number < 52130:
            return "fcm"
        return None


_T, _C, _S = Target.TOKEN, Target.CREDENTIAL, Target.SERVICE
_TW, _3P = "twilio.com", "third-party summary of twilio.com"

PUSH_CODES: Final[dict[str, PushCode]] = {
    c.code: c
    for c in (
        PushCode(
            "52002",
            "Invalid credential SID",
            "the binding names a credential that cannot be used",
            "register again with a valid push_credential_sid in the access token",
            _C,
            False,
            "error",
            _3P,
        ),
        PushCode(
            "52003",
            "Credential type does not match the registration",
            "the credential is for another push type than the binding",
            "use a credential of the binding's type",
            _C,
            False,
            "error",
            _3P,
        ),
        PushCode(
            "52101",
            "Invalid GCM API key or FCM secret",
            "no push reaches any device using this credential",
            "put a valid FCM v1 secret in the credential",
            _C,
            False,
            "error",
            _TW,
        ),
        PushCode(
            "52102",
            "Invalid GCM/FCM registration token",
            "FCM rejected this device's token",
            "delete the binding; the app registers a fresh token on its next start",
            _T,
            True,
            "error",
            _TW,
        ),
        PushCode(
            "52103",
            "FCM token no longer registered",
            "the app was uninstalled or the token rotated",
            "delete the binding if Twilio has not already",
            _T,
            True,
            "error",
            _3P,
        ),
        PushCode(
            "52104",
            "FCM sender ID mismatch",
            "the token belongs to another Firebase project",
            "use the credential of the Firebase project the app is built with",
            _C,
            False,
            "error",
            _3P,
        ),
        PushCode(
            "52109",
            "GCM/FCM unauthorized error",
            "the credential's key or secret is revoked or invalid",
            "update the credential with a valid FCM v1 secret",
            _C,
            False,
            "error",
            _TW,
        ),
        PushCode(
            "52116",
            "Legacy FCM server key credential used",
            "the credential holds a legacy server key that stopped working in June 2024",
            "upload an FCM v1 service account to the credential",
            _C,
            False,
            "warning",
            _TW,
        ),
        PushCode(
            "52117",
            "Deprecated GCM/FCM API used to send notifications",
            "the legacy FCM key no longer works since Google's June 2024 shutdown",
            "upload an FCM v1 service account to the credential",
            _C,
            False,
            "error",
            _TW,
        ),
        PushCode(
            "52119",
            "FCM could not deliver to iOS device: APNs token is unregistered",
            "APNs no longer knows the token (app uninstalled, notifications off, or another "
            "environment); Twilio deleted the binding",
            "have the app register a new binding whenever iOS gives it a new token",
            _T,
            True,
            "error",
            _TW,
        ),
        PushCode(
            "52131",
            "Invalid APNs credentials",
            "the certificate or key is invalid or expired",
            "upload a valid certificate and key to the credential",
            _C,
            False,
            "error",
            _TW,
        ),
        PushCode(
            "52133",
            "Invalid APNs device token size",
            "the app sent a malformed token",
            "send the token unmodified; the app registers again",
            _T,
            True,
            "error",
            _TW,
        ),
        PushCode(
            "52134",
            "Invalid APNs device token",
            "APNs rejected the token: malformed, or a sandbox token sent to production "
            "(or the reverse)",
            "make the app's build and the credential's sandbox flag agree "
            "(development build: sandbox credential)",
            _T,
            False,
            "error",
            _TW,
        ),
        PushCode(
            "52141",
            "APNs device token unregistered",
            "the app was uninstalled or the token rotated",
            "delete the binding if Twilio has not already",
            _T,
            True,
            "error",
            _3P,
        ),
        PushCode(
            "52142",
            "The provided APNs device token is not correct",
            "the token is malformed or missing",
            "capture the device token correctly and register again",
            _T,
            True,
            "error",
            _TW,
        ),
        PushCode(
            "52143",
            "APNs topic or bundle ID mismatch",
            "the credential is for another app (VoIP needs .voip)",
            "use the credential of the app's bundle ID",
            _C,
            False,
            "error",
            _TW,
        ),
        PushCode(
            "52144",
            "APNs experienced an internal error",
            "Apple failed; not this binding's fault",
            "retry later; check Apple's status if it persists",
            _S,
            False,
            "error",
            _TW,
        ),
    )
}


def push_code(value: object) -> PushCode | None:
    """The table row of an alert's `error_code` (a string in the spec), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        value = str(value)
    if not isinstance(value, str):
        return None
    return PUSH_CODES.get(value.strip())


__all__ = [
    "DOCS_URL",
    "FCM_TOKEN_EXPIRY_DAYS",
    "FCM_TOKEN_EXPIRY_SOURCE",
    "LEGACY_FCM_SHUTDOWN",
    "LEGACY_FCM_SOURCE",
    "PUSH_CODES",
    "PushCode",
    "Target",
    "push_code",
]
