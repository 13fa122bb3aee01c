"""Every response the fake produces validates against the official OpenAPI response
schema, and every request the project's client builds validates against the
operation's parameters."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from openapi_schema_validator import OAS30Validator, oas30_format_checker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from bindings_tui.fake_twilio import FakeTwilio, RecordedRequest
from bindings_tui.models import ApiFlavor
from tests.fake.conftest import ClientFactory

Spec = dict[str, Any]
SPEC_URI = "urn:bindings-tui:spec"


def _pointer(*parts: str) -> str:
    return "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


def _registry(spec: Spec) -> Registry:
    resource: Resource[Any] = Resource.from_contents(spec, default_specification=DRAFT4)
    return Registry().with_resource(SPEC_URI, resource)


def _validator(spec: Spec, *pointer: str) -> OAS30Validator:
    """A validator for a schema somewhere in `spec`, resolving $refs against the whole spec."""
    schema = {"$ref": f"{SPEC_URI}#/{_pointer(*pointer)}"}
    return OAS30Validator(schema, registry=_registry(spec), format_checker=oas30_format_checker)


def _template_regex(template: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template) + "$")


def _operation(spec: Spec, method: str, path: str) -> tuple[str, dict[str, str], Spec]:
    for template, item in spec["paths"].items():
        match = _template_regex(template).match(path)
        if match and method.lower() in item:
            return template, match.groupdict(), item[method.lower()]
    raise AssertionError(f"{method} {path} is not an operation of the spec")


def _response_errors(spec: Spec, method: str, path: str, status: int, body: Any) -> list[str]:
    template, _, operation = _operation(spec, method, path)
    assert str(status) in operation["responses"], f"{status} not documented for {template}"
    validator = _validator(
        spec,
        "paths",
        template,
        method.lower(),
        "responses",
        str(status),
        "content",
        "application/json",
        "schema",
    )
    return [f"{template}: {e.json_path}: {e.message}" for e in validator.iter_errors(body)]


def _coerce(schema: Spec, raw: str) -> Any:
    if schema.get("type") == "integer":
        try:
            return int(raw)
        except ValueError:
            return raw
    return raw


def _request_errors(spec: Spec, request: RecordedRequest) -> list[str]:
    """Check a recorded request against its operation's declared parameters."""
    template, path_params, operation = _operation(spec, request.method, request.path)
    errors: list[str] = []
    registry = _registry(spec)
    declared = {(p["in"], p["name"]): p for p in operation.get("parameters", [])}

    def check(schema: Spec, value: Any, where: str) -> None:
        validator = OAS30Validator(schema | {"components": spec["components"]}, registry=registry)
        errors.extend(f"{template} {where}: {e.message}" for e in validator.iter_errors(value))

    for name, value in path_params.items():
        param = declared.get(("path", name))
        if param is None:
            errors.append(f"{template}: undeclared path parameter {name}")
            continue
        check(param["schema"], value, f"path {name}")
    grouped: dict[str, list[str]] = defaultdict(list)
    for key, value in request.query:
        grouped[key].append(value)
    for name, values in grouped.items():
        param = declared.get(("query", name))
        if param is None:
            errors.append(f"{template}: undeclared query parameter {name}")
            continue
        schema = param["schema"]
        if schema.get("type") == "array":
            for value in values:
                if "," in value:
                    errors.append(f"{template}: {name}={value!r} looks comma-joined")
            check(schema, values, f"query {name}")
        else:
            if len(values) > 1:
                errors.append(f"{template}: scalar {name} sent {len(values)} times")
            check(schema, _coerce(schema, values[0]), f"query {name}")
    return errors


def _spec_for(path: str, conversations: Spec, chat: Spec) -> Spec:
    return conversations if path.startswith("/v1/") else chat


# ---- responses --------------------------------------------------------------------------


