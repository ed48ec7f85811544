"""The sign-in gate: after the password, a user who still owes something — a code from his
authenticator, a new password (first sign-in, reset or expired), or the set-up of two-factor
sign-in his role requires — reaches only the page where he settles it (and logout).

Runs after LoginRequiredMiddleware, so only signed-in sessions get here. The API with a
bearer token carries no session user and is not gated (tokens are for systems); a session
call to the API is answered 403 in JSON.
"""

from django.contrib.auth.signals import user_logged_in
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.http import urlencode

from dangjian.accounts import services

ALWAYS_OPEN = ("/static/", "/favicon.ico", "/healthz", "/login/")

# what the user owes -> (the page that settles it, the answer to a session API call)
GATES = {
    "otp_verify": ("accounts:login_code", "请先完成两步验证。"),
    "password": ("accounts:password_change", "请先修改密码。"),
    "otp_enrol": ("accounts:two_factor", "请先启用两步验证。"),
}


# in the session: whether the signed-in user had a confirmed device when he signed in
# (refreshed when he enrols or removes it), so that the gate costs no query per request
HAS_DEVICE_KEY = "accounts.has_otp_device"


def remember_device(sender, request, user, **kwargs):
    """On every sign-in, by the login view or by any other means (a test's force_login)."""
    session = getattr(request, "session", None)
    if session is not None:
        session[HAS_DEVICE_KEY] = services.otp_device_of(user) is not None


# connected here and imported from AccountsConfig.ready(), so it is in place before the first
# sign-in of the process
user_logged_in.connect(remember_device, dispatch_uid="dangjian.accounts.remember_device")


def owed_step(request) -> str:
    """What the signed-in user must do before anything else ("" when nothing)."""
    user = request.user
    if not user.is_verified():
        has_device = request.session.get(HAS_DEVICE_KEY)
        if has_device is None:  # a session from before this gate existed
            has_device = request.session[HAS_DEVICE_KEY] = services.otp_device_of(user) is not None
        if has_device:
            return "otp_verify"
    if services.password_change_reason(user):
        return "password"
    if not user.is_verified() and services.otp_required_for(user):
        return "otp_enrol"
    return ""


class SignInGateMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.user.is_authenticated or request.path.startswith(ALWAYS_OPEN):
            return self.get_response(request)
        if request.path == reverse("accounts:logout"):
            return self.get_response(request)
        step = owed_step(request)
        if not step:
            return self.get_response(request)
        url_name, detail = GATES[step]
        target = reverse(url_name)
        if request.path == target:
            return self.get_response(request)
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": detail}, status=403)
        if request.htmx:
            # no HX-Redirect: fragments load from the gate page itself (the org tree), and
            # redirecting them there would reload it for ever
            return HttpResponse(detail, status=403, content_type="text/plain; charset=utf-8")
        if request.method == "GET":
            return HttpResponseRedirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
        return HttpResponseRedirect(target)
