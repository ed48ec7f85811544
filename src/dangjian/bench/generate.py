"""`dangjian bench generate`: a synthetic city or province, deterministic for a seed.

The tree: a 机关工委 over units (a 党组 each; a unit of more than eight branches has a 机关党委
with its 纪委 between, one of more than forty has 总支 of about ten branches), branches of 5–60
members (党小组 in branches of 25 or more), committee seats. Members with valid fictional ID
numbers (GB 11643 check digit), real pinyin keys, sealed and masked fields as the roster keeps
them. This year's organisational life up to today: every meeting kind on its rule's calendar
(R-OL-*, rules.orglife) with a few periods missed, attendance of every expected member,
minutes of realistic length (long for assemblies, lessons and theme days, a few of them copied
from another branch) indexed in the similarity index as `orglife.copies` indexes them; one
dues base per member (R-DUES-03). Accounts gwadmin / unitadmin / zbsj / dangyuan with the demo
password.

Bulk paths only (bulk.BulkWriter: COPY on PostgreSQL, executemany on SQLite); the minutes'
text and fingerprints are computed in worker processes while the main process writes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import multiprocessing
import os
import random
import re
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone
from stdnum import numdb
from stdnum.cn import ric

from dangjian.accounts.models import RoleGrant, User
from dangjian.bench.bulk import BulkWriter, reset_sequences
from dangjian.core import crypto
from dangjian.core.masking import mask_id_number
from dangjian.core.permissions import Role
from dangjian.dues.models import DuesBase
from dangjian.members.models import Member
from dangjian.members.pinyin import pinyin_keys
from dangjian.orglife.models import Attendance, Meeting
from dangjian.orgs.models import CommitteeSeat, Org, OrgKind, SeatRole, Unit
from dangjian.rules.orglife import MeetingKind
from dangjian.similarity import minhash
from dangjian.similarity import services as similarity
from dangjian.similarity.models import LshBucket, TextFingerprint
from dangjian.similarity.synthetic import copy_of, minutes, study_passage

SCALES = {"tiny": 400, "city": 30_000, "province": 1_000_000}
PASSWORD = "Demo2022dj"  # the demo's password: the load test signs in with it
SOURCE_TYPE = "orglife.meeting"
AREAS = (  # noqa: SIM905 (one string reads better)
    "省直 武汉市 黄石市 十堰市 宜昌市 襄阳市 鄂州市 荆门市 孝感市 "
    "荆州市 黄冈市 咸宁市 随州市 恩施州 仙桃市 潜江市 天门市"
).split()
DEPARTMENTS = (  # noqa: SIM905
    "组织部 宣传部 统战部 政法委 发展改革委 教育局 科技局 经信局 公安局 民政局 "
    "司法局 财政局 人社局 自然资源局 生态环境局 住建局 交通运输局 水利局 "
    "农业农村局 商务局 文旅局 卫健委 退役军人局 应急管理局 审计局 国资委 "
    "市场监管局 统计局 医保局 城管执法局 信访局 老干部局 机关事务局 档案馆 "
    "党校 总工会 团委 妇联 科协 人大办公室 政协办公室 法院 检察院 税务局 "
    "林业局 粮食局 气象局 供销社"
).split()
SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓"
    "许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹"
    "熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段欧阳"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华玉兰萍红梅鹏辉健斌宇浩凯志国建文晓海波云飞燕琳"
)


def _regions() -> list[tuple[str, int, int]]:
    """Hubei's county codes with the years they were in use (python-stdnum's table): an ID
    number is valid only with a code that existed in the holder's birth year."""
    table = numdb.get("cn/loc")
    out = []
    for a in range(1, 29):
        for b in range(1, 99):
            code = f"42{a:02d}{b:02d}"
            info = {k: v for _part, props in table.info(code) for k, v in props.items()}
            for county in info.get("county", "").split(","):
                m = re.match(r"\[(\d{4})?-(\d{4})?\]", county)
                if m:
                    out.append((code, int(m[1] or 1900), int(m[2] or 2100)))
    return out


