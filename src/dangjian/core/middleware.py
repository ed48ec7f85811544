from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from dangjian.core.errors import AppError

# Paths that answer without a session: the sign-in page, static files, the API (which has
# its own authentication and answers 401 in JSON) and public pages.
PUBLIC_PREFIXES = ("/login/", "/static/", "/api/", "/public/", "/favicon.ico", "/healthz")


class LoginRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.user.is_authenticated and not request.path.startswith(PUBLIC_PREFIXES):
            login = reverse("accounts:login")
            if request.htmx:
                response = HttpResponseRedirect(login)
                response["HX-Redirect"] = login
                return response
            return HttpResponseRedirect(f"{login}?next={request.get_full_path()}")
        return self.get_response(request)


class AppErrorMiddleware:
    """An AppError that escapes a view becomes a message on the page it came from."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, AppError):
            return None
        if request.htmx or request.method == "GET":
            return render(
                request, "errors/app_error.html", {"message": exception.message}, status=400
            )
        messages.error(request, exception.message)
        back = request.META.get("HTTP_REFERER", "/")
        if not url_has_allowed_host_and_scheme(back, {request.get_host()}):
            back = "/"
        return HttpResponseRedirect(back)


class NoStoreMiddleware:
    """剩余信息保护: pages shown to a signed-in user hold personal data, so browsers and proxies
    must not keep them (a shared office computer's cache, the back button after sign-out).
    Responses that set their own Cache-Control (static files, downloads) keep it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            response["Cache-Control"] = "no-store, private"
        return response
