"""`dangjian serve_prod`: the production layout on one machine (docs/deploy.md).

N gunicorn worker processes answer HTTP, M `db_worker` processes drain the task queue, all on
the database of DATABASE_URL (or the SQLite file of the data folder), with the cache shared
through Redis and sessions in the database (Django's default engine: shared by every process).
Static files are served by whitenoise from the collected, hashed copies (DEBUG off).

It migrates and collects static files first, starts the children, prints the address once
the server answers, forwards SIGTERM/SIGINT to its children and waits for them. When one child
ends on its own, the others are stopped too: a half layout is not left running.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

DEFAULT_CACHE_URL = "redis://127.0.0.1:6379/0"
STOP_TIMEOUT = 30  # seconds a child gets to finish its request or task after SIGTERM


def _die_with_parent() -> None:
    """Linux: a child gets SIGTERM when serve_prod itself dies (even by SIGKILL), so no
    gunicorn or worker outlives the layout that started it."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def url_for(addr: str, port: int) -> str:
    host = "127.0.0.1" if addr in ("", "0.0.0.0", "::") else addr
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}/"


def describe_database() -> str:
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("postgresql"):
        return f"PostgreSQL {db.get('HOST') or 'localhost'}:{db.get('PORT') or 5432}/{db['NAME']}"
    if db["ENGINE"].endswith("sqlite3"):
        return f"SQLite {db['NAME']}"
    return db["ENGINE"]


def static_up_to_date() -> bool:
    """Whether the collected copy is newer than every source static file: then a restart
    skips collectstatic (whitenoise compresses every file again, tens of seconds)."""
    from django.contrib.staticfiles.finders import get_finders

    manifest = os.path.join(settings.STATIC_ROOT, "staticfiles.json")
    try:
        collected = os.path.getmtime(manifest)
    except OSError:
        return False
    for finder in get_finders():
        for path, storage in finder.list(["CVS", ".*", "*~"]):
            if os.path.getmtime(storage.path(path)) > collected:
                return False
    return True


