"""Every state change of 共同缔造, in one namespace (`from dangjian.cocreation import services`).
The write paths live by area: places and pairings (`services_pairings`), projects with their
metrics, milestones, photos and feedback (`services_projects`), campaigns, visits and problems
(`services_visits`). See docs/cocreation.md."""

from dangjian.cocreation.services_common import MANAGE
from dangjian.cocreation.services_pairings import (
    cadre_add,
    cadre_end,
    community_create,
    community_update,
    may_edit_community,
    pairing_create,
    pairing_end,
    pairing_update,
)
from dangjian.cocreation.services_projects import (
    PHOTO_KINDS,
    feedback_add,
    feedback_reply,
    metric_add,
    metric_update,
    milestone_add,
    milestone_done,
    photo_add,
    photo_open,
    photo_remove,
    project_create,
    project_update,
)
from dangjian.cocreation.services_visits import (
    campaign_create,
    campaign_update,
    problem_add,
    problem_update,
    visit_record,
)

__all__ = [
    "MANAGE",
    "PHOTO_KINDS",
    "cadre_add",
    "cadre_end",
    "campaign_create",
    "campaign_update",
    "community_create",
    "community_update",
    "feedback_add",
    "feedback_reply",
    "may_edit_community",
    "metric_add",
    "metric_update",
    "milestone_add",
    "milestone_done",
    "pairing_create",
    "pairing_end",
    "pairing_update",
    "photo_add",
    "photo_open",
    "photo_remove",
    "problem_add",
    "problem_update",
    "project_create",
    "project_update",
    "visit_record",
]
