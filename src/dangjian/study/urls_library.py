# scaffold: the owner of this area replaces it
urlpatterns: list = []
