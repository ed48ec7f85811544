from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from dangjian.accounts import services
from dangjian.core.audit import audit
from dangjian.core.errors import AppError


@require_http_methods(["GET", "POST"])
def login_view(request):
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
        next_url = ""
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
                previous_login = user.last_login  # login() below overwrites it
                login(request, user)
                if previous_login:
                    when = timezone.localtime(previous_login)
                    where = getattr(user, "previous_login_ip", None)
                    messages.info(
                        request,
                        f"欢迎，{user}。上次登录：{when:%Y-%m-%d %H:%M}"
                        + (f"，来自 {where}" if where else "")
                        + "。如非本人操作，请立即修改密码并告知安全管理员。",
                    )
                return redirect(next_url or settings.LOGIN_REDIRECT_URL)
        return render(request, "accounts/login.html", context, status=200)
    return render(request, "accounts/login.html", context)


@require_POST
def logout_view(request):
    if request.user.is_authenticated:
        audit(
            request.user, "accounts.logout.succeeded", request.user, ip=services.client_ip(request)
        )
    logout(request)
    return redirect("accounts:login")
