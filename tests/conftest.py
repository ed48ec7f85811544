"""Shared fixtures: a small named org tree and one persona per role (architecture.md §10).

测试工委 (root)
├── 甲局党组 (unit 甲局)               ← unit_admin
│   └── 甲局机关党委
│       ├── 甲局机关纪委
│       ├── 第一党支部 (branch A)       ← secretary_a, member_a
│       └── 第二党支部 (branch B)       ← secretary_b
└── 乙局党组 (unit 乙局)
    └── 乙局党支部 (branch C)
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import threading
from dataclasses import dataclass

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


#: taken by the live server for each request, and by the test's own thread between its
#: browser calls (`_browser_turns`): one of them at a time on the shared connection
SERVER_LOCK = threading.Lock()


def _serialise_live_server() -> None:
    """The live server answers each browser connection on its own thread, and on SQLite's
    in-memory test database every thread shares the test's one connection. Two requests at
    once (a page and its htmx fragment, say) then interleave on it: one request's savepoint
    rollback can undo the other's session write, and the browser finds itself signed out. The
    server here answers one request at a time (body included), as a single worker process would."""

    from django.core.servers.basehttp import ThreadedWSGIServer
    from django.test import testcases

    class SerialWSGIServer(ThreadedWSGIServer):
        lock = SERVER_LOCK

        def set_app(self, application):
            lock = self.lock

            def serial(environ, start_response):
                with lock:
                    result = application(environ, start_response)
                    try:
                        return list(result)
                    finally:
                        if hasattr(result, "close"):
                            result.close()

            super().set_app(serial)

    testcases.LiveServerThread.server_class = SerialWSGIServer


_serialise_live_server()

PASSWORD = "Passw0rd2022"


@dataclass
class Tree:
    root: object
    unit_a: object
    unit_b: object
    party_group_a: object
    organ_a: object
    discipline_a: object
    branch_a: object
    branch_b: object
    party_group_b: object
    branch_c: object
    members_a: list
    members_b: list
    members_c: list


_ID_SEQ = itertools.count()
_REGIONS = ["420302", "420303", "420304", "420322", "420323", "420324", "420325", "420381"]


def id_number_for(birth: dt.date, sex: str, seq: int | None = None) -> str:
    """A valid GB 11643 ID number agreeing with birth date and sex (odd 17th digit = male);
    distinct for each `seq` (by default a fresh one per call)."""
    from stdnum.cn import ric

    n = next(_ID_SEQ) if seq is None else seq
    region = _REGIONS[(n // 500) % len(_REGIONS)]
    body = f"{region}{birth:%Y%m%d}{(n % 500) * 2 + (1 if sex == 'male' else 0):03d}"
    return body + ric.calc_check_digit(body + "0")


def member_data(*, category="full", sex="male", born=1980, retired=False, **overrides) -> dict:
    """Keyword arguments for `member_create` that pass every R-INFO-03 check."""
    birth = dt.date(born, 3, 15)
    joined = dt.date(born + 25, 7, 1)
    data = {
        "sex": sex,
        "ethnicity": "01",
        "id_number": id_number_for(birth, sex),
        "birth_date": birth,
        "education": "21",
        "category": category,
        "joined_on": joined,
        "converted_on": None if category == "probationary" else joined + dt.timedelta(days=366),
        "post": "0810" if retired else "0110",
        "phone": "13800138000",
        "address": "湖北省十堰市茅箭区北京路1号",
        "standing": "normal",
        "lost_contact": False,
        "mobile": False,
        "employment": "retired" if retired else "in_service",
    }
    data.update(overrides)
    return data


def _member(branch, name, **kwargs):
    from dangjian.members.services import member_create

    return member_create(actor=None, branch=branch, name=name, **member_data(**kwargs))


@pytest.fixture(scope="module")
def shared_tree(django_db_setup, django_db_blocker):
    """The tree and the personas built once for a whole test module, inside a transaction
    rolled back when the module ends; each test runs in a savepoint within it (as Django's
    setUpTestData does) and gets its own deep copy of the objects. A module opts in with
    `pytest.mark.usefixtures("shared_tree")` — the long permission tables, where building the
    tree for each of hundreds of rows was most of their time. Not for transactional tests
    (`django_db(transaction=True)`): they flush the database."""
    from django.core.cache import cache
    from django.db import transaction

    cache.clear()  # as each test gets (`_fresh_cache`), which runs after module fixtures
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            built = _build_tree()
            yield built, _build_personas(built)
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _shared(request):
    if "shared_tree" not in request.fixturenames:
        return None
    import copy

    # one copy per test of both, so personas' members stay the tree's members
    cache = request.node.__dict__.setdefault("_shared_tree_copy", {})
    if "copy" not in cache:
        cache["copy"] = copy.deepcopy(request.getfixturevalue("shared_tree"))
    return cache["copy"]


@pytest.fixture
def tree(db, request) -> Tree:
    shared = _shared(request)
    if shared is not None:
        return shared[0]
    return _build_tree()


def _build_tree() -> Tree:
    from dangjian.orgs import services as org_services
    from dangjian.orgs.models import Unit

    create = org_services.org_create
    root = create(actor=None, parent=None, name="测试工委", kind="working_committee")
    unit_a = Unit.objects.create(name="甲局", short_name="甲局", sort=1)
    unit_b = Unit.objects.create(name="乙局", short_name="乙局", sort=2)
    pg_a = create(actor=None, parent=root, name="甲局党组", kind="party_group", unit=unit_a)
    organ_a = create(actor=None, parent=pg_a, name="甲局机关党委", kind="organ_committee")
    disc_a = create(actor=None, parent=organ_a, name="甲局机关纪委", kind="discipline_committee")
    branch_a = create(actor=None, parent=organ_a, name="第一党支部", kind="branch")
    branch_b = create(actor=None, parent=organ_a, name="第二党支部", kind="branch")
    pg_b = create(actor=None, parent=root, name="乙局党组", kind="party_group", unit=unit_b)
    branch_c = create(actor=None, parent=pg_b, name="乙局党支部", kind="branch")
    names_a = ["张三丰", "李四", "王五", "赵六"]
    members_a = [_member(branch_a, n) for n in names_a]
    members_a.append(_member(branch_a, "钱七", category="probationary", sex="female", born=1998))
    members_b = [_member(branch_b, n) for n in ["孙八", "周九", "吴十"]]
    members_c = [_member(branch_c, n) for n in ["郑一", "冯二"]]
    return Tree(
        root,
        unit_a,
        unit_b,
        pg_a,
        organ_a,
        disc_a,
        branch_a,
        branch_b,
        pg_b,
        branch_c,
        members_a,
        members_b,
        members_c,
    )


@dataclass
class Personas:
    committee_admin: object
    unit_admin: object
    secretary_a: object
    member_a: object
    secretary_b: object
    auditor: object
    security_admin: object
    system_admin: object
    judge: object
    outsider: object

    def by_name(self, name):
        return getattr(self, name)


PERSONA_NAMES = [
    "committee_admin",
    "unit_admin",
    "secretary_a",
    "member_a",
    "secretary_b",
    "auditor",
    "security_admin",
    "system_admin",
    "judge",
    "outsider",
]


@pytest.fixture
def personas(tree, request) -> Personas:
    shared = _shared(request)
    if shared is not None:
        return shared[1]
    return _build_personas(tree)


def _build_personas(tree) -> Personas:
    from dangjian.accounts.models import RoleGrant, User

    def user(username, role=None, org=None, member=None):
        u = User.objects.create_user(
            username=username, password=PASSWORD, display_name=username, member=member
        )
        if role:
            RoleGrant.objects.create(user=u, org=org, role=role)
        return u

    return Personas(
        committee_admin=user("committee_admin", "committee_admin", tree.root),
        unit_admin=user("unit_admin", "unit_admin", tree.party_group_a),
        secretary_a=user("secretary_a", "branch_secretary", tree.branch_a, tree.members_a[0]),
        member_a=user("member_a", "member", tree.branch_a, tree.members_a[1]),
        secretary_b=user("secretary_b", "branch_secretary", tree.branch_b, tree.members_b[0]),
        auditor=user("auditor", "auditor", tree.root),
        security_admin=user("security_admin", "security_admin", tree.root),
        system_admin=user("system_admin", "system_admin", tree.root),
        judge=user("judge", "judge", tree.root),
        outsider=user("outsider"),
    )


@pytest.fixture(autouse=True)
def _browser_turns(request):
    """With a live server, the test's thread uses the same connection as the server (SQLite's
    in-memory test database): its own queries (a service called between two browser steps,
    a check of the rows) must not interleave with a request still being answered. So the test
    thread holds the server's lock, and lets go of it only while it waits on the browser: each
    Playwright call. A request the page makes on its own waits for the next call."""
    if "live_server" not in request.fixturenames:
        yield
        return
    from playwright._impl import _sync_base

    original = _sync_base.SyncBase._sync
    main = threading.current_thread()
    state = {"depth": 0}

    def _sync(self, awaitable):
        if threading.current_thread() is not main or state["depth"]:
            return original(self, awaitable)
        state["depth"] = 1
        SERVER_LOCK.release()
        try:
            return original(self, awaitable)
        finally:
            SERVER_LOCK.acquire()
            state["depth"] = 0

    SERVER_LOCK.acquire()
    _sync_base.SyncBase._sync = _sync
    try:
        yield
    finally:
        _sync_base.SyncBase._sync = original
        SERVER_LOCK.release()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: API rate-limit counters (core/ratelimit.py) are
    kept there, per caller id, and ids repeat from test to test."""
    from django.core.cache import cache

    cache.clear()
    yield
