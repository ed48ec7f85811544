"""共同缔造 endpoints under /api/cocreation."""

from ninja import Router

router = Router(tags=["共同缔造"])
