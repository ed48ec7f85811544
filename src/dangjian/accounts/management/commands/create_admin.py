"""`dangjian create_admin USERNAME --role security_admin`: the administrators' accounts, made
by the operator on the server (the product has no superuser).

三员分立: the system administrator, security administrator and auditor roles are granted (and,
with `revoke_admin`, revoked) only here, never through the product, so that the security
administrator cannot make himself or an account he controls an auditor. Create the three as
three different accounts. A temporary password is printed once and must be changed at the
first sign-in; the administrative roles also enrol two-factor sign-in then. With `--existing`
the role is granted to an account that exists already (the same role on another org, or an
ordinary account promoted): an account that held no separated role before gets new
credentials here (a new temporary password, its authenticators removed), since others may
know its old ones. Every step is audited (actor: the system). `reset_admin` resets an
administrator's password and second factor.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from dangjian.accounts import services_security
from dangjian.accounts.models import User
from dangjian.accounts.services import holds_separated_role, role_grant, user_create
from dangjian.core.errors import AppError
from dangjian.core.permissions import SEPARATED_ROLES, Role
from dangjian.orgs.models import Org


def temporary_password(user: User | None = None) -> str:
    """Random, with all four character classes (the policy wants three), and accepted by the
    password validators for `user` (see services_security.temporary_password)."""
    return services_security.temporary_password(user)


def target_org(org: int | None) -> Org:
    if org is None:
        roots = list(Org.objects.unscoped().filter(parent__isnull=True)[:2])
        if len(roots) != 1:
            raise CommandError("请用 --org 指定授权的组织编号（顶层组织不是唯一的一个）。")
        return roots[0]
    target = Org.objects.unscoped().filter(pk=org).first()
    if target is None:
        raise CommandError(f"编号为 {org} 的组织不存在。")
    return target


class Command(BaseCommand):
    help = "创建管理账号（系统管理员、安全管理员、审计员等）或为已有账号授权，临时密码只显示一次"

    def add_arguments(self, parser):
        parser.add_argument("username", help="登录名")
        parser.add_argument(
            "--role",
            required=True,
            choices=Role.values,
            help="角色：security_admin 安全管理员、system_admin 系统管理员、auditor 审计员……",
        )
        parser.add_argument("--name", default="", help="姓名（新建账号时）")
        parser.add_argument(
            "--org", type=int, default=None, help="授权的组织编号（默认：唯一的顶层组织）"
        )
        parser.add_argument(
            "--existing",
            action="store_true",
            help="为已有账号授权，不新建账号",
        )

    def handle(self, *args, username, role, name, org, existing, **options):
        target = target_org(org)
        password = None
        try:
            with transaction.atomic():
                if existing:
                    user = User.objects.filter(username=username).first()
                    if user is None:
                        raise CommandError(f"用户 {username} 不存在。")
                    promoted = role in SEPARATED_ROLES and not holds_separated_role(user)
                    grant = role_grant(actor=None, user=user, org=target, role=role)
                    if promoted:  # others may know its credentials: new ones
                        password = services_security.separated_account_reset(user=user)
                else:
                    password = temporary_password(User(username=username, display_name=name))
                    user = user_create(
                        actor=None, username=username, password=password, display_name=name
                    )
                    grant = role_grant(actor=None, user=user, org=target, role=role)
        except AppError as exc:
            raise CommandError(exc.message) from None
        verb = "已授权" if existing else "已创建"
        self.stdout.write(f"{verb} {username}（{grant.get_role_display()}，{target.name}）。")
        if password is not None:
            self.stdout.write(f"临时密码（只显示这一次，首次登录须修改）：{password}")
