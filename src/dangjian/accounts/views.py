import django_otp
import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from dangjian.accounts import services
from dangjian.accounts.forms import CodeForm, PasswordChangeForm
from dangjian.accounts.middleware import HAS_DEVICE_KEY
from dangjian.accounts.models import User
from dangjian.core.access import roles_of
from dangjian.core.audit import audit
from dangjian.core.errors import AppError
from dangjian.core.forms import call_service
from dangjian.core.permissions import Role

# between a right password and the code: {"user": id, "at": timestamp, "next": url}
PENDING_KEY = "accounts.pending_login"


def _next_url(request) -> str:
    url = request.POST.get("next") or request.GET.get("next") or ""
    return url if url_has_allowed_host_and_scheme(url, {request.get_host()}) else ""


@require_http_methods(["GET", "POST"])
def login_view(request):
    next_url = _next_url(request)
    context = {
        "next": next_url,
        "username": "",
        "max_failures": settings.LOGIN_MAX_FAILURES,
        "lock_minutes": settings.LOGIN_LOCK_MINUTES,
        "idle_minutes": settings.SESSION_COOKIE_AGE // 60,
    }
    if request.method == "POST":
        username = request.POST.get("username", "").strip()[:150]
        password = request.POST.get("password", "")[:256]
        context["username"] = username
        if not username or not password:
            context["error"] = "请输入用户名和密码。"
        else:
            try:
                user = services.login_check(request, username, password)
            except AppError as exc:
                context["error"] = exc.message
            else:
                if services.otp_device_of(user) is not None:
                    # the password alone does not sign in: the code page finishes it
                    request.session[PENDING_KEY] = {
                        "user": user.pk,
                        "at": timezone.now().timestamp(),
                        "next": next_url,
                    }
                    return redirect("accounts:login_code")
                services.login_complete(request, user)
                return _signed_in(request, user, next_url)
        return render(request, "accounts/login.html", context, status=200)
    return render(request, "accounts/login.html", context)


def _signed_in(request, user, next_url, device=None):
    request.session.pop(PENDING_KEY, None)
    previous_login = user.last_login  # login() below overwrites it
    login(request, user)
    if device is not None:
        django_otp.login(request, device)
    if previous_login:
        when = timezone.localtime(previous_login)
        where = getattr(user, "previous_login_ip", None)
        messages.info(
            request,
            f"欢迎，{user}。上次登录：{when:%Y-%m-%d %H:%M}"
            + (f"，来自 {where}" if where else "")
            + "。如非本人操作，请立即修改密码并告知安全管理员。",
        )
    days_left = services.password_days_left(user)
    if days_left is not None and 0 < days_left <= 7 and not user.must_change_password:
        messages.warning(request, f"您的密码将于{days_left}天后过期，请及时修改。")
    return redirect(next_url or settings.LOGIN_REDIRECT_URL)


