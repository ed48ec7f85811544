app_name = "lenient_public"

urlpatterns: list = []
