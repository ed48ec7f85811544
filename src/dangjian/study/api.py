"""学习培训 endpoints under /api/study: plans, sessions, hours and trainings (api_sessions),
materials, readings and self-tests taken as a member (api_library), notes and points
(api_points). The same selectors, access functions and services as the pages; outsiders
get 404."""

from ninja import Router

from dangjian.study.api_library import router as library_router
from dangjian.study.api_points import router as points_router
from dangjian.study.api_sessions import router as sessions_router

router = Router(tags=["学习培训"])
router.add_router("", sessions_router)
router.add_router("", library_router)
router.add_router("", points_router)
