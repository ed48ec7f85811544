"""The assessment API: schemes and self-scores, judges' scores, contests and rankings,
述职评议 ballots (casting only: nobody can read who voted what)."""

from ninja import Router

from dangjian.assessment.api_contest import router as contest_router
from dangjian.assessment.api_observation import router as observation_router
from dangjian.assessment.api_review import router as review_router
from dangjian.assessment.api_schemes import router as schemes_router

router = Router()
router.add_router("/schemes", schemes_router)
router.add_router("/observations", observation_router)
router.add_router("/contests", contest_router)
router.add_router("/reviews", review_router)
