"""schemathesis against the scheme operations of the OpenAPI schema, as the core module does for
all operations, with real ids for the path parameters this router adds (scheme_id,
assessment_id, indicator_id): no server error, declared status codes, responses that match."""

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
from tests.assessment.helpers_assess import published, small_scheme

from dangjian.assessment.models import Assessment, Indicator

SCHEMA_URL = "/api/openapi.json"
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
PREFIX = "/api/assessment/schemes"


def _labels() -> list[str]:
    from dangjian.api import api

    document = api.get_openapi_schema(path_prefix="/api/")
    return [
        f"{method.upper()} {path}"
        for path, item in document["paths"].items()
        for method in item
        if path.startswith(PREFIX) and method in ("get", "post", "put", "patch", "delete")
    ]


LABELS = _labels()


@pytest.fixture
def caller(personas):
    from dangjian.accounts.services import api_token_create

    _, plain = api_token_create(actor=None, user=personas.unit_admin, name="fuzz")
    return {"Authorization": f"Bearer {plain}"}


@pytest.fixture
def known_ids(tree, personas):
    city, _a = published(tree)
    own = small_scheme(tree.party_group_a, name="甲局方案")
    return {
        "scheme_id": [city.pk, own.pk],
        "assessment_id": list(
            Assessment.objects.unscoped().filter(scheme=city).values_list("pk", flat=True)
        ),
        "indicator_id": list(
            Indicator.objects.filter(scheme=city, is_category=False).values_list("pk", flat=True)
        ),
    }


@pytest.fixture
def keep_connection():
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_the_router_has_its_operations():
    assert len(LABELS) == 7


@pytest.mark.parametrize("label", LABELS)
@override_settings(API_RATE_LIMIT_PER_MINUTE=1_000_000)
def test_operation_conforms(label, caller, known_ids, keep_connection):
    app = WSGIHandler()
    schema = schemathesis.openapi.from_wsgi(SCHEMA_URL, app)
    method, path = label.split(" ", 1)
    operation = schema[path][method]
    names = re.findall(r"{(\w+)}", operation.path)
    positive = operation.as_strategy(GenerationMode.POSITIVE)
    negative = operation.as_strategy(GenerationMode.NEGATIVE)
    if names:
        known = st.fixed_dictionaries({n: st.sampled_from(known_ids[n]) for n in names}).flatmap(
            lambda ids: operation.as_strategy(GenerationMode.POSITIVE, path_parameters=ids)
        )
        strategy = st.one_of(known, known, positive, negative)
    else:
        strategy = st.one_of(positive, positive, negative)

    @settings(
        max_examples=25,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.filter_too_much,
        ],
    )
    @given(case=strategy)
    def check(case):
        response = case.call(app=app, headers=caller)
        case.validate_response(response, checks=CHECKS)

    check()
