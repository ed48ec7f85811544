"""The load test's workload (issue #11): signed-in users of the 工委's platform, mixed.

Each simulated user signs in once at start with one of the accounts of BENCH_USERS
("user1,user2,…", taken in turn; password BENCH_PASSWORD), then, with a pause of
BENCH_WAIT_MIN–BENCH_WAIT_MAX seconds between actions:

- browses the org tree (the sidebar's htmx fragments: roots, then the children of a node) and
  opens org pages;
- opens the member list (a later page now and then) and, less often, searches it by pinyin
  initials or by the last four digits of the ID number;
- opens the compliance page;
- plans a meeting (主题党日) in a branch he manages: the real form, GET then POST with its CSRF
  token, dated in the future so that it is a plan;
- a share of the users (BENCH_RELOGIN_SHARE, default 0.2) signs out and in again now and then.

With BENCH_WARMUP_SECONDS the statistics restart after that many seconds, so that the burst
of first sign-ins (PBKDF2, slow on purpose) is left out of a steady-state measurement.

Request names are grouped ("members: search", "tree: children", …) so that the statistics
read by page, not by URL. Run by bench/run_load.py; by hand:

    BENCH_USERS=gwadmin,sfjadmin,zbsj BENCH_PASSWORD=Demo2022dj \\
        .venv/bin/locust -f bench/locustfile.py --host http://127.0.0.1:8000
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import random
import re

import gevent
from locust import HttpUser, between, events, task

ACCOUNTS = [u.strip() for u in os.environ.get("BENCH_USERS", "gwadmin").split(",") if u.strip()]
PASSWORD = os.environ.get("BENCH_PASSWORD", "Demo2022dj")
RELOGIN_SHARE = float(os.environ.get("BENCH_RELOGIN_SHARE", "0.2"))
WAIT_MIN = float(os.environ.get("BENCH_WAIT_MIN", "1"))
WAIT_MAX = float(os.environ.get("BENCH_WAIT_MAX", "3"))
# statistics restart after this many seconds of load (run_load.py --warmup)
WARMUP = float(os.environ.get("BENCH_WARMUP_SECONDS", "0"))
# branches tried as the place of a planned meeting, per user (the API's first page of them)
BRANCH_CANDIDATES = 50

_accounts = itertools.cycle(ACCOUNTS)

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TREE_NODE = re.compile(r'<li data-org="(\d+)">\s*(<button[^>]*aria-expanded="false")?')
PERSON_OPTION = re.compile(r'<select name="convener"[^>]*>(.*?)</select>', re.S)
OPTION_VALUE = re.compile(r'<option value="(\d+)"')
MEETING_URL = re.compile(r"/orglife/meetings/\d+/$")
# a member search as people type it: pinyin initials (one to three letters) or an ID tail
SEARCHES = ["w", "l", "zh", "zw", "lj", "wj", "zl", "cx", "ly", "hx"]
HTMX = {"HX-Request": "true"}


@events.test_start.add_listener
def _warm_up(environment, **kwargs):
    if WARMUP > 0:
        gevent.spawn_later(WARMUP, _end_warmup, environment)


def _end_warmup(environment):
    """Restart the statistics; what the warm-up did (failures above all) is kept in the file
    BENCH_WARMUP_REPORT names, so no failure goes unreported."""
    stats = environment.stats
    report = os.environ.get("BENCH_WARMUP_REPORT")
    if report:
        with open(report, "w") as f:
            json.dump(
                {
                    "seconds": WARMUP,
                    "requests": stats.total.num_requests,
                    "failures": stats.total.num_failures,
                    "errors": [
                        {
                            "name": f"{e.method} {e.name}",
                            "error": str(e.error)[:300],
                            "count": e.occurrences,
                        }
                        for e in stats.errors.values()
                    ],
                },
                f,
                ensure_ascii=False,
            )
    stats.reset_all()


def csrf_of(html: str) -> str:
    match = CSRF.search(html)
    return match.group(1) if match else ""


class Official(HttpUser):
    wait_time = between(WAIT_MIN, WAIT_MAX)

    def on_start(self):
        self.username = next(_accounts)
        self.relogs = random.random() < RELOGIN_SHARE
        self.tree_nodes: set[int] = set()  # seen in the tree
        self.openable: set[int] = set()  # seen with children not loaded yet
        self.branches: list[tuple[int, list[str]]] | None = None  # (id, member ids) he plans in
        self.sign_in()
        self.tree_roots()

    # --- signing in and out ----------------------------------------------------------------

    def sign_in(self) -> bool:
        form = self.client.get("/login/", name="sign in: form")
        token = csrf_of(form.text)
        with self.client.post(
            "/login/",
            data={
                "username": self.username,
                "password": PASSWORD,
                "next": "",
                "csrfmiddlewaretoken": token,
            },
            name="sign in: submit",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            where = response.headers.get("Location", "")
            if response.status_code != 302 or "/login" in where:
                response.failure(f"sign-in of {self.username} refused ({response.status_code})")
                return False
            if "/account/" in where:
                # a password change or a two-factor step is owed: the load test needs accounts
                # that are free of both (DANGJIAN_OTP_REQUIRED=0, fresh passwords)
                response.failure(f"sign-in of {self.username} stopped at {where}")
                return False
        self.get("/", "home")
        return True

    @task(1)
    def sign_out_and_in(self):
        if not self.relogs:
            self.get("/", "home")
            return
        home = self.get("/", "home")
        if home is None:
            return
        with self.client.post(
            "/logout/",
            data={"csrfmiddlewaretoken": csrf_of(home.text)},
            name="sign out",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"sign-out answered {response.status_code}")
        self.sign_in()

    # --- pages -----------------------------------------------------------------------------

    def get(self, url: str, name: str, headers=None):
        """GET a page; a redirect to the sign-in page (a lost session) is a failure."""
        with self.client.get(url, name=name, headers=headers, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(response.error or f"status {response.status_code}")
                return None
            if "/login/" in response.url and "/login/" not in url:
                response.failure("signed out (redirected to the sign-in page)")
                return None
            return response

    def _remember_nodes(self, html: str) -> None:
        for org_id, closed in TREE_NODE.findall(html):
            self.tree_nodes.add(int(org_id))
            if closed:
                self.openable.add(int(org_id))

    def tree_roots(self):
        response = self.get("/orgs/tree/", "tree: roots", HTMX)
        if response is not None:
            self._remember_nodes(response.text)

    @task(4)
    def browse_tree(self):
        if not self.openable:
            self.tree_roots()
            return
        parent = random.choice(sorted(self.openable))
        response = self.get(f"/orgs/tree/?parent={parent}", "tree: children", HTMX)
        if response is not None:
            self.openable.discard(parent)
            if len(self.tree_nodes) < 2000:
                self._remember_nodes(response.text)

    @task(2)
    def org_page(self):
        if not self.tree_nodes:
            self.tree_roots()
            return
        org_id = random.choice(sorted(self.tree_nodes))
        self.get(f"/orgs/{org_id}/", "org: page")

    @task(3)
    def member_list(self):
        page = random.choice([1, 1, 1, 2, 3])
        self.get(f"/members/?page={page}", "members: list")

    @task(1)
    def member_search(self):
        # three in ten by the ID number's last four digits
        tail = f"{random.randrange(10000):04d}"
        q = tail if random.random() < 0.3 else random.choice(SEARCHES)
        self.get(f"/members/?q={q}", "members: search")

    @task(1)
    def compliance(self):
        self.get("/compliance/", "compliance")

    @task(1)
    def plan_meeting(self):
        if self.branches is None:
            self.branches = self.find_branches()
        if not self.branches:
            return
        branch_id, people = random.choice(self.branches)
        url = f"/orglife/orgs/{branch_id}/plan/"
        form = self.get(url, "meeting: plan form")
        if form is None:
            return
        starts = dt.datetime.now() + dt.timedelta(days=random.randint(7, 300))
        starts = starts.replace(hour=random.choice([9, 14, 15]), minute=0)
        ends = starts + dt.timedelta(hours=2)
        convener = random.choice(people)
        data = {
            "csrfmiddlewaretoken": csrf_of(form.text),
            "kind": "theme_day",
            "topic": f"主题党日：学习交流（压测 {random.randrange(1_000_000)}）",
            "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": ends.strftime("%Y-%m-%dT%H:%M"),
            "place": "党员活动室",
            "agenda": "一、集中学习\n二、交流发言\n三、支部书记讲评",
            "convener": convener,
            "chair": convener,
            "chair_delegated_by": "",
            "recorder": random.choice(people),
        }
        with self.client.post(
            url, data=data, name="meeting: plan submit", allow_redirects=False, catch_response=True
        ) as response:
            where = response.headers.get("Location", "")
            if response.status_code != 302 or not MEETING_URL.search(where):
                response.failure(f"meeting not planned ({response.status_code})")
                return
        self.get(where, "meeting: page")

    def find_branches(self) -> list[tuple[int, list[str]]]:
        """Branches this account may plan meetings in, with their members: the API's list of
        branches he sees, then the plan form of each until a few answer (the others are
        outside what he manages: 404)."""
        found: list[tuple[int, list[str]]] = []
        with self.client.get(
            f"/api/orgs?kind=branch&limit={BRANCH_CANDIDATES}",
            name="setup: branches",
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(response.error or f"status {response.status_code}")
                return found
            candidates = [row["id"] for row in response.json().get("items", [])]
        random.shuffle(candidates)
        for org_id in candidates[:10]:
            with self.client.get(
                f"/orglife/orgs/{org_id}/plan/", name="setup: plan form", catch_response=True
            ) as response:
                if response.status_code == 404:  # not his to manage: not an error
                    response.success()
                    continue
                if response.status_code != 200:
                    response.failure(response.error or f"status {response.status_code}")
                    continue
                select = PERSON_OPTION.search(response.text)
                people = OPTION_VALUE.findall(select.group(1)) if select else []
                if people:
                    found.append((org_id, people))
            if len(found) >= 3:
                break
        return found