@require_http_methods(["GET", "POST"])
def login_code_view(request):
    """The second step: the code from the user's authenticator. Serves both a sign-in that
    passed the password (pending, not yet signed in) and a signed-in session that was opened
    without the code."""
    pending = None
    if request.user.is_authenticated:
        user = request.user
        next_url = _next_url(request)
        if request.user.is_verified():
            return redirect(next_url or settings.LOGIN_REDIRECT_URL)
        if services.otp_device_of(user) is None:  # reset by a security administrator
            request.session[HAS_DEVICE_KEY] = False
            return redirect(next_url or settings.LOGIN_REDIRECT_URL)
    else:
        pending = request.session.get(PENDING_KEY)
        if not pending:
            return redirect("accounts:login")
        next_url = pending.get("next", "")
        age = timezone.now().timestamp() - pending.get("at", 0)
        user = User.objects.filter(pk=pending.get("user"), is_active=True).first()
        if user is None or not 0 <= age <= services.OTP_PENDING_SECONDS:
            request.session.pop(PENDING_KEY, None)
            messages.error(request, "验证已超时，请重新输入用户名和密码。")
            return redirect("accounts:login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.otp_check(request, user, form.cleaned_data["code"])
        except AppError as exc:
            if exc.code not in ("locked", "no_device"):
                form.add_error("code", exc.message)
            else:
                request.session.pop(PENDING_KEY, None)
                if pending is None:
                    logout(request)
                messages.error(request, exc.message)
                return redirect("accounts:login")
        else:
            services.login_complete(request, user, device=device)
            if pending is not None:
                return _signed_in(request, user, next_url, device)
            django_otp.login(request, device)
            return redirect(next_url or settings.LOGIN_REDIRECT_URL)
    context = {
        "form": form,
        "next": next_url if pending is None else "",
        "minutes": services.OTP_PENDING_SECONDS // 60,
        "signed_in": pending is None,
    }
    return render(request, "accounts/login_code.html", context)


@require_POST
def logout_view(request):
    if request.user.is_authenticated:
        audit(
            request.user, "accounts.logout.succeeded", request.user, ip=services.client_ip(request)
        )
    logout(request)
    return redirect("accounts:login")


def _gate_context(request, reason: str) -> dict:
    """On a page the sign-in gate holds the user on, the menus lead nowhere: hide them."""
    if not reason:
        return {"reason": ""}
    labels = sorted({Role(r).label for r in roles_of(request.user)})
    return {"reason": reason, "nav": {"roles": labels}}


def _refused(*, error):
    """Hands an AppError already caught to `call_service`, which puts it on the form."""
    raise error


@require_http_methods(["GET", "POST"])
def password_change_view(request):
    reason = services.password_change_reason(request.user)
    next_url = _next_url(request)
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.password_set(
                actor=request.user,
                user=request.user,
                current_password=form.cleaned_data["current_password"],
                new_password=form.cleaned_data["new_password"],
                must_change=False,
                ip=services.client_ip(request),
            )
        except AppError as exc:
            if exc.code == "locked":  # guessed the current password too often: sign out
                logout(request)
                messages.error(request, exc.message)
                return redirect("accounts:login")
            user = call_service(form, _refused, error=exc)
        if user is not None:
            update_session_auth_hash(request, user)  # other sessions end, this one stays
            messages.success(request, "密码已修改。")
            return redirect(next_url or settings.LOGIN_REDIRECT_URL)
    days_left = services.password_days_left(request.user)
    context = {
        "form": form,
        "next": next_url,
        "days_left": days_left,
        **_gate_context(request, reason),
    }
    return render(request, "accounts/password_change.html", context)


@require_http_methods(["GET", "POST"])
def two_factor_view(request):
    user = request.user
    required = services.otp_required_for(user)
    next_url = _next_url(request)
    device = services.otp_device_of(user)
    context = {"device": device, "required": required, "next": next_url}
    if device is None:
        ip = services.client_ip(request)
        setup = services.otp_enrolment_start(actor=user, ip=ip)
        form = CodeForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            confirmed = call_service(
                form,
                services.otp_enrol_confirm,
                actor=user,
                device=setup,
                code=form.cleaned_data["code"],
                ip=ip,
                keep_session=request.session.session_key,
            )
            if confirmed is not None:
                django_otp.login(request, confirmed)
                request.session[HAS_DEVICE_KEY] = True
                messages.success(request, "两步验证已启用，今后登录时须输入验证码。")
                return redirect(next_url or settings.LOGIN_REDIRECT_URL)
        qr = segno.make(setup.config_url, error="m")
        context |= {
            "form": form,
            "qr_svg": qr.svg_inline(scale=4, border=2, light="#fff", svgclass="otp-qr"),
            "secret": services.otp_secret(setup),
            "issuer": settings.OTP_TOTP_ISSUER,
        }
        reason = "您的角色要求启用两步验证，设置完成后才能继续使用。" if required else ""
        context |= _gate_context(request, reason)
    return render(request, "accounts/two_factor.html", context)


@require_POST
def two_factor_remove_view(request):
    try:
        services.otp_remove(actor=request.user, ip=services.client_ip(request))
    except AppError as exc:
        messages.error(request, exc.message)
    else:
        request.session[HAS_DEVICE_KEY] = False
        messages.success(request, "已关闭两步验证。")
    return redirect("accounts:two_factor")
