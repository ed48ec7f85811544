"""The demo stories told on today's city: one build (scale 0.1, today: the open test must be
open now, this year's tasks are in every state) shared by the stories of 责任落实 and 共同缔造,
of 学习培训, and of the 老干部局's and 司法局's services. Each story is a module of its own
(story_*.py); its test runs here, in a savepoint of the shared build (tests/demo/conftest.py)."""

from __future__ import annotations

import pytest
from django.utils import timezone
from tests.demo.story_responsibility import (  # noqa: F401
    test_work_points_lists_and_co_creation_of_the_demo,
)
from tests.demo.story_study import (  # noqa: F401
    test_the_seed_year_the_short_list_the_results_and_a_member_takes_the_test,
)
from tests.demo.story_veterans_legal import (  # noqa: F401
    test_the_showcase_units_and_the_public_lists,
)

pytestmark = [pytest.mark.city, pytest.mark.django_db(transaction=False)]

CITY_DAY = timezone.localdate()
