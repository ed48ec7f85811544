"""The `dangjian` command: `dangjian demo`, `dangjian serve`, and every Django management
command (`dangjian migrate`, `dangjian createsuperuser`, …)."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")
    from django.core.management import execute_from_command_line

    if len(argv) == 1:
        argv.append("help")
    if argv[1] == "demo" and "DANGJIAN_OTP_REQUIRED" not in os.environ:
        # the demo accounts sign in with the printed password alone; production requires
        # two-factor sign-in for the administrative roles
        os.environ["DANGJIAN_OTP_REQUIRED"] = "0"
        print("演示环境：两步验证为可选（生产环境中管理类角色必须启用）。")
    execute_from_command_line(["dangjian", *argv[1:]])


if __name__ == "__main__":
    main()
