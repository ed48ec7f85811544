"""Every state change of 发展党员, one function each (`<entity>_<action>(*, actor, …)`),
atomic and audited (`recruitment.candidate.created|updated|withdrawn`,
`recruitment.step.recorded|corrected|deleted`). Split by topic; import from here:

- services_candidates.py: candidate_create, candidate_update, candidate_withdraw,
  candidate_refresh (the stored stage, next deadline and finding counts);
- services_steps.py: step_record; services_corrections.py: step_correct, step_delete;
- services_members.py: the member record that follows approval, conversion, extension and
  cancellation (through members.services).

See docs/recruitment.md."""

from dangjian.recruitment.services_candidates import (
    candidate_create,
    candidate_refresh,
    candidate_update,
    candidate_withdraw,
)
from dangjian.recruitment.services_corrections import step_correct, step_delete
from dangjian.recruitment.services_members import MEMBER_FIELDS
from dangjian.recruitment.services_steps import (
    EXTENSION_MONTHS,
    PEOPLE_COUNT,
    RESULT_REQUIRED,
    SOFT_RULES,
    VOTE_STEPS,
    step_record,
)

__all__ = [
    "EXTENSION_MONTHS",
    "MEMBER_FIELDS",
    "PEOPLE_COUNT",
    "RESULT_REQUIRED",
    "SOFT_RULES",
    "VOTE_STEPS",
    "candidate_create",
    "candidate_refresh",
    "candidate_update",
    "candidate_withdraw",
    "step_correct",
    "step_delete",
    "step_record",
]