REGIONS = _regions()
REGIONS_BY_YEAR = {
    y: [code for code, first, last in REGIONS if first <= y <= last] for y in range(1950, 2010)
}
LONG_KINDS = (MeetingKind.MEMBER_ASSEMBLY, MeetingKind.PARTY_LESSON, MeetingKind.THEME_DAY)
PASSAGES = [study_passage(seed, 1500) for seed in range(24)]
SKIP = 0.03  # share of due meetings a branch misses (so compliance has something to show)
COPY_SHARE = 0.003  # share of long minutes copied from another branch


@dataclass
class BranchInfo:
    index: int
    org_id: int
    path: str
    name: str
    members: list[int]
    committee: list[int]
    groups: list[tuple[int, str, list[int]]] = field(default_factory=list)


@dataclass
class Result:
    scale: str
    members: int = 0
    units: int = 0
    orgs: int = 0
    branches: int = 0
    meetings: int = 0
    attendance: int = 0
    minutes_indexed: int = 0
    copies_planted: int = 0
    dues_bases: int = 0
    seconds: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def branch_size(rng: random.Random) -> int:
    return 5 + int(rng.betavariate(1.3, 4.5) * 56)


def unit_branches(rng: random.Random) -> int:
    r = rng.random()
    if r < 0.6:
        return rng.randint(2, 8)
    if r < 0.9:
        return rng.randint(9, 40)
    return rng.randint(41, 300)


