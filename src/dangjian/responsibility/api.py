"""责任落实 endpoints under /api/responsibility: responsibility lists and their reports
(api_duties), work points, tasks, progress reports and 督办 (api_tasks). The same selectors,
access functions and services as the pages; outsiders get 404."""

from ninja import Router

from dangjian.responsibility.api_duties import router as duties_router
from dangjian.responsibility.api_tasks import router as tasks_router

router = Router(tags=["责任落实"])
router.add_router("", duties_router)
router.add_router("", tasks_router)
