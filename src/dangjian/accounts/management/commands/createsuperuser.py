"""Django's `createsuperuser`, refused: a superuser passes every permission check, which
三员分立 forbids (no account may hold the powers of two administrators). The first accounts
are made with `dangjian create_admin`."""

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "不使用超级用户（三员分立）；请用 create_admin 创建管理账号"

    def add_arguments(self, parser):
        parser.add_argument("args", nargs="*")
        parser.add_argument("--username")
        parser.add_argument("--email")
        parser.add_argument("--noinput", "--no-input", action="store_true")
        parser.add_argument("--database")

    def handle(self, *args, **options):
        raise CommandError(
            "本系统不使用超级用户（三员分立）。请用 `dangjian create_admin 用户名 --role "
            "security_admin` 创建安全管理员，再由安全管理员在系统内创建其他账号。"
        )
