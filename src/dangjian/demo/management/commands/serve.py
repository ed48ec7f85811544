"""`dangjian serve`: bring the database and static files up to date, then serve (no rebuild)."""

from __future__ import annotations

import os
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


def add_server_arguments(parser) -> None:
    parser.add_argument("--port", type=int, default=8000, help="端口（默认 8000）")
    parser.add_argument("--addr", default="127.0.0.1", help="监听地址（默认 127.0.0.1）")


def prepare() -> None:
    """Migrate quietly, and collect static files where the manifest storage needs them."""
    call_command("migrate", interactive=False, verbosity=0)
    if not (settings.DEBUG or getattr(settings, "TESTING", False)):
        call_command("collectstatic", interactive=False, verbosity=0)


def url_for(addr: str, port: int) -> str:
    host = "127.0.0.1" if addr in ("", "0.0.0.0", "127.0.0.1", "::") else addr
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}/"


def uses_task_queue() -> bool:
    return settings.TASKS["default"]["BACKEND"].startswith("django_tasks_db.")


def start_worker() -> subprocess.Popen | None:
    """With the database task backend, long work (imports, large exports) waits for a worker:
    start one beside the server so that `make demo` needs one command only."""
    if not uses_task_queue():
        return None
    # jobs a killed worker left behind become retryable (older than JOB_STALE_MINUTES)
    call_command("recover_jobs", verbosity=0)
    return subprocess.Popen(
        [sys.executable, "-m", "django", "db_worker", "--no-reload"],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": os.environ["DJANGO_SETTINGS_MODULE"]},
    )


def run_server(command: BaseCommand, addr: str, port: int) -> None:
    command.stdout.write(f"请在浏览器中打开 {url_for(addr, port)}  （按 Ctrl+C 停止）")
    listen = f"[{addr}]:{port}" if ":" in addr else f"{addr}:{port}"
    worker = start_worker()
    try:
        call_command("runserver", listen, use_reloader=False)
    finally:
        if worker is not None:
            worker.terminate()
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.kill()


class Command(BaseCommand):
    help = "迁移数据库、收集静态文件后启动服务（不重建演示数据）。"

    def add_arguments(self, parser):
        add_server_arguments(parser)

    def handle(self, *args, **options):
        prepare()
        run_server(self, options["addr"], options["port"])