class Generator:
    def __init__(self, *, scale: str, members: int, year_end: dt.date, seed: int = 2026, log=None):
        self.scale = scale
        self.target = members
        self.today = year_end
        self.seed = seed
        self.rng = random.Random(seed)
        self.log = log or (lambda msg: None)
        self.now = timezone.now()
        self.result = Result(scale=scale)
        self.next_org = 1
        self.next_member = 1
        self.digests: set[str] = set()
        self.branches: list[BranchInfo] = []
        self.name_keys: dict[str, tuple[str, str]] = {}

    # --- the tree and the roster -------------------------------------------------------

    def _org(self, rows, parent_path: str, depth: int, name: str, kind: str, unit_id):
        pk = self.next_org
        self.next_org += 1
        path = f"{parent_path}{pk}/"
        parent_id = int(parent_path.rstrip("/").rsplit("/", 1)[-1]) if parent_path != "/" else None
        rows.append(
            (pk, name, kind, parent_id, path, depth, unit_id, self.today.replace(year=2015))
        )
        return pk, path

    def _person(self, category: str):
        rng = self.rng
        while True:
            name = (
                rng.choice(SURNAMES)
                + rng.choice(GIVEN)
                + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
            )
            male = rng.random() < 0.55
            birth = dt.date(1955, 1, 1) + dt.timedelta(days=rng.randrange(0, 48 * 365))
            seq = rng.randrange(0, 500) * 2 + male
            body = f"{rng.choice(REGIONS_BY_YEAR[birth.year])}{birth:%Y%m%d}{seq:03d}"
            number = body + ric.calc_check_digit(body + "0")
            digest = crypto.digest(number)
            if digest not in self.digests:
                self.digests.add(digest)
                break
        keys = self.name_keys.get(name)
        if keys is None:
            keys = self.name_keys[name] = pinyin_keys(name)
        joined_year = min(birth.year + rng.randint(20, 40), self.today.year)
        joined = dt.date(joined_year, rng.randint(1, 12), 1)
        if category == "probationary":
            joined = self.today - dt.timedelta(days=rng.randint(30, 330))
            converted = None
        else:
            converted = (
                joined.replace(year=joined.year + 1) if joined.year < self.today.year else None
            )
            if converted is None:
                category = "probationary"
        sealed = crypto.encrypt(number)
        return (
            name,
            keys[0],
            keys[1],
            "male" if male else "female",
            sealed,
            mask_id_number(number),
            number[-4:],
            digest,
            birth,
            category,
            joined,
            converted,
        )

    def build_tree(self) -> None:
        started = time.perf_counter()
        org_rows, unit_rows, member_rows, seat_rows = [], [], [], []
        _root_id, root_path = self._org(
            org_rows,
            "/",
            0,
            "省直机关工委" if self.scale == "province" else "市直机关工委",
            OrgKind.WORKING_COMMITTEE,
            None,
        )
        self.root_path = root_path
        made_members = 0
        unit_no = 0
        rng = self.rng
        while made_members < self.target:
            area = (
                AREAS[(unit_no // len(DEPARTMENTS)) % len(AREAS)]
                if self.scale == "province"
                else ""
            )
            dept = DEPARTMENTS[unit_no % len(DEPARTMENTS)]
            lap = unit_no // (len(DEPARTMENTS) * (len(AREAS) if self.scale == "province" else 1))
            unit_name = f"{area}{dept}" + (f"（{lap + 1}）" if lap else "")
            unit_no += 1
            unit_rows.append((unit_no, unit_name, unit_name[:30], unit_no))
            top_id, top_path = self._org(
                org_rows, root_path, 1, f"中共{unit_name}党组", OrgKind.PARTY_GROUP, unit_no
            )
            n_branches = unit_branches(rng)
            parents = [(top_id, top_path, 2)]
            if n_branches > 8:
                oc_id, oc_path = self._org(
                    org_rows,
                    top_path,
                    2,
                    f"中共{unit_name}机关委员会",
                    OrgKind.ORGAN_COMMITTEE,
                    unit_no,
                )
                self._org(
                    org_rows,
                    oc_path,
                    3,
                    f"中共{unit_name}机关纪律检查委员会",
                    OrgKind.DISCIPLINE_COMMITTEE,
                    unit_no,
                )
                parents = [(oc_id, oc_path, 3)]
                if n_branches > 40:
                    parents = [
                        (
                            *self._org(
                                org_rows,
                                oc_path,
                                3,
                                f"中共{unit_name}第{g + 1}总支部委员会",
                                OrgKind.GENERAL_BRANCH,
                                unit_no,
                            ),
                            4,
                        )
                        for g in range(n_branches // 10)
                    ]
            for b in range(n_branches):
                if made_members >= self.target:
                    break
                _pid, ppath, depth = parents[b % len(parents)]
                size = min(branch_size(rng), self.target - made_members)
                size = max(size, 1)
                bname = f"中共{unit_name}第{b + 1}支部委员会"
                bid, bpath = self._org(org_rows, ppath, depth, bname, OrgKind.BRANCH, unit_no)
                ids = []
                for k in range(size):
                    category = "probationary" if rng.random() < 0.04 else "full"
                    person = self._person(category)
                    mid = self.next_member
                    self.next_member += 1
                    ids.append(mid)
                    member_rows.append(
                        (mid, *person, bid, bpath, rng.choice(("0110", "0120", "0130", "0200")))
                    )
                    del k
                made_members += size
                committee = ids[: (5 if size >= 20 else 3)] if size >= 7 else ids[:1]
                roles = [
                    SeatRole.SECRETARY,
                    SeatRole.ORGANIZATION,
                    SeatRole.PUBLICITY,
                    SeatRole.DISCIPLINE,
                    SeatRole.MEMBER,
                ]
                for mid, role in zip(committee, roles, strict=False):
                    seat_rows.append((bid, mid, role, dt.date(self.today.year - 2, 3, 1)))
                info = BranchInfo(len(self.branches), bid, bpath, bname, ids, committee)
                if size >= 25:
                    for g in range(3):
                        gid, gpath = self._org(
                            org_rows, bpath, depth + 1, f"第{g + 1}党小组", OrgKind.GROUP, unit_no
                        )
                        info.groups.append((gid, gpath, ids[g::3]))
                self.branches.append(info)
        self.result.units = len(unit_rows)
        self.result.orgs = len(org_rows)
        self.result.branches = len(self.branches)
        self.result.members = len(member_rows)
        self.log(
            f"树与名册：{len(org_rows):,} 个组织、{len(member_rows):,} 名党员"
            f"（生成 {time.perf_counter() - started:.1f} 秒）"
        )
        t = time.perf_counter()
        with transaction.atomic():
            BulkWriter(Unit, ["id", "name", "short_name", "sort"], now=self.now).write(unit_rows)
            BulkWriter(
                Org,
                ["id", "name", "kind", "parent_id", "path", "depth", "unit_id", "established_on"],
                now=self.now,
            ).write(org_rows)
            BulkWriter(
                Member,
                [
                    "id",
                    "name",
                    "name_pinyin",
                    "name_initials",
                    "sex",
                    "id_number_sealed",
                    "id_number_masked",
                    "id_tail",
                    "id_digest",
                    "birth_date",
                    "category",
                    "joined_on",
                    "converted_on",
                    "branch_id",
                    "org_path",
                    "post",
                ],
                now=self.now,
            ).write(member_rows)
            BulkWriter(
                CommitteeSeat, ["org_id", "member_id", "role", "started_on"], now=self.now
            ).write(seat_rows)
            month = self.today.replace(month=1, day=1)
            BulkWriter(
                DuesBase,
                ["member_id", "org_path", "category", "effective_month", "base", "monthly_amount"],
                now=self.now,
            ).write((m[0], m[14], "in_service", month, 4000, 40) for m in member_rows)
        self.result.dues_bases = len(member_rows)
        self.result.seconds["tree_and_roster"] = round(time.perf_counter() - started, 1)
        self.log(f"  写入 {time.perf_counter() - t:.1f} 秒")

    # --- organisational life -----------------------------------------------------------

    def build_life(self, processes: int) -> None:
        started = time.perf_counter()
        year = self.today.year
        chunks = [self.branches[i : i + 200] for i in range(0, len(self.branches), 200)]
        args = [(self.seed, year, self.today, chunk) for chunk in chunks]
        mw = BulkWriter(
            Meeting,
            [
                "id",
                "org_id",
                "org_path",
                "kind",
                "topic",
                "place",
                "starts_at",
                "ends_at",
                "status",
                "minutes",
                "sign_in_code",
                "held_at",
                "chair_id",
                "recorder_id",
            ],
            now=self.now,
        )
        aw = BulkWriter(
            Attendance,
            ["meeting_id", "member_id", "status", "reason", "signed_in_at"],
            now=self.now,
        )
        fw = BulkWriter(
            TextFingerprint,
            [
                "id",
                "source_type",
                "source_id",
                "org_path",
                "signature",
                "shingle_count",
                "created_at",
            ],
            now=self.now,
        )
        bw = BulkWriter(LshBucket, ["band", "key", "fingerprint_id"], now=self.now)
        with _chunk_results(args, processes) as results:
            for n, (meetings, attendance, prints, copies) in enumerate(results):
                with transaction.atomic():
                    mw.write(meetings)
                    aw.write(attendance)
                    fw.write(
                        (fid, SOURCE_TYPE, fid, path, sig, count, at)
                        for fid, path, sig, count, _k, at in prints
                    )
                    bw.write(
                        (band, key, fid)
                        for fid, _p, _s, _c, keys, _a in prints
                        for band, key in enumerate(keys)
                    )
                self.result.copies_planted += copies
                if n % 20 == 0 or n == len(args) - 1:
                    self.log(
                        f"  组织生活：{n + 1}/{len(args)} 批，会议 {mw.count:,}，"
                        f"出勤 {aw.count:,}，会议记录入库 {fw.count:,}"
                        f"（{time.perf_counter() - started:.0f} 秒）"
                    )
        self.result.meetings = mw.count
        self.result.attendance = aw.count
        self.result.minutes_indexed = fw.count
        self.result.seconds["organisational_life"] = round(time.perf_counter() - started, 1)
        t = time.perf_counter()
        similarity.refresh_frequent_bands()
        self.result.seconds["boilerplate_pass"] = round(time.perf_counter() - t, 1)

    # --- accounts ----------------------------------------------------------------------

    def accounts(self) -> list[tuple[str, str, str]]:
        big_unit_top = Org.objects.unscoped().filter(kind=OrgKind.PARTY_GROUP).order_by("-id")
        sizes = {}
        for info in self.branches:
            top = "/".join(info.path.split("/")[:3]) + "/"
            sizes[top] = sizes.get(top, 0) + len(info.members)
        biggest_path = max(sizes, key=sizes.get)
        top = big_unit_top.get(path=biggest_path)
        branch = max(self.branches, key=lambda b: len(b.members))
        secretary = branch.committee[0]
        plain = branch.members[-1]
        password = make_password(PASSWORD)
        spec = [
            (
                "gwadmin",
                "工委管理员",
                Role.COMMITTEE_ADMIN,
                Org.objects.unscoped().get(path=self.root_path).pk,
                None,
            ),
            ("unitadmin", "单位管理员", Role.UNIT_ADMIN, top.pk, None),
            ("zbsj", "支部书记", Role.BRANCH_SECRETARY, branch.org_id, secretary),
            ("dangyuan", "党员", Role.MEMBER, branch.org_id, plain),
        ]
        out = []
        for username, display, role, org_id, member_id in spec:
            user = User.objects.create(
                username=username,
                password=password,
                password_changed_at=self.now,
                display_name=display,
                member_id=member_id,
            )
            RoleGrant.objects.create(user=user, org_id=org_id, role=role)
            out.append((username, Role(role).label, str(org_id)))
        return out

    def run(self, processes: int) -> Result:
        started = time.perf_counter()
        # a bulk load needs no fsync per transaction (not possible inside one: the tests)
        if connection.vendor == "sqlite" and not connection.in_atomic_block:
            with connection.cursor() as cur:
                cur.execute("PRAGMA synchronous=OFF")
                cur.execute("PRAGMA cache_size=-500000")
        self.build_tree()
        self.build_life(processes)
        reset_sequences([Unit, Org, Member, Meeting, TextFingerprint])
        t = time.perf_counter()
        with connection.cursor() as cur:
            # PostgreSQL: the boilerplate pass deleted millions of band rows, whose dead tuples
            # each lookup would otherwise read from disk until autovacuum came by
            # (not possible inside a transaction: the tests)
            vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
            cur.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")
        self.result.seconds["analyze"] = round(time.perf_counter() - t, 1)
        self.result.accounts = self.accounts()
        self.result.seconds["total"] = round(time.perf_counter() - started, 1)
        return self.result


# --- the work of one chunk of branches (in a worker process) -------------------------------


@contextlib.contextmanager
def _chunk_results(args: list, processes: int):
    """The chunks' rows in order: computed by `processes` forked workers while the caller
    writes, or in this process when `processes` is 0 (the tests: an in-memory database
    must not be shared with children)."""
    if processes <= 0:
        yield map(life_of_chunk, args)
        return
    connection.close()  # the children must not share the parent's connection
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        yield pool.imap(life_of_chunk, args)


def calendar(year: int, today: dt.date) -> list[tuple[str, dt.date]]:
    """(kind, day) of every meeting a branch with a committee owes this year up to today."""
    out = []
    for month in range(1, 13):
        first = dt.date(year, month, 1)
        if first > today:
            break
        out.append((MeetingKind.COMMITTEE_MEETING, first + dt.timedelta(days=4)))
        out.append((MeetingKind.THEME_DAY, first + dt.timedelta(days=9)))
        if month % 3 == 1:
            out.append((MeetingKind.MEMBER_ASSEMBLY, first + dt.timedelta(days=14)))
            out.append((MeetingKind.PARTY_LESSON, first + dt.timedelta(days=19)))
    out.append((MeetingKind.LIFE_MEETING, dt.date(year, 1, 20)))
    out.append((MeetingKind.MEMBER_APPRAISAL, dt.date(year, 1, 22)))
    return [(k, d) for k, d in out if d <= today]


TOPICS = {
    MeetingKind.COMMITTEE_MEETING: "研究本月支部工作安排",
    MeetingKind.THEME_DAY: "主题党日：学习贯彻党的二十大精神",
    MeetingKind.MEMBER_ASSEMBLY: "支部党员大会：通报季度工作",
    MeetingKind.PARTY_LESSON: "书记讲党课",
    MeetingKind.LIFE_MEETING: "年度组织生活会",
    MeetingKind.MEMBER_APPRAISAL: "民主评议党员",
    MeetingKind.GROUP_MEETING: "党小组学习",
}


def text_of(seed: int, ordinal: int, org: str) -> tuple[str, bool]:
    """The long minutes number `ordinal` (deterministic); now and then a copy of an earlier
    one with the branch name replaced."""
    rng = random.Random(seed * 10_000_019 + ordinal)
    if ordinal > 50 and rng.random() < COPY_SHARE:
        original = rng.randrange(0, ordinal)
        source, _ = text_of(seed, original, f"第{original}党支部")
        return copy_of(rng, source, org=org), True
    study = PASSAGES[rng.randrange(len(PASSAGES))] if rng.random() < 0.33 else None
    return minutes(rng, org=org, study=study), False


def life_of_chunk(args):
    seed, year, today, chunk = args
    tz = dt.timezone(dt.timedelta(hours=8))
    full = calendar(year, today)
    meetings, attendance, prints = [], [], []
    copies = 0
    for info in chunk:
        rng = random.Random(seed * 7_919 + info.index)
        plan = [
            (k, d)
            for k, d in full
            if not (k == MeetingKind.COMMITTEE_MEETING and len(info.committee) < 3)
        ]
        orgs = [(info.org_id, info.path, info.name, k, d, info.members) for k, d in plan]
        for gid, gpath, gmembers in info.groups:
            orgs += [
                (
                    gid,
                    gpath,
                    f"{info.name}党小组",
                    MeetingKind.GROUP_MEETING,
                    dt.date(year, m, 12),
                    gmembers,
                )
                for m in range(1, today.month + 1)
                if dt.date(year, m, 12) <= today
            ]
        for j, (org_id, path, name, kind, day, people) in enumerate(orgs):
            if rng.random() < SKIP:
                continue
            mid = info.index * 100 + j + 1
            starts = dt.datetime.combine(day, dt.time(9 if j % 2 else 15), tzinfo=tz)
            expected = info.committee if kind == MeetingKind.COMMITTEE_MEETING else people
            text = ""
            if kind in LONG_KINDS:
                ordinal = mid
                text, copied = text_of(seed, ordinal, name)
                copies += copied
                prepared = similarity.prepare(text)
                if prepared is not None:
                    prints.append(
                        (
                            mid,
                            path,
                            minhash.to_bytes(prepared.signature),
                            prepared.shingle_count,
                            list(prepared.keys),
                            starts,
                        )
                    )
            else:
                text = (
                    f"{name}召开{TOPICS[kind]}，应到{len(expected)}人。"
                    "会议研究了近期重点工作，明确了责任分工和完成时限。"
                )
            meetings.append(
                (
                    mid,
                    org_id,
                    path,
                    kind,
                    TOPICS[kind],
                    "支部活动室",
                    starts,
                    starts + dt.timedelta(hours=1, minutes=30),
                    "held",
                    text,
                    f"G{mid:07d}",
                    starts + dt.timedelta(hours=2),
                    expected[0],
                    expected[-1],
                )
            )
            for member_id in expected:
                r = rng.random()
                if r < 0.9:
                    attendance.append(
                        (
                            mid,
                            member_id,
                            "present",
                            "",
                            starts - dt.timedelta(minutes=rng.randint(1, 15)),
                        )
                    )
                elif r < 0.97:
                    attendance.append((mid, member_id, "leave", "因公出差", None))
                else:
                    attendance.append((mid, member_id, "absent", "", None))
    return meetings, attendance, prints, copies


def generate(
    *, scale: str, members: int | None, today: dt.date, processes: int | None = None, log=None
) -> Result:
    """Fill an empty database (the caller checked it is empty) and return what was made."""
    count = members or SCALES[scale]
    if processes is None:
        processes = os.cpu_count() or 2
    gen = Generator(scale=scale, members=count, year_end=today, log=log)
    result = gen.run(processes)
    result.database = connection.vendor
    result.field_keys = bool(getattr(settings, "FIELD_KEYS", None))
    return result
