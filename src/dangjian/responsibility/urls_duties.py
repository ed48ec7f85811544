"""Pages of the responsibility app (duties)."""

urlpatterns: list = []
