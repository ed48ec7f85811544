"""`dangjian api_token USERNAME NAME`: issue an API token for another system acting as USERNAME.

The token is printed once; only its SHA-256 digest is stored. The token sees exactly what the
user's role grants allow, like the user's pages.
"""

from django.core.management.base import BaseCommand, CommandError

from dangjian.accounts.models import User
from dangjian.accounts.services import api_token_create
from dangjian.core.errors import AppError


class Command(BaseCommand):
    help = "为对接系统签发接口令牌（令牌只显示一次）"

    def add_arguments(self, parser):
        parser.add_argument("username", help="令牌代表的用户")
        parser.add_argument("name", help="用途，如“组织部数据对接”")

    def handle(self, *args, username, name, **options):
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"用户 {username} 不存在或已停用。")
        try:
            _, plain = api_token_create(actor=None, user=user, name=name)
        except AppError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"已为 {username} 签发令牌（只显示这一次，请妥善保存）：")
        self.stdout.write(plain)
        self.stdout.write("调用方式：请求头 Authorization: Bearer <令牌>")