async def _exercise(http: httpx.AsyncClient, fake: FakeTwilio) -> list[httpx.Response]:
    """Hit every operation the fake serves, with filters and across pages."""
    main, staging, empty = fake.service_sids()
    credential = sorted(fake.store.credentials)[0]
    responses: list[httpx.Response] = []
    for v in ("v1", "v2"):
        api = ApiFlavor.CONVERSATIONS if v == "v1" else ApiFlavor.CHAT
        sid = sorted(fake.binding_sids(api, main))[5]
        gets = [
            (f"/{v}/Services", {"PageSize": "2"}),
            (f"/{v}/Services/{staging}", {}),
            (f"/{v}/Credentials", {}),
            (f"/{v}/Credentials/{credential}", {}),
            (f"/{v}/Services/{main}/Bindings/{sid}", {}),
            (f"/{v}/Services/{empty}/Bindings", {}),
        ]
        for path, params in gets:
            responses.append(await http.get(path, params=params))
        for params in (
            [("PageSize", "40")],
            [("BindingType", "apn"), ("BindingType", "fcm"), ("PageSize", "9")],
            [("Identity", "olivia.chen@example.com"), ("Identity", "bob[/b]"), ("PageSize", "4")],
        ):
            response = await http.get(f"/{v}/Services/{main}/Bindings", params=params)
            for _ in range(3):  # follow a few pages, previous links included
                responses.append(response)
                meta = response.json()["meta"]
                if not meta["next_page_url"]:
                    break
                response = await http.get(meta["next_page_url"])
            if meta["previous_page_url"]:
                responses.append(await http.get(meta["previous_page_url"]))
    responses.append(await http.get(f"/v1/Services/{main}/Configuration/Notifications"))
    responses.append(await http.get(f"/v1/Services/{staging}/Configuration/Notifications"))
    return responses


async def test_every_response_validates_against_the_spec(
    fake: FakeTwilio, http: httpx.AsyncClient, conversations_spec: Spec, chat_spec: Spec
) -> None:
    responses = await _exercise(http, fake)
    assert len(responses) > 30
    errors: list[str] = []
    for response in responses:
        assert response.status_code == 200, (response.request.url, response.text)
        path = response.request.url.path
        spec = _spec_for(path, conversations_spec, chat_spec)
        errors += _response_errors(spec, "GET", path, 200, response.json())
    assert errors == []


async def test_hostile_and_all_bindings_validate(
    fake: FakeTwilio, http: httpx.AsyncClient, conversations_spec: Spec, chat_spec: Spec
) -> None:
    """The whole (small) main service in one page per API: every record, hostile ones too."""
    main = fake.service_sids()[0]
    for spec, v in ((conversations_spec, "v1"), (chat_spec, "v2")):
        path = f"/{v}/Services/{main}/Bindings"
        body = (await http.get(path, params={"PageSize": 1000})).json()
        assert len(body["bindings"]) > 250
        assert _response_errors(spec, "GET", path, 200, body) == []


async def test_validator_catches_a_wrong_shape(conversations_spec: Spec) -> None:
    """Guard against a validator that accepts anything."""
    path = "/v1/Services/IS" + "a" * 32 + "/Bindings/BS" + "a" * 32
    bad = {"sid": "XX123", "binding_type": "pigeon", "message_types": "new_message"}
    assert len(_response_errors(conversations_spec, "GET", path, 200, bad)) >= 3


async def test_delete_status_is_documented(
    fake: FakeTwilio, http: httpx.AsyncClient, conversations_spec: Spec, chat_spec: Spec
) -> None:
    main = fake.service_sids()[0]
    for spec, v in ((conversations_spec, "v1"), (chat_spec, "v2")):
        api = ApiFlavor.CONVERSATIONS if v == "v1" else ApiFlavor.CHAT
        sid = sorted(fake.binding_sids(api, main))[0]
        path = f"/{v}/Services/{main}/Bindings/{sid}"
        response = await http.delete(path)
        _, _, operation = _operation(spec, "DELETE", path)
        assert str(response.status_code) in operation["responses"]


# ---- requests -----------------------------------------------------------------------------


@pytest.mark.parametrize("api", [ApiFlavor.CONVERSATIONS, ApiFlavor.CHAT])
async def test_client_requests_validate_against_the_spec(
    fake: FakeTwilio,
    client_for: ClientFactory,
    conversations_spec: Spec,
    chat_spec: Spec,
    api: ApiFlavor,
) -> None:
    main, staging, _ = fake.service_sids()
    async with client_for(api) as client:
        await client.list_services()
        await client.fetch_service(staging)
        await client.list_bindings(main)  # default page size: 1000, the API reference's
        await client.list_bindings(main, binding_types=["apn", "fcm"], page_size=25)
        await client.list_bindings(
            main, identities=["olivia.chen@example.com", "田中太郎@example.jp", "bob[/b]"]
        )
        bindings = await client.list_bindings(main, page_size=1, limit=3)
        await client.fetch_binding(main, bindings[0].sid)
        await client.delete_binding(main, bindings[1].sid)
        await client.fetch_credential(sorted(fake.store.credentials)[0])
        await client.fetch_notification_config(main)
    assert len(fake.requests) > 10
    followed = [r for r in fake.requests if any(k == "PageToken" for k, _ in r.query)]
    assert followed, "the listings must have followed next_page_url"
    errors: list[str] = []
    for request in fake.requests:
        spec = _spec_for(request.path, conversations_spec, chat_spec)
        errors += _request_errors(spec, request)
    # The one documented deviation: a Bindings list asks for PageSize 1000, the maximum of
    # Twilio's API reference, above the OpenAPI spec's 100/50 (request_checks explains it).
    deviation = "Bindings query PageSize: 1000 is greater than the maximum of"
    assert any(deviation in e for e in errors)
    assert [e for e in errors if deviation not in e] == []


