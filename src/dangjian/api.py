"""The JSON API: one NinjaAPI, one router per app, scoped exactly like the pages.

Authentication: `Authorization: Bearer <token>` for other systems, or the browser's session
(with CSRF on writes). Errors are JSON with a Chinese `detail`. Every call counts once against the
caller's rate limit (dangjian.core.ratelimit): a valid token's, else the account's, else the
address's — a wrong token counts against the address, so a burst of made-up tokens is refused
too.
"""

from django.conf import settings
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer, SessionAuth

from dangjian.accounts.services import api_token_user
from dangjian.core import ratelimit
from dangjian.core.errors import AppError


class TokenAuth(HttpBearer):
    openapi_description = "其他系统调用：请求头 Authorization: Bearer <令牌>"

    def authenticate(self, request, token):
        user = api_token_user(token)
        if user is not None:
            ratelimit.check(request, ratelimit.token_caller(token))
            request.user = user
        else:
            # a token that does not authenticate earns no allowance of its own
            ratelimit.check(request, ratelimit.address_caller(request))
        return user


class BrowserSessionAuth(SessionAuth):
    """The browser's session. CSRF protects what a session cookie authorises, so a request
    without one (another system with a token, or nobody) is not refused for lacking a CSRF
    token: it is simply not authenticated here."""

    def __call__(self, request):
        # counted before the CSRF check, so a flood of refused writes is limited too
        ratelimit.check(request, ratelimit.session_caller(request))
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return None
        return super().__call__(request)


api = NinjaAPI(
    title="机关党建智慧管理平台 API",
    version="1.0",
    description="组织、党员等数据接口。权限与页面一致：只返回调用者可见范围内的数据。"
    "每个调用方（令牌、账号或地址）每分钟的调用次数有上限，超过时返回 429。",
    # the token first: a call that presents one is never judged by a session cookie it may
    # also carry, and is never refused for lacking a CSRF token
    auth=[TokenAuth(), BrowserSessionAuth()],
    urls_namespace="api",
)

PYDANTIC_MESSAGES = {
    "missing": "缺少必填字段",
    "int_parsing": "必须是整数",
    "int_type": "必须是整数",
    "string_type": "必须是字符串",
    "string_too_long": "内容过长",
    "string_too_short": "内容过短",
    "date_parsing": "日期格式应为 YYYY-MM-DD",
    "date_from_datetime_parsing": "日期格式应为 YYYY-MM-DD",
    "date_type": "日期格式应为 YYYY-MM-DD",
    "bool_parsing": "必须是布尔值",
    "bool_type": "必须是布尔值",
    "literal_error": "取值不在允许范围内",
    "enum": "取值不在允许范围内",
    "greater_than_equal": "数值过小",
    "less_than_equal": "数值过大",
    "json_invalid": "请求体不是有效的 JSON",
    "model_attributes_type": "请求体格式不正确",
    "dict_type": "请求体格式不正确",
    "extra_forbidden": "不允许的字段",
}


@api.exception_handler(AppError)
def on_app_error(request, exc: AppError):
    body = {"detail": exc.message, "field": exc.field}
    if len(exc.errors) > 1:
        body["errors"] = [{"field": f, "message": m} for f, m in exc.errors]
    return api.create_response(request, body, status=400)


@api.exception_handler(ValidationError)
def on_validation_error(request, exc: ValidationError):
    errors = []
    for err in exc.errors:
        loc = [str(x) for x in err.get("loc", []) if x not in ("body", "query", "path", "payload")]
        errors.append(
            {
                "field": ".".join(loc),
                "message": PYDANTIC_MESSAGES.get(err.get("type", ""), "取值无效"),
            }
        )
    return api.create_response(request, {"detail": "请求数据有误", "errors": errors}, status=422)


@api.exception_handler(AuthenticationError)
def on_auth_error(request, exc):
    return api.create_response(request, {"detail": "未登录或令牌无效"}, status=401)


@api.exception_handler(ratelimit.RateLimited)
def on_rate_limited(request, exc: ratelimit.RateLimited):
    response = api.create_response(request, {"detail": ratelimit.MESSAGE}, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response


HTTP_ERROR_MESSAGES = {
    403: "请求被拒绝。",
    405: "不支持该请求方法",
}
CSRF_MESSAGE = "请求被拒绝：缺少有效的CSRF令牌，请刷新页面后重试。"


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    # ninja's own refusals (CSRF, method) come in English; the user reads Chinese
    if exc.status_code == 403 and "CSRF" in str(exc):
        message = CSRF_MESSAGE
    else:
        message = HTTP_ERROR_MESSAGES.get(exc.status_code, "请求无法处理")
    return api.create_response(request, {"detail": message}, status=exc.status_code)


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return api.create_response(request, {"detail": "未找到"}, status=404)


from dangjian.orgs.api import router as orgs_router  # noqa: E402

api.add_router("/orgs", orgs_router)

from dangjian.members.api import router as members_router  # noqa: E402

api.add_router("/members", members_router)

from dangjian.orglife.api import router as orglife_router  # noqa: E402

api.add_router("/orglife", orglife_router)

from dangjian.assessment.api import router as assessment_router  # noqa: E402

api.add_router("/assessment", assessment_router)

from dangjian.integrity.api import router as integrity_router  # noqa: E402

api.add_router("/integrity", integrity_router)

from dangjian.dues.api import router as dues_router  # noqa: E402

api.add_router("/dues", dues_router)

from dangjian.recruitment.api import router as recruitment_router  # noqa: E402

api.add_router("/recruitment", recruitment_router)

from dangjian.study.api import router as study_router  # noqa: E402

api.add_router("/study", study_router)

from dangjian.responsibility.api import router as responsibility_router  # noqa: E402

api.add_router("/responsibility", responsibility_router)

from dangjian.cocreation.api import router as cocreation_router  # noqa: E402

api.add_router("/cocreation", cocreation_router)

# the retired cadres' services: people, pairings, contacts, requests; teams, studios, care
from dangjian.veterans.api_activities import router as veterans_activities_router  # noqa: E402
from dangjian.veterans.api_people import router as veterans_people_router  # noqa: E402

api.add_router("/veterans", veterans_people_router)
api.add_router("/veterans", veterans_activities_router)

# legal services; the published 四张清单 are also served without an account under /public
from dangjian.legal.api_lists import public_router as lenient_public_router  # noqa: E402
from dangjian.legal.api_lists import router as legal_lists_router  # noqa: E402
from dangjian.legal.api_services import router as legal_services_router  # noqa: E402

api.add_router("/legal", legal_services_router)
api.add_router("/legal", legal_lists_router)
api.add_router("/public", lenient_public_router)
