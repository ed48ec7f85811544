import json

from django.contrib import messages
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from dangjian.core.errors import AppError

# Paths that answer without a session: the sign-in page, static files, the API (which has
# its own authentication and answers 401 in JSON) and public pages.
PUBLIC_PREFIXES = ("/login/", "/static/", "/api/", "/public/", "/favicon.ico", "/healthz")


NUL_MESSAGE = "请求中含有无效字符（空字符），请检查输入后重试。"


def _has_nul(value) -> bool:
    """Whether a NUL character is anywhere in a decoded JSON value (keys included)."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


class NullCharacterMiddleware:
    """A NUL character in the address (`?q=%00`), in a plain form post or in a JSON body is
    refused in one place, with a Chinese message: PostgreSQL cannot hold NUL in text, so a
    search, a filter or an API write carrying one would fail deep in a query (a 500 there,
    while SQLite accepts it). Multipart posts (with files) go through Django's form fields,
    which refuse NUL themselves."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._carries_nul(request):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": NUL_MESSAGE}, status=400)
            return render(request, "errors/app_error.html", {"message": NUL_MESSAGE}, status=400)
        return self.get_response(request)

    @staticmethod
    def _carries_nul(request) -> bool:
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            return True
        if request.method not in ("POST", "PUT", "PATCH"):
            return False
        content_type = request.content_type or ""
        if content_type == "application/x-www-form-urlencoded":
            return any(
                "\x00" in key or any("\x00" in value for value in values)
                for key, values in request.POST.lists()
            )
        if content_type.startswith("multipart/"):
            return False
        if content_type == "application/json" or request.path.startswith("/api/"):
            # the API parses any body as JSON, whatever its declared type
            try:
                body = request.body
            except Exception:  # too large for DATA_UPLOAD_MAX_MEMORY_SIZE: the view answers
                return False
            if b"\x00" in body:
                return True
            if b"\\u0000" not in body:
                return False
            try:
                return _has_nul(json.loads(body))
            except ValueError:
                return False  # not JSON: the API answers it as such
        return False


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