def test_request_checker_catches_bad_requests(conversations_spec: Spec) -> None:
    service = "IS" + "a" * 32
    bad = RecordedRequest(
        "GET",
        f"/v1/Services/{service}/Bindings",
        [("PageSize", "1000"), ("BindingType", "apn,fcm"), ("Identity", "a,b"), ("Bogus", "1")],
        True,
        "x",
    )
    errors = _request_errors(conversations_spec, bad)
    assert len(errors) >= 4, errors
    bad_path = RecordedRequest("GET", "/v1/Services/ISnope/Bindings", [], True, "x")
    assert _request_errors(conversations_spec, bad_path)


# ---- Monitor alerts and Users (the diagnosis's evidence) -------------------------------------


async def test_alerts_and_users_validate_against_the_specs(
    fake: FakeTwilio,
    http: httpx.AsyncClient,
    conversations_spec: Spec,
    chat_spec: Spec,
    monitor_spec: Spec,
) -> None:
    main = fake.service_sids()[0]
    errors: list[str] = []
    checked = 0
    for params in (
        [("PageSize", "3")],
        [("StartDate", "2026-10-25T00:00:00Z"), ("EndDate", "2026-11-01T00:00:00Z")],
        [("LogLevel", "warning")],
    ):
        response = await http.get("/v1/Alerts", params=params)
        for _ in range(6):  # every page
            assert response.status_code == 200, response.text
            errors += _response_errors(monitor_spec, "GET", "/v1/Alerts", 200, response.json())
            checked += len(response.json()["alerts"])
            next_url = response.json()["meta"]["next_page_url"]
            if not next_url:
                break
            response = await http.get(next_url)
    assert checked > 10
    for spec, v in ((conversations_spec, "v1"), (chat_spec, "v2")):
        for identity in ("qa-tester-ios", "new.hire@example.com", "bob[/b]"):
            path = f"/{v}/Services/{main}/Users/{quote(identity, safe='')}"
            response = await http.get(path)
            assert response.status_code == 200, (path, response.text)
            errors += _response_errors(spec, "GET", path, 200, response.json())
    assert errors == []


async def test_alert_windows_filter_by_date(fake: FakeTwilio, http: httpx.AsyncClient) -> None:
    week = await http.get(
        "/v1/Alerts",
        params={"StartDate": "2026-10-25T00:00:00Z", "EndDate": "2026-11-01T00:00:00Z"},
    )
    month = await http.get("/v1/Alerts", params={"StartDate": "2026-10-02T00:00:00Z"})
    assert 0 < len(week.json()["alerts"]) < len(month.json()["alerts"]) == len(fake.store.alerts)
    bad = await http.get("/v1/Alerts", params={"StartDate": "last tuesday"})
    assert bad.status_code == 400


@pytest.mark.parametrize("api", [ApiFlavor.CONVERSATIONS, ApiFlavor.CHAT])
async def test_evidence_requests_validate_against_the_specs(
    fake: FakeTwilio,
    client_for: ClientFactory,
    conversations_spec: Spec,
    chat_spec: Spec,
    monitor_spec: Spec,
    api: ApiFlavor,
) -> None:
    from datetime import timedelta

    from bindings_tui.fake_twilio import FAKE_NOW

    main = fake.service_sids()[0]
    async with client_for(api) as client:
        alerts, truncated = await client.list_alerts(
            FAKE_NOW - timedelta(days=30), FAKE_NOW, limit=5, page_size=2
        )
        assert len(alerts) == 5 and truncated
        await client.fetch_user(main, "田中太郎@example.jp")
        await client.fetch_user(main, "qa-tester-ios")
    errors: list[str] = []
    for request in fake.requests:
        spec = monitor_spec if request.path.startswith("/v1/Alerts") else None
        spec = spec or _spec_for(request.path, conversations_spec, chat_spec)
        errors += _request_errors(spec, request)
    assert any(r.path == "/v1/Alerts" for r in fake.requests)
    assert errors == []
