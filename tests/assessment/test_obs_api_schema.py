"""schemathesis against the observation endpoints of /api/openapi.json, called with an API
token by the 工委 admin, who manages the meeting and is also one of its judges, so the 200
paths (and their response schemas) are exercised as well as the refusals. No response may be
a server error, use an undeclared status code or break its declared schema."""

from __future__ import annotations

import re

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)
from tests.assessment.helpers_obs import items_of, make_meeting, make_sheet, stops_of

pytestmark = pytest.mark.django_db

MAX_EXAMPLES = 20
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
SCHEMA_URL = "/api/openapi.json"
PREFIX = "/api/assessment/observations"


def _labels() -> list[str]:
    from dangjian.api import api

    document = api.get_openapi_schema()
    return [
        f"{method.upper()} {path}"
        for path, item in document["paths"].items()
        for method in item
        if path.startswith(PREFIX) and method in ("get", "post", "put", "patch", "delete")
    ]


LABELS = _labels()


@pytest.fixture
def setup(tree, personas):
    from dangjian.accounts.services import api_token_create

    meeting = make_meeting(
        tree, sheet=make_sheet(tree.root), judges=[personas.committee_admin], live=True
    )
    _, plain = api_token_create(actor=None, user=personas.committee_admin, name="schema")
    ids = {
        "meeting_id": [meeting.pk],
        "stop_id": [s.pk for s in stops_of(meeting)],
        "indicator_id": [i.pk for i in items_of(meeting.sheet)],
    }
    return {"Authorization": f"Bearer {plain}"}, ids


@pytest.fixture
def keep_connection():
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _strategy(operation, known_ids):
    names = re.findall(r"{(\w+)}", operation.path)
    positive = operation.as_strategy(GenerationMode.POSITIVE)
    negative = operation.as_strategy(GenerationMode.NEGATIVE)
    if not names:
        return st.one_of(positive, negative)
    known = st.fixed_dictionaries({n: st.sampled_from(known_ids[n]) for n in names}).flatmap(
        lambda ids: operation.as_strategy(GenerationMode.POSITIVE, path_parameters=ids)
    )
    return st.one_of(known, known, known, positive, negative)


def test_all_observation_operations_are_listed():
    assert len(LABELS) == 8


@pytest.mark.parametrize("label", LABELS)
@override_settings(API_RATE_LIMIT_PER_MINUTE=1_000_000)
def test_observation_operation_conforms(label, setup, keep_connection):
    headers, known_ids = setup
    app = WSGIHandler()
    schema = schemathesis.openapi.from_wsgi(SCHEMA_URL, app)
    method, path = label.split(" ", 1)
    operation = schema[path][method]

    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.filter_too_much,
        ],
    )
    @given(case=_strategy(operation, known_ids))
    def check(case):
        response = case.call(app=app, headers=headers)
        case.validate_response(response, checks=CHECKS)

    check()
