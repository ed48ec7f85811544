"""`dangjian revoke_admin USERNAME --role ROLE`: the operator revokes a separated role (系统管理员,
安全管理员, 审计员) on the server; 三员分立: these are granted (`create_admin`) and revoked only
here, never through the product. Revokes every active grant of that role the account holds,
each one audited (actor: the system)."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from dangjian.accounts.models import RoleGrant, User
from dangjian.accounts.services import role_revoke
from dangjian.core.errors import AppError
from dangjian.core.permissions import SEPARATED_ROLES, Role


class Command(BaseCommand):
    help = "撤销账号的系统管理员、安全管理员或审计员角色（三员分立，由运维人员在服务器上办理）"

    def add_arguments(self, parser):
        parser.add_argument("username", help="登录名")
        parser.add_argument(
            "--role",
            required=True,
            choices=sorted(SEPARATED_ROLES),
            help="角色：security_admin 安全管理员、system_admin 系统管理员、auditor 审计员",
        )

    def handle(self, *args, username, role, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"用户 {username} 不存在。")
        label = Role(role).label
        try:
            with transaction.atomic():
                grants = list(
                    RoleGrant.objects.select_for_update()
                    .select_related("org", "user")
                    .filter(user=user, role=role, revoked_at__isnull=True)
                )
                if not grants:
                    raise CommandError(f"{username} 没有有效的“{label}”授权。")
                for grant in grants:
                    role_revoke(actor=None, grant=grant)
        except AppError as exc:
            raise CommandError(exc.message) from None
        orgs = "、".join(g.org.name for g in grants)
        self.stdout.write(f"已撤销 {username} 的“{label}”角色（{orgs}）。")
