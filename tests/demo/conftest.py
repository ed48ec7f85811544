"""One demo city per test module, shared by its tests.

A city build takes a minute or more; most demo-story tests only read the city and check pages.
A module sets `CITY_DAY` (the build's "today") and its tests ask for `shared_city`: the city is
built once (scale 0.1) inside a transaction rolled back when the module ends, each test runs in
a savepoint within it (as Django's setUpTestData does), and gets the builder's `DemoResult`.
The study library's placeholder files go to a temporary MEDIA_ROOT kept for the module. Tests
that need an empty database (a full-scale build, the `demo` command) do not use it and live in
modules of their own."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import override_settings


@pytest.fixture(scope="module")
def shared_city(request, django_db_setup, django_db_blocker, tmp_path_factory):
    from dangjian.demo.city import build_city

    day = request.module.CITY_DAY
    # a clean cache, as each test gets (`_fresh_cache`): the working-day calendar is memoised
    # under a version kept there, and an earlier test's holiday override (rolled back since)
    # must not shape this city's deadlines
    cache.clear()
    media = tmp_path_factory.mktemp("city-media")
    with override_settings(MEDIA_ROOT=media), django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_city(day, scale=0.1)
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
