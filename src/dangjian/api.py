"""The JSON API: one NinjaAPI, one router per app, scoped exactly like the pages.

Authentication: the browser's session (with CSRF on writes) or `Authorization: Bearer <token>`
for other systems. Errors are JSON with a Chinese `detail`.
"""

from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError
from ninja.security import HttpBearer, SessionAuth

from dangjian.accounts.services import api_token_user
from dangjian.core.errors import AppError


class TokenAuth(HttpBearer):
    openapi_description = "其他系统调用：请求头 Authorization: Bearer <令牌>"

    def authenticate(self, request, token):
        user = api_token_user(token)
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="机关党建智慧管理平台 API",
    version="1.0",
    description="组织、党员等数据接口。权限与页面一致：只返回调用者可见范围内的数据。",
    auth=[SessionAuth(), TokenAuth()],
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


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return api.create_response(request, {"detail": "未找到"}, status=404)


from dangjian.orgs.api import router as orgs_router  # noqa: E402

api.add_router("/orgs", orgs_router)

from dangjian.members.api import router as members_router  # noqa: E402

api.add_router("/members", members_router)
