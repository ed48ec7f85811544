"""API of the responsibility app (tasks)."""

from ninja import Router

router = Router()
