"""`dangjian reset_admin USERNAME`: the operator's reset of an administrator's account (系统管理员,
安全管理员, 审计员), on the server. 三员分立: nobody resets these accounts through the product —
otherwise the security administrator could reset the auditor's password and sign in as him.

A new temporary password is printed once and must be changed at the next sign-in; the
account's authenticators are removed (it enrols again then), its lockout is lifted and its
sessions end. Every step is audited (actor: the system). Ordinary accounts are reset by the
security administrator in the product.
"""

from django.core.management.base import BaseCommand, CommandError

from dangjian.accounts import services_security
from dangjian.accounts.models import User
from dangjian.accounts.services import holds_separated_role
from dangjian.core.errors import AppError


class Command(BaseCommand):
    help = (
        "重置系统管理员、安全管理员、审计员账号的密码和双因素登录并解除锁定（临时密码只显示一次）"
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="登录名")
        parser.add_argument("--enable", action="store_true", help="同时启用已停用的账号")

    def handle(self, *args, username, enable=False, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"用户 {username} 不存在。")
        if not holds_separated_role(user):
            raise CommandError(
                f"{username} 不是系统管理员、安全管理员或审计员，请由安全管理员在系统内重置。"
            )
        try:
            password = services_security.separated_account_reset(user=user)
        except AppError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"已重置 {username}：双因素登录已清除，锁定已解除，登录会话已结束。")
        self.stdout.write(f"临时密码（只显示这一次，下次登录须修改）：{password}")
        if not user.is_active and enable:
            services_security.user_set_active(
                actor=None, user=user, active=True, reason="运维人员重置时启用"
            )
            self.stdout.write("该账号已重新启用。")
        elif not user.is_active:
            self.stdout.write("注意：该账号已停用；加 --enable 可同时启用。")