def safe_url(url: str) -> str:
    """The URL without its password, for printing."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username or ''}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return parts._replace(netloc=netloc).geturl()


def check_cache(url: str) -> None:
    """Fail at start, in words, when the shared cache cannot be used."""
    if not url:
        return
    try:
        import redis
    except ImportError:
        raise CommandError(
            "共享缓存需要 Python 的 redis 包：请运行 pip install redis，"
            "或用 --cache-url= 改为每个进程各自缓存。"
        ) from None
    try:
        redis.Redis.from_url(url, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        raise CommandError(f"无法连接 Redis（{safe_url(url)}）：{exc}") from None


class Command(BaseCommand):
    help = "以生产布局启动：gunicorn 应用进程 + 任务进程（db_worker），共享数据库与 Redis 缓存。"

    def add_arguments(self, parser):
        parser.add_argument("--addr", default="127.0.0.1", help="监听地址（默认 127.0.0.1）")
        parser.add_argument("--port", type=int, default=8000, help="端口（默认 8000）")
        parser.add_argument("--workers", type=int, default=2, help="gunicorn 进程数（默认 2）")
        parser.add_argument(
            "--threads", type=int, default=4, help="每个 gunicorn 进程的线程数（默认 4）"
        )
        parser.add_argument(
            "--task-workers", type=int, default=2, help="任务进程（db_worker）数（默认 2）"
        )
        parser.add_argument(
            "--cache-url",
            default=os.environ.get("DANGJIAN_CACHE_URL") or DEFAULT_CACHE_URL,
            help=(
                "共享缓存地址（默认取 DANGJIAN_CACHE_URL，否则 "
                f"{DEFAULT_CACHE_URL}）；留空则每个进程各自缓存"
            ),
        )
        parser.add_argument("--timeout", type=int, default=60, help="单个请求的最长秒数（默认 60）")
        parser.add_argument(
            "--keep-alive",
            type=int,
            default=5,
            help="空闲长连接保持的秒数（默认 5；前面有代理时宜大于代理的空闲超时）",
        )
        parser.add_argument("--access-log", action="store_true", help="输出访问日志")
        parser.add_argument(
            "--collectstatic",
            action="store_true",
            help="总是重新收集静态文件（默认仅在静态文件有变化时收集）",
        )
        parser.add_argument(
            "--skip-prepare", action="store_true", help="不迁移数据库、不收集静态文件"
        )

    def handle(self, *args, **options):
        if settings.DEBUG or getattr(settings, "TESTING", False):
            raise CommandError(
                "serve_prod 是生产布局：请去掉 DANGJIAN_DEBUG / DANGJIAN_TESTING 后再启动。"
            )
        if options["workers"] < 1 or options["task_workers"] < 0 or options["threads"] < 1:
            raise CommandError("--workers、--threads 至少为 1，--task-workers 不能为负数。")
        if options["task_workers"] and not settings.TASKS["default"]["BACKEND"].startswith(
            "django_tasks_db."
        ):
            raise CommandError("任务进程需要数据库任务队列（DANGJIAN_TASKS_BACKEND 保持默认）。")
        cache_url = options["cache_url"].strip()
        check_cache(cache_url)
        if not options["skip_prepare"]:
            self.stdout.write("正在迁移数据库……")
            call_command("migrate", interactive=False, verbosity=0)
            if options["collectstatic"] or not static_up_to_date():
                self.stdout.write("正在收集静态文件……")
                call_command("collectstatic", interactive=False, verbosity=0)
            # jobs a killed worker left behind become retryable (older than JOB_STALE_MINUTES)
            call_command("recover_jobs", verbosity=0)

        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "dangjian.settings"),
            "DANGJIAN_DEBUG": "0",
            "DANGJIAN_CACHE_URL": cache_url,
            "PYTHONUNBUFFERED": "1",
        }
        children: list[subprocess.Popen] = []
        stopping = False
        failed = False

        def stop(signum=None, frame=None):
            """The first signal stops the children gracefully, a second one kills them."""
            nonlocal stopping
            if stopping and signum is None:
                return
            sig = signal.SIGKILL if stopping else signal.SIGTERM
            stopping = True
            for child in children:
                if child.poll() is None:
                    with contextlib.suppress(ProcessLookupError):
                        child.send_signal(sig)

        old_handlers = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            children.append(self.start_gunicorn(options, env))
            host = socket.gethostname()
            for i in range(options["task_workers"]):
                children.append(
                    subprocess.Popen(
                        [
                            sys.executable,
                            "-m",
                            "django",
                            "db_worker",
                            "--no-reload",
                            "--queue-name",
                            "*",
                            "--worker-id",
                            f"{host}-{os.getpid()}-{i + 1}"[-64:],
                        ],
                        env=env,
                        preexec_fn=_die_with_parent,
                    )
                )
            url = url_for(options["addr"], options["port"])
            if self.wait_ready(url, children[0], lambda: stopping):
                self.stdout.write(
                    f"生产布局已启动：{options['workers']} 个应用进程（gunicorn），"
                    f"{options['task_workers']} 个任务进程（db_worker）；"
                    f"数据库 {describe_database()}；"
                    f"缓存 {'Redis ' + safe_url(cache_url) if cache_url else '各进程本地内存'}。"
                )
                self.stdout.write(f"请在浏览器中打开 {url}  （按 Ctrl+C 停止）")
                self.stdout.flush()
            # wait until we are told to stop or one child ends on its own
            while not stopping and all(child.poll() is None for child in children):
                time.sleep(0.5)
            failed = not stopping
        finally:
            stop()
            deadline = time.monotonic() + STOP_TIMEOUT
            for child in children:
                try:
                    child.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    child.kill()
                    child.wait()
            for sig, handler in old_handlers.items():
                signal.signal(sig, handler)
        self.stdout.write("已停止。")
        if failed:
            raise CommandError("有进程意外退出，生产布局已全部停止。")

    def start_gunicorn(self, options, env) -> subprocess.Popen:
        addr = options["addr"]
        bind = f"[{addr}]:{options['port']}" if ":" in addr else f"{addr}:{options['port']}"
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "dangjian.wsgi:application",
            "--name",
            "dangjian",
            "--bind",
            bind,
            "--workers",
            str(options["workers"]),
            "--worker-class",
            "gthread",
            "--threads",
            str(options["threads"]),
            "--timeout",
            str(options["timeout"]),
            # longer than a client (or proxy) keeps a connection idle: otherwise the server
            # may close it just as the client sends its next request on it
            "--keep-alive",
            str(options["keep_alive"]),
            "--graceful-timeout",
            str(STOP_TIMEOUT - 5),
            "--error-logfile",
            "-",
            "--log-level",
            "warning",
            # one fixed socket path per user would collide between two layouts on one machine
            "--no-control-socket",
        ]
        if options["access_log"]:
            command += ["--access-logfile", "-"]
        return subprocess.Popen(command, env=env, preexec_fn=_die_with_parent)

    def wait_ready(self, url: str, server: subprocess.Popen, stopping) -> bool:
        """Until the server answers (True), or it ended or we are told to stop (False)."""
        while server.poll() is None and not stopping():
            try:
                with urllib.request.urlopen(url + "healthz", timeout=2) as response:
                    if response.status == 200:
                        return True
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.2)
        return False
