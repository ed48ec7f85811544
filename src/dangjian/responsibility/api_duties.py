"""API of the responsibility app (duties)."""

from ninja import Router

router = Router()
