"""Pages of the responsibility app (tasks)."""

urlpatterns: list = []
