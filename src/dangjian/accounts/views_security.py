"""The security administrator's pages (三员分立): accounts, role grants, password resets,
lockouts, the security policy. Every page needs `account.manage` (404 otherwise) and shows no
business data. Thin: parse, access, call one service or selector."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dangjian.accounts import selectors, services, services_security
from dangjian.accounts.forms_security import DisableForm, GrantForm, UserCreateForm, UserEditForm
from dangjian.core.access import deny, has_cap_anywhere
from dangjian.core.errors import AppError
from dangjian.core.forms import call_service
from dangjian.core.permissions import SEPARATED_ROLES, Cap, Role
from dangjian.orgs.selectors import access_org

PAGE_SIZE = 30


def _require_security_admin(user) -> None:
    if not has_cap_anywhere(user, Cap.ACCOUNT_MANAGE):
        raise deny()


def _grant_form(request, data=None):
    """The grant form and "" — or None and the reason it cannot be offered (too many orgs)."""
    try:
        orgs = selectors.grant_org_choices(request.user)
    except AppError as exc:
        return None, exc.message
    return GrantForm(data, orgs=orgs), ""


@require_GET
def user_list(request):
    _require_security_admin(request.user)
    q = request.GET.get("q", "").strip()[:50]
    role = request.GET.get("role", "")
    role = role if role in Role.values else ""
    status = request.GET.get("status", "")
    status = status if status in ("locked", "disabled", "active") else ""
    users = selectors.account_list(
        request.user,
        q=q,
        role=role,
        locked=status == "locked",
        disabled={"disabled": True, "active": False}.get(status),
    )
    page = Paginator(users, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/security/user_list.html",
        {
            "page": page,
            "rows": selectors.account_rows(list(page.object_list)),
            "q": q,
            "role": role,
            "status": status,
            "roles": Role.choices,
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def user_create(request):
    _require_security_admin(request.user)
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        created = call_service(
            form,
            services_security.user_create_with_temporary_password,
            actor=request.user,
            username=form.cleaned_data["username"],
            display_name=form.cleaned_data["display_name"],
        )
        if created is not None:
            user, password = created
            return render(
                request,
                "accounts/security/temporary_password.html",
                {"account": user, "password": password, "created": True},
            )
    return render(request, "accounts/security/user_form.html", {"form": form, "title": "新建账号"})


def _detail_context(request, account, *, grant_form=None, grant_error="", disable_form=None):
    if grant_form is None and not grant_error:
        grant_form, grant_error = _grant_form(request)
    return {
        "account": account,
        "row": selectors.account_rows([account])[0],
        "grants": selectors.account_grants(account),
        "grant_form": grant_form,
        "grant_error": grant_error,
        "separated_roles": SEPARATED_ROLES,
        "disable_form": disable_form or DisableForm(),
        "is_self": account.pk == request.user.pk,
    }


@require_GET
def user_detail(request, user_id):
    account = selectors.access_account(request.user, user_id)
    return render(request, "accounts/security/user_detail.html", _detail_context(request, account))


@require_http_methods(["GET", "POST"])
def user_edit(request, user_id):
    account = selectors.access_account(request.user, user_id)
    form = UserEditForm(request.POST or None, initial={"display_name": account.display_name})
    if request.method == "POST" and form.is_valid():
        done = call_service(
            form,
            services_security.user_update,
            actor=request.user,
            user=account,
            ip=services.client_ip(request),
            display_name=form.cleaned_data["display_name"],
        )
        if done is not None:
            messages.success(request, "账号信息已保存。")
            return redirect("security:user_detail", user_id=account.pk)
    return render(
        request,
        "accounts/security/user_form.html",
        {"form": form, "account": account, "title": f"编辑账号“{account.username}”"},
    )


@require_POST
def grant_create(request, user_id):
    account = selectors.access_account(request.user, user_id)
    form, grant_error = _grant_form(request, request.POST)
    if form is not None and form.is_valid():
        org = access_org(request.user, form.cleaned_data["org"], need=Cap.ACCOUNT_MANAGE)
        grant = call_service(
            form,
            services.role_grant,
            actor=request.user,
            user=account,
            org=org,
            role=form.cleaned_data["role"],
        )
        if grant is not None:
            messages.success(request, f"已授予“{grant.get_role_display()}”（{org.name}）。")
            return redirect("security:user_detail", user_id=account.pk)
    return render(
        request,
        "accounts/security/user_detail.html",
        _detail_context(request, account, grant_form=form, grant_error=grant_error),
        status=400,
    )


@require_POST
def grant_revoke(request, user_id, grant_id):
    account = selectors.access_account(request.user, user_id)
    grant = selectors.access_grant(account, grant_id)
    services.role_revoke(actor=request.user, grant=grant)
    messages.success(request, f"已撤销“{grant.get_role_display()}”（{grant.org.name}）。")
    return redirect("security:user_detail", user_id=account.pk)


@never_cache
@require_POST
def password_reset(request, user_id):
    account = selectors.access_account(request.user, user_id)
    password = services_security.user_reset_password(
        actor=request.user, user=account, ip=services.client_ip(request)
    )
    return render(
        request,
        "accounts/security/temporary_password.html",
        {"account": account, "password": password, "created": False},
    )


@require_POST
def user_unlock(request, user_id):
    account = selectors.access_account(request.user, user_id)
    services_security.user_unlock(actor=request.user, user=account, ip=services.client_ip(request))
    messages.success(request, "账号已解锁。")
    return redirect("security:user_detail", user_id=account.pk)


@require_POST
def user_disable(request, user_id):
    account = selectors.access_account(request.user, user_id)
    form = DisableForm(request.POST)
    if form.is_valid():
        done = call_service(
            form,
            services_security.user_set_active,
            actor=request.user,
            user=account,
            ip=services.client_ip(request),
            active=False,
            reason=form.cleaned_data["reason"],
        )
        if done is not None:
            messages.success(request, "账号已停用，其登录会话已全部结束。")
            return redirect("security:user_detail", user_id=account.pk)
    return render(
        request,
        "accounts/security/user_detail.html",
        _detail_context(request, account, disable_form=form),
        status=400,
    )


@require_POST
def user_enable(request, user_id):
    account = selectors.access_account(request.user, user_id)
    services_security.user_set_active(
        actor=request.user, user=account, active=True, ip=services.client_ip(request)
    )
    messages.success(request, "账号已启用。")
    return redirect("security:user_detail", user_id=account.pk)


@require_POST
def otp_reset(request, user_id):
    account = selectors.access_account(request.user, user_id)
    services_security.user_otp_reset(
        actor=request.user, user=account, ip=services.client_ip(request)
    )
    messages.success(request, "双因素登录已重置，该账号下次登录时须重新绑定。")
    return redirect("security:user_detail", user_id=account.pk)


@require_GET
def policy(request):
    _require_security_admin(request.user)
    return render(
        request,
        "accounts/security/policy.html",
        {"policy": selectors.security_policy(), "findings": selectors.separation_report()},
    )
