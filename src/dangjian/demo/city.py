"""The demo city: the 市直机关 of 十堰 as the seed report (Nov 2022) describes them, filled with
fictional members, committees and terms, so that every page and every warning has something
to show.

Deterministic: one `random.Random` with a fixed seed and dates relative to `today`, so the same
`today` builds the same database. Fast: every row gets its primary key here (ids continue after
the highest one in the table), so paths and depths are known before the rows exist and each
table is written with one `bulk_create`, all in one transaction.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import accumulate

from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from dangjian.accounts.models import RoleGrant, User
from dangjian.core import crypto
from dangjian.core.audit import audit
from dangjian.core.masking import id_tail, mask_address, mask_id_number, mask_phone
from dangjian.core.permissions import Role
from dangjian.members.models import (
    Category,
    Employment,
    Member,
    Sex,
    Standing,
    SuspensionGround,
    Transfer,
    TransferKind,
)
from dangjian.members.pinyin import pinyin_keys
from dangjian.orgs.models import CommitteeSeat, Org, OrgKind, SeatRole, Term, Unit, UnitKind
from dangjian.rules.base import add_years
from dangjian.rules.orgs import COMMITTEE_MIN_FULL_MEMBERS, term_due_on, term_findings, term_years

SEED = 20221101  # the day of the observation meeting

# 十堰's districts and counties (region codes of GB/T 2260) for ID numbers and addresses
DISTRICT_CODES = [
    ("420302", "茅箭区"),
    ("420303", "张湾区"),
    ("420304", "郧阳区"),
    ("420322", "郧西县"),
    ("420323", "竹山县"),
    ("420324", "竹溪县"),
    ("420325", "房县"),
    ("420381", "丹江口市"),
]
STREETS = ["北京路", "人民路", "朝阳路", "车城路", "江苏路", "浙江路", "发展大道", "天津路"]
DEMO_ETHNICITIES = ["01", "15", "03", "06", "11"]  # 汉、土家、回、苗、满
DEMO_ETHNICITY_CUM = [955, 985, 993, 997, 1000]
MOBILE_DESTINATIONS = [
    "湖北省武汉市洪山区",
    "广东省深圳市南山区",
    "北京市海淀区",
    "上海市浦东新区",
    "浙江省杭州市西湖区",
    "湖北省襄阳市樊城区",
]
DEMO_PASSWORD = "Demo2022dj"
ROOT_NAME = "中共十堰市直属机关工作委员会"
ROOT_SHORT = "十堰市直机关工委"
CITY = "十堰市"

# Of every TERM_BLOCK elected bodies (in building order), how many have a current term that
# is overdue / ends within six months: about 4.5% and 7%.
TERM_BLOCK = 44
OVERDUE_PER_BLOCK = 2
DUE_SOON_PER_BLOCK = 3
HISTORY_SHARE = 0.12  # bodies that also show their previous (closed) term
PROBATIONARY_SHARE = 0.045  # of in-service members; retirees are all full members


@dataclass(frozen=True)
class UnitSpec:
    name: str
    short: str
    kind: str
    branches: int = 0  # generic "机关第N党支部", scaled by `scale`
    retirees: int = 0  # retiree branches, never scaled
    named: tuple[tuple[str, int], ...] = ()  # (name suffix, size or 0 for random), never scaled
    divisions: tuple[str, ...] = ()  # 党总支 of big units, each over a few branches
    retiree_pattern: str = "离退休干部第{n}党支部"
    top: str = ""  # name of the unit's top node when not "中共<unit>党组"
    discipline: bool = True  # False: a 机关党委 without 机关纪委 (R-ORG-07 shows)
    district: str = "茅箭区"


GOV, PARTY, CONGRESS, JUDICIAL, MASS, INST = (
    UnitKind.GOVERNMENT,
    UnitKind.PARTY,
    UnitKind.PEOPLES_CONGRESS,
    UnitKind.JUDICIAL,
    UnitKind.MASS,
    UnitKind.INSTITUTION,
)

# fmt: off
UNIT_TABLE: tuple[tuple[str, str, str, int, int], ...] = (
    # name, short name, kind, ordinary branches (scaled), retiree branches
    # The four units of the seed report come first.
    ("十堰市司法局", "市司法局", GOV, 0, 1),
    ("中共十堰市委老干部局", "市委老干部局", PARTY, 0, 4),
    ("十堰市人民政府办公室", "市政府办", GOV, 5, 2),
    ("十堰市老年大学", "市老年大学", INST, 0, 2),
    # Party departments.
    ("中共十堰市委办公室", "市委办", PARTY, 4, 1),
    ("中共十堰市委组织部", "市委组织部", PARTY, 4, 0),
    ("中共十堰市委宣传部", "市委宣传部", PARTY, 4, 0),
    ("中共十堰市委统一战线工作部", "市委统战部", PARTY, 3, 0),
    ("中共十堰市委政法委员会", "市委政法委", PARTY, 3, 0),
    ("十堰市纪委监委机关", "市纪委监委机关", PARTY, 6, 1),
    # 人大、政协.
    ("十堰市人大常委会机关", "市人大常委会机关", CONGRESS, 4, 1),
    ("政协十堰市委员会机关", "市政协机关", CONGRESS, 4, 1),
    # Government departments.
    ("十堰市发展和改革委员会", "市发改委", GOV, 8, 1),
    ("十堰市经济和信息化局", "市经信局", GOV, 5, 0),
    ("十堰市教育局", "市教育局", GOV, 12, 1),
    ("十堰市科学技术局", "市科技局", GOV, 3, 0),
    ("十堰市公安局", "市公安局", GOV, 30, 2),
    ("十堰市民政局", "市民政局", GOV, 5, 1),
    ("十堰市财政局", "市财政局", GOV, 8, 1),
    ("十堰市人力资源和社会保障局", "市人社局", GOV, 8, 1),
    ("十堰市自然资源和规划局", "市自然资源和规划局", GOV, 9, 1),
    ("十堰市生态环境局", "市生态环境局", GOV, 6, 0),
    ("十堰市住房和城乡建设局", "市住建局", GOV, 8, 1),
    ("十堰市交通运输局", "市交通运输局", GOV, 8, 1),
    ("十堰市水利和湖泊局", "市水利和湖泊局", GOV, 6, 0),
    ("十堰市农业农村局", "市农业农村局", GOV, 7, 1),
    ("十堰市商务局", "市商务局", GOV, 4, 0),
    ("十堰市文化和旅游局", "市文旅局", GOV, 5, 0),
    ("十堰市卫生健康委员会", "市卫健委", GOV, 12, 1),
    ("十堰市退役军人事务局", "市退役军人事务局", GOV, 3, 0),
    ("十堰市应急管理局", "市应急管理局", GOV, 4, 0),
    ("十堰市审计局", "市审计局", GOV, 5, 0),
    ("十堰市国有资产监督管理委员会", "市国资委", GOV, 3, 0),
    ("十堰市市场监督管理局", "市市场监管局", GOV, 10, 1),
    ("十堰市统计局", "市统计局", GOV, 3, 0),
    ("十堰市医疗保障局", "市医保局", GOV, 4, 0),
    ("十堰市林业局", "市林业局", GOV, 5, 0),
    ("十堰市信访局", "市信访局", GOV, 2, 0),
    ("十堰市城市管理执法委员会", "市城管执法委", GOV, 8, 0),
    ("十堰市政务服务和大数据管理局", "市政务服务和大数据局", GOV, 4, 0),
    # Court and procuratorate.
    ("十堰市中级人民法院", "市中级人民法院", JUDICIAL, 14, 1),
    ("十堰市人民检察院", "市人民检察院", JUDICIAL, 10, 1),
    # Mass organisations.
    ("十堰市总工会", "市总工会", MASS, 3, 0),
    ("共青团十堰市委员会", "团市委", MASS, 1, 0),
    ("十堰市妇女联合会", "市妇联", MASS, 2, 0),
    ("十堰市科学技术协会", "市科协", MASS, 2, 0),
    ("十堰市残疾人联合会", "市残联", MASS, 2, 0),
    # Institutions.
    ("十堰市档案馆", "市档案馆", INST, 1, 0),
    ("十堰市机关事务服务中心", "市机关事务服务中心", INST, 3, 1),
)

UNIT_EXTRAS: dict[str, dict] = {
    "十堰市司法局": {"named": (
        ("机关第一党支部", 18), ("机关第二党支部", 15), ("机关第三党支部", 22),
        ("公共法律服务中心党支部", 24), ("法律援助中心党支部", 16), ("公证处党支部", 14),
    )},
    "中共十堰市委老干部局": {"named": (("机关第一党支部", 16), ("机关第二党支部", 12))},
    "十堰市人民政府办公室": {"retiree_pattern": "离退休第{n}党支部"},
    "十堰市老年大学": {"named": (("机关党支部", 9),), "retiree_pattern": "学员第{n}党支部",
                       "district": "张湾区"},
    "中共十堰市委办公室": {"top": "中共十堰市委办公室室务会"},
    "中共十堰市委组织部": {"top": "中共十堰市委组织部部务会"},
    "中共十堰市委宣传部": {"top": "中共十堰市委宣传部部务会"},
    "中共十堰市委统一战线工作部": {"top": "中共十堰市委统一战线工作部部务会"},
    "中共十堰市委政法委员会": {"top": "中共十堰市委政法委员会委务会"},
    "十堰市纪委监委机关": {"top": "中共十堰市纪律检查委员会常务委员会"},
    "十堰市人大常委会机关": {"top": "中共十堰市人大常委会党组"},
    "政协十堰市委员会机关": {"top": "中共十堰市政协党组"},
    "十堰市教育局": {"divisions": ("教育科学研究院", "招生考试院")},
    "十堰市公安局": {"divisions": ("交通警察支队", "刑事侦查支队", "特警支队", "治安管理支队"),
                     "district": "张湾区"},
    "十堰市住房和城乡建设局": {"discipline": False},
    "十堰市交通运输局": {"discipline": False, "district": "张湾区"},
    "十堰市卫生健康委员会": {"divisions": ("疾病预防控制中心", "卫生健康综合执法支队")},
    "十堰市中级人民法院": {"divisions": ("刑事审判", "民事审判", "执行局"), "district": "张湾区"},
    "十堰市人民检察院": {"divisions": ("刑事检察部", "民事行政检察部")},
    "十堰市总工会": {"top": "中共十堰市总工会党组"},
}
# fmt: on

UNITS: tuple[UnitSpec, ...] = tuple(
    UnitSpec(*row, **UNIT_EXTRAS.get(row[0], {})) for row in UNIT_TABLE
)

# Branches made to show one warning each (full names; those missing at a smaller scale are
# simply not built).
SIZE_OVERRIDES: dict[str, int] = {
    # R-ORG-20: more than 50 members
    "中共十堰市委老干部局离退休干部第一党支部": 58,
    "十堰市公安局机关第一党支部": 56,
    "十堰市中级人民法院机关第一党支部": 53,
    # R-ORG-03: fewer than 3 full members
    "十堰市档案馆机关党支部": 2,
    "十堰市科学技术协会机关第二党支部": 2,
    "十堰市信访局机关第二党支部": 3,
    # R-ORG-03: 7 or more full members but no committee (sizes keep them at 7+ full)
    "十堰市商务局机关第一党支部": 14,
    "十堰市统计局机关第一党支部": 12,
    "十堰市医疗保障局机关第二党支部": 16,
    "十堰市林业局机关第一党支部": 11,
}
PROBATIONARY_OVERRIDES: dict[str, int] = {
    "十堰市信访局机关第二党支部": 1,
    "十堰市商务局机关第一党支部": 0,
    "十堰市统计局机关第一党支部": 0,
    "十堰市医疗保障局机关第二党支部": 0,
    "十堰市林业局机关第一党支部": 0,
}
FEW_SEATS = frozenset(
    {
        "十堰市商务局机关第一党支部",
        "十堰市统计局机关第一党支部",
        "十堰市医疗保障局机关第二党支部",
        "十堰市林业局机关第一党支部",
    }
)
NO_TERM = frozenset(
    {  # R-ORG-05: "未登记任期"
        "十堰市文化和旅游局机关第二党支部",
        "十堰市审计局机关第三党支部",
        "中共十堰市委统一战线工作部机关第一党支部",
        "十堰市科学技术局机关第二党支部",
    }
)
FORCED_TERMS: dict[str, str] = {  # so the demo accounts of 司法局 see a term warning each
    "十堰市司法局机关第一党支部": "due_soon",
    "十堰市司法局机关第三党支部": "overdue",
}

SFJ = "十堰市司法局"
LGB = "中共十堰市委老干部局"
SECRETARY_BRANCH = "十堰市司法局机关第一党支部"
SIBLING_BRANCH = "十堰市司法局机关第二党支部"
GOV_OFFICE_RETIREE_BRANCH = "十堰市人民政府办公室离退休第一党支部"

# Fictional people. Real people named in the seed report are never generated.
# fmt: off
EXCLUDED_NAMES = frozenset((
    "周亚晖", "张志豪", "龚世超", "潘世新", "李至昌", "何儒芳", "李新祥", "雷东升", "李军",
    "程培长",
))
# fmt: on
SURNAMES = (
    "王李张刘陈杨黄胡周吴徐孙赵朱马郭何高罗林郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜"
    "叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶"
    "黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤柯喻艾詹"
)
SURNAME_CUM_WEIGHTS = tuple(accumulate(1.0 / (1 + i / 8) for i in range(len(SURNAMES))))
GIVEN = {
    # (era, sex): (first characters of two-character names, last characters)
    ("old", Sex.MALE): (
        "国建德明志福荣树庆保兴光振家永宗世正昌绍",
        "华民生林成明山祥发贵忠清义才和全文武",
    ),
    ("old", Sex.FEMALE): ("秀桂玉淑凤兰素金美翠春月丽爱", "英兰珍芳华琴云香荣梅芬娥霞"),
    ("new", Sex.MALE): (
        "志建晓文海俊子宇天浩家明永新立少振一思博",
        "伟强军勇杰涛明斌超辉刚平波鹏华峰磊亮宇浩凯东飞成鑫晨龙",
    ),
    ("new", Sex.FEMALE): (
        "晓春海秀雅思丽欣佳文小雨梦",
        "芳娟敏静丽艳霞燕玲萍红梅琳婷雪莉洁慧倩颖琴兰晶悦璐瑶蓉",
    ),
}

# fmt: off
STREETS = (
    "北京中路", "人民北路", "朝阳中路", "柳林路", "车城路", "东岳路", "浙江路", "上海路", "公园路",
    "大岭路",
)
# fmt: on

SEAT_ROLES_BY_SIZE = {
    3: (SeatRole.SECRETARY, SeatRole.ORGANIZATION, SeatRole.PUBLICITY),
    4: (SeatRole.SECRETARY, SeatRole.ORGANIZATION, SeatRole.PUBLICITY, SeatRole.DISCIPLINE),
    5: (
        SeatRole.SECRETARY,
        SeatRole.DEPUTY_SECRETARY,
        SeatRole.ORGANIZATION,
        SeatRole.PUBLICITY,
        SeatRole.DISCIPLINE,
    ),
}


def cn_number(n: int) -> str:
    """1 → 一, 12 → 十二, 30 → 三十 (for 第N党支部)."""
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    tens, ones = divmod(n, 10)
    return f"{'' if tens == 1 else digits[tens]}十{digits[ones] if ones else ''}"


def party_name(unit_name: str) -> str:
    return unit_name if unit_name.startswith(("中共", "共青团")) else f"中共{unit_name}"


def organ_prefix(unit_name: str) -> str:
    """What goes before 机关委员会 / 机关第N党支部: "十堰市人大常委会机关" → "十堰市人大常委会"."""
    return unit_name.removesuffix("机关")


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: str  # the role's Chinese label
    org: str  # name of the org the role is granted on
    display_name: str


@dataclass
class DemoResult:
    today: dt.date
    units: int = 0
    orgs: int = 0
    party_groups: int = 0
    organ_committees: int = 0
    discipline_committees: int = 0
    general_branches: int = 0
    branches: int = 0
    retiree_branches: int = 0
    groups: int = 0
    members: int = 0
    probationary: int = 0
    retired: int = 0
    seats: int = 0
    terms: int = 0  # current terms
    closed_terms: int = 0
    terms_due_soon: int = 0
    terms_overdue: int = 0
    branches_without_term: int = 0
    users: int = 0
    meetings: int = 0  # organisational life of 2022 and of this year (demo/orglife.py)
    copied_minutes: int = 0
    observation_meetings: int = 0  # demo/assessment.py: 2022's three and today's
    score_sheets: int = 0
    ballots: int = 0  # 述职评议 ballots cast (counted, never linked to a voter)
    risk_points: int = 0
    candidates: int = 0  # demo/recruitment.py: 发展党员 files at every stage
    candidates_flagged: int = 0  # …of which break a time rule (error)
    dues_charges: int = 0  # demo/dues.py: a year of monthly charges
    dues_payments: int = 0
    dues_arrears_warned: int = 0  # 3–5 consecutive unpaid months
    dues_arrears_alerted: int = 0  # 6 or more (R-DUES-14)
    study_sessions: int = 0  # demo/study.py: study sessions of 2022 and this year
    sfj_study_sessions_2022: int = 0  # the seed report: 19…
    sfj_study_person_times_2022: int = 0  # …and 1,395
    study_short: int = 0  # members of the 司法局 short of hours (this year; 2022 if it is)
    study_trainings: int = 0
    quiz_attempts: int = 0
    study_notes: int = 0
    copied_notes: int = 0
    point_entries: int = 0
    work_points: int = 0  # demo/responsibility.py: the 工委's points of 2022 and this year
    resp_tasks: int = 0  # …their tasks and the units' own
    resp_tasks_overdue: int = 0  # open past their deadline this year
    resp_supervisions: int = 0  # 督办 (one left unanswered: escalated by today's reminders)
    duty_lists: int = 0  # 责任清单 (主体责任, 第一责任人, 一岗双责)
    duty_reports: int = 0  # their quarterly progress reports
    cocreation_pairings: int = 0  # demo/cocreation.py: 包联 of units with villages/communities
    cocreation_projects: int = 0  # 实事 (龙泉村's 户户通/户户亮/户户富 among them)
    cocreation_problems: int = 0  # problems found on visits, in every state
    veterans_retirees: int = 0  # demo/veterans_*.py: the 老干部局's retired cadres
    veterans_pairings: int = 0  # 结对联系 of serving cadres with retirees
    veterans_requests: int = 0  # 呼声/意愿/需求, in every state
    veterans_teams: int = 0  # 银龄志愿服务队 (53, as the seed reports)
    veterans_studios: int = 0  # 老党员工作室 and 老党员之家
    legal_lawyers: int = 0  # demo/legal*.py: the 司法局's lawyers
    legal_villages_covered: int = 0  # 一村(社区)一律师: places with a lawyer…
    legal_villages_total: int = 0  # …of all places
    legal_adviser_posts: int = 0  # governments at 市/县/乡 level…
    legal_advisers_covered: int = 0  # …with a legal adviser
    legal_aid_cases: int = 0
    lenient_items: int = 0  # 四张清单 items, 7 domains
    reminders: int = 0  # to-do items and notices of today's reminder run
    seconds: float = 0.0
    accounts: list[DemoAccount] = field(default_factory=list)
    statement_file: str = ""  # the bank statement waiting to be reconciled (demo/dues.py)

    def counts(self) -> dict[str, int]:
        skip = {"today", "seconds", "accounts", "statement_file"}
        return {k: v for k, v in self.__dict__.items() if k not in skip}


@dataclass
class _BranchPlan:
    name: str
    retiree: bool
    division: str | None
    size: int
    probationary: int | None  # None: drawn per member


class _Builder:
    def __init__(self, today: dt.date, scale: float):
        self.today = today
        self.scale = scale
        # Two streams: `shape` draws the structure (sizes, categories, committees, term
        # statuses) and is never consumed in a way that depends on `today`, so every `today`
        # gets the same city; `rng` draws people, dates and who holds which seat.
        self.shape = random.Random(SEED)
        self.rng = random.Random(SEED + 1)
        # `detail` draws the items added with the roster (ID numbers, phones, addresses,
        # education, mobile and lost-contact members) without disturbing the streams above
        self.detail = random.Random(SEED + 2)
        self._id_numbers: set[str] = set()
        self._term_modes: list[str] = []
        self.units: list[Unit] = []
        self.orgs: list[Org] = []
        self.members: list[Member] = []
        self.transfers: list[Transfer] = []
        self.seats: list[CommitteeSeat] = []
        self.terms: list[Term] = []
        self.members_of: dict[int, list[Member]] = {}  # branch id → its members
        self.orgs_by_name: dict[str, Org] = {}
        self.orgs_by_id: dict[int, Org] = {}
        self.secretary_of: dict[int, Member] = {}
        self._child_count: dict[int | None, int] = defaultdict(int)
        self._pinyin: dict[str, tuple[str, str]] = {}
        self.next_unit_id = _next_id(Unit)
        self.next_org_id = _next_id(Org)
        self.next_member_id = _next_id(Member)

    # --- small helpers ------------------------------------------------------------------

    def date_between(self, start: dt.date, end: dt.date) -> dt.date:
        if end <= start:
            return start
        return start + dt.timedelta(days=self.rng.randint(0, (end - start).days))

    def days_ago(self, low: int, high: int) -> dt.date:
        return self.today - dt.timedelta(days=self.rng.randint(low, high))

    def phone(self) -> str:
        return f"0719-8{self.rng.randint(100000, 999999)}"

    def person_name(self, sex: str, era: str) -> str:
        rng = self.rng
        while True:
            surname = rng.choices(SURNAMES, cum_weights=SURNAME_CUM_WEIGHTS)[0]
            firsts, lasts = GIVEN[(era, sex)]
            if rng.random() < (0.15 if era == "old" else 0.3):
                given = rng.choice(lasts)
            else:
                given = rng.choice(firsts) + rng.choice(lasts)
                if given[0] == given[1]:
                    continue
            name = surname + given
            if name not in EXCLUDED_NAMES:
                return name

    # --- rows ---------------------------------------------------------------------------

    def add_org(
        self,
        name: str,
        kind: str,
        parent: Org | None,
        unit: Unit | None,
        established: dt.date,
        *,
        retiree: bool = False,
        phone: bool = True,
    ) -> Org:
        oid = self.next_org_id
        self.next_org_id += 1
        parent_id = parent.pk if parent else None
        self._child_count[parent_id] += 1
        org = Org(
            id=oid,
            name=name,
            kind=kind,
            parent_id=parent_id,
            path=f"{parent.path if parent else '/'}{oid}/",
            depth=parent.depth + 1 if parent else 0,
            unit_id=unit.pk if unit else None,
            is_retiree_branch=retiree,
            established_on=established,
            contact_phone=self.phone() if phone else "",
            sort=self._child_count[parent_id],
        )
        self.orgs.append(org)
        self.orgs_by_name[name] = org
        self.orgs_by_id[oid] = org
        return org

    def add_member(self, branch: Org, *, retired: bool, probationary: bool) -> Member:
        rng = self.rng
        if retired:
            sex = Sex.MALE if rng.random() < 0.62 else Sex.FEMALE
            birth = dt.date(1935, 1, 1) + dt.timedelta(days=int(rng.triangular(0, 10226, 6400)))
            era = "old"
        else:
            sex = Sex.MALE if rng.random() < 0.56 else Sex.FEMALE
            if probationary:  # those who join now are mostly young
                birth = self.date_between(dt.date(1988, 1, 1), dt.date(2000, 12, 31))
            else:  # 1962-01-01 … 2000-12-31, most born around 1983
                birth = dt.date(1962, 1, 1) + dt.timedelta(days=int(rng.triangular(0, 14244, 7670)))
            era = "old" if birth.year < 1970 and rng.random() < 0.5 else "new"
        adult = add_years(birth, 18)
        if probationary:
            joined = max(self.days_ago(20, 350), adult)
            converted = None
        else:
            age_days = int(rng.triangular(0, 22 * 365, 6 * 365))
            latest = self.today - dt.timedelta(days=400)
            joined = min(adult + dt.timedelta(days=age_days), latest)
            joined = max(joined, adult)
            converted = add_years(joined, 1)
        name = self.person_name(sex, era)
        keys = self._pinyin.get(name)
        if keys is None:
            keys = self._pinyin[name] = pinyin_keys(name)
        member = Member(
            id=self.next_member_id,
            name=name,
            name_pinyin=keys[0],
            name_initials=keys[1],
            sex=sex,
            birth_date=birth,
            category=Category.PROBATIONARY if probationary else Category.FULL,
            branch_id=branch.pk,
            joined_on=joined,
            converted_on=converted,
            employment=Employment.RETIRED if retired else Employment.IN_SERVICE,
        )
        self.add_record_items(member, retired=retired)
        self.next_member_id += 1
        self.members.append(member)
        return member

    def id_number(self, birth: dt.date, sex: str) -> str:
        from stdnum.cn import ric

        d = self.detail
        while True:
            region = d.choice(DISTRICT_CODES)[0]
            seq = d.randint(0, 499) * 2 + (1 if sex == Sex.MALE else 0)
            body = f"{region}{birth:%Y%m%d}{seq:03d}"
            number = body + ric.calc_check_digit(body + "0")  # it ignores the last character
            if number not in self._id_numbers:
                self._id_numbers.add(number)
                return number

    def add_record_items(self, m: Member, *, retired: bool) -> None:
        """The rest of the national form: ethnicity, ID number, education, post, phone,
        address, and a few mobile, lost-contact and suspended members for the warnings."""
        d = self.detail
        number = self.id_number(m.birth_date, m.sex)
        m.id_number_sealed = crypto.encrypt(number)
        m.id_number_masked = mask_id_number(number)
        m.id_tail = id_tail(number)
        m.id_digest = crypto.digest(number)
        m.ethnicity = d.choices(DEMO_ETHNICITIES, cum_weights=DEMO_ETHNICITY_CUM)[0]
        if retired:
            m.education = d.choice(["31", "41", "61", "21", "71"])
            m.post = "0810"
        else:
            m.education = d.choices(["14", "21", "31", "11"], cum_weights=[18, 82, 97, 100])[0]
            m.post = d.choices(["0110", "0120", "0320", "0410"], cum_weights=[70, 88, 96, 100])[0]
            m.unit_post = d.choice(["科员", "一级科员", "四级主任科员", "科长", "副科长", ""])
        phone = f"1{d.choice('3589')}{d.randint(0, 999999999):09d}"
        m.phone_sealed = crypto.encrypt(phone)
        m.phone_masked = mask_phone(phone)
        _, district_name = d.choice(DISTRICT_CODES)
        street = d.choice(STREETS)
        address = f"湖北省{CITY}{district_name}{street}{d.randint(1, 300)}号"
        m.address_sealed = crypto.encrypt(address)
        m.address_masked = mask_address(address)
        m.org_path = self.orgs_by_id[m.branch_id].path
        roll = d.random()
        if not retired and roll < 0.012 and m.joined_on < self.today - dt.timedelta(days=400):
            m.is_mobile = True
            m.mobile_destination = d.choice(MOBILE_DESTINATIONS)
            m.mobile_since = self.today - dt.timedelta(days=d.randint(120, 900))
            if d.random() < 0.6:
                m.mobile_last_contact_on = self.today - dt.timedelta(days=d.randint(5, 260))
        elif roll < 0.016 and m.category == Category.FULL:
            m.is_lost_contact = True
            since = self.today - dt.timedelta(days=d.randint(60, 1200))
            m.lost_contact_since = max(since.replace(day=1), m.joined_on)
            if (self.today - m.lost_contact_since).days > 400:
                m.standing = Standing.SUSPENDED
                m.suspension_ground = SuspensionGround.LOST_CONTACT
                m.suspended_on = m.lost_contact_since + dt.timedelta(days=200)
                m.standing_reason = "失去联系6个月以上，经多方查找仍无法取得联系"

    def term_mode(self) -> str:
        """Statuses come in shuffled blocks with fixed shares, so the demo always shows a
        steady number of overdue and due-soon terms rather than whatever the dice say."""
        if not self._term_modes:
            block = ["overdue"] * OVERDUE_PER_BLOCK + ["due_soon"] * DUE_SOON_PER_BLOCK
            block += ["mid"] * (TERM_BLOCK - len(block))
            self.shape.shuffle(block)
            self._term_modes = block
        return self._term_modes.pop()

    def add_term(self, org: Org, mode: str | None = None) -> tuple[dt.date, dt.date | None]:
        """The current term (and sometimes the previous one). Returns (started, previous start)."""
        years = term_years(org.kind)
        assert years is not None
        if mode is None:
            mode = self.term_mode()
        base = add_years(self.today, -years)
        if mode == "overdue":
            started = base - dt.timedelta(days=self.rng.randint(15, 320))
        elif mode == "due_soon":
            started = base + dt.timedelta(days=self.rng.randint(10, 170))
        else:
            started = base + dt.timedelta(days=self.rng.randint(200, years * 365 - 45))
        self.terms.append(
            Term(org_id=org.pk, started_on=started, due_on=term_due_on(org.kind, started))
        )
        previous = None
        if self.shape.random() < HISTORY_SHARE:
            previous = add_years(started, -years) - dt.timedelta(days=self.rng.randint(0, 120))
            self.terms.append(
                Term(
                    org_id=org.pk,
                    started_on=previous,
                    due_on=term_due_on(org.kind, previous),
                    ended_on=started,
                    note="已按期换届" if previous >= add_years(started, -years) else "延期换届",
                )
            )
        return started, previous

    def add_seats(
        self, org: Org, pool: list[Member], roles: tuple[str, ...], started: dt.date
    ) -> list[Member]:
        """Seat `roles` on distinct full members of `pool`, preferring those already full
        members when the term began."""
        full = [m for m in pool if m.category == Category.FULL]
        ready = [m for m in full if m.converted_on and m.converted_on <= started]
        candidates = ready if len(ready) >= len(roles) else full
        chosen = self.rng.sample(candidates, min(len(roles), len(candidates)))
        for member, role in zip(chosen, roles, strict=False):
            self.seats.append(
                CommitteeSeat(org_id=org.pk, member_id=member.pk, role=role, started_on=started)
            )
        return chosen

    # --- the city -----------------------------------------------------------------------

    def build(self) -> None:
        root = self.add_org(ROOT_NAME, OrgKind.WORKING_COMMITTEE, None, None, dt.date(1984, 6, 1))
        self.root = root
        for index, spec in enumerate(UNITS, start=1):
            self.build_unit(spec, index, root)
        self.add_transfers()

    def add_transfers(self) -> None:
        """Transfers in progress for the transfer pages: two members of other units on their
        way to the secretary's branch (to accept), one member of it on the way out of the
        system (waiting for the receipt)."""
        d = self.detail
        target = self.orgs_by_name[SECRETARY_BRANCH]
        sibling = self.orgs_by_name[SIBLING_BRANCH]
        others = [
            m
            for m in self.members
            if self.orgs_by_id[m.branch_id].unit_id != target.unit_id
            and m.employment == Employment.IN_SERVICE
            and m.category == Category.FULL
            and not m.is_mobile
            and not m.is_lost_contact
        ]
        movers = d.sample(others, 2)
        for m in movers:
            self.transfers.append(
                Transfer(
                    member_id=m.pk,
                    kind=TransferKind.WITHIN,
                    from_org_id=m.branch_id,
                    from_path=self.orgs_by_id[m.branch_id].path,
                    to_org_id=target.pk,
                    to_path=target.path,
                    reason="工作调动至市司法局",
                    started_on=self.today - dt.timedelta(days=d.randint(3, 20)),
                )
            )
        leaving = next(
            m
            for m in self.members_of.get(sibling.pk, [])
            if m.category == Category.FULL and not m.is_mobile and not m.is_lost_contact
        )
        self.transfers.append(
            Transfer(
                member_id=leaving.pk,
                kind=TransferKind.OUTSIDE,
                from_org_id=sibling.pk,
                from_path=sibling.path,
                to_org_name="中共武汉市洪山区委组织部",
                letter_number=f"十直工转〔{self.today.year}〕{d.randint(10, 99)}号",
                reason="调往武汉市工作",
                started_on=self.today - dt.timedelta(days=d.randint(5, 25)),
            )
        )

    def plan_branches(self, spec: UnitSpec) -> list[_BranchPlan]:
        rng = self.shape
        plans: list[_BranchPlan] = []

        def plan(suffix: str, retiree: bool, division: str | None = None, size: int = 0):
            name = f"{spec.name}{suffix}"
            if suffix.startswith("机关"):
                name = f"{organ_prefix(spec.name)}{suffix}"
            if name in SIZE_OVERRIDES:
                size = SIZE_OVERRIDES[name]
            elif not size:
                size = (
                    round(rng.triangular(12, 42, 22))
                    if retiree
                    else round(rng.triangular(8, 40, 9))
                )
            plans.append(
                _BranchPlan(name, retiree, division, size, PROBATIONARY_OVERRIDES.get(name))
            )

        for suffix, size in spec.named:
            plan(suffix, False, size=size)
        generic = max(1, round(spec.branches * self.scale)) if spec.branches else 0
        divisions = spec.divisions if generic >= 3 * len(spec.divisions) + 2 else ()
        for division in divisions:
            per = rng.randint(3, 5) if generic >= 4 * len(divisions) + 4 else 3
            for n in range(1, per + 1):
                plan(f"{division}第{cn_number(n)}党支部", False, division)
            generic -= per
        for n in range(1, generic + 1):
            plan("机关党支部" if generic == 1 else f"机关第{cn_number(n)}党支部", False)
        for n in range(1, spec.retirees + 1):
            pattern = spec.retiree_pattern
            plan(
                pattern.replace("第{n}", "")
                if spec.retirees == 1
                else pattern.format(n=cn_number(n)),
                True,
            )
        return plans

    def build_unit(self, spec: UnitSpec, index: int, root: Org) -> None:
        rng = self.shape
        plans = self.plan_branches(spec)
        size = sum(p.size for p in plans)
        unit = Unit(
            id=self.next_unit_id,
            name=spec.name,
            short_name=spec.short,
            kind=spec.kind,
            staff_count=round(
                sum(p.size for p in plans if not p.retiree) * self.rng.uniform(1.1, 1.5)
            ),
            address=f"{CITY}{spec.district}{self.rng.choice(STREETS)}{self.rng.randint(1, 120)}号",
            sort=index * 10,
        )
        self.next_unit_id += 1
        self.units.append(unit)
        old = self.date_between(dt.date(1985, 1, 1), dt.date(2005, 12, 31))
        top = self.add_org(
            spec.top or f"{party_name(spec.name)}党组", OrgKind.PARTY_GROUP, root, unit, old
        )
        organ = discipline = umbrella = None
        if size >= 100:
            organ = self.add_org(
                f"{party_name(organ_prefix(spec.name))}机关委员会",
                OrgKind.ORGAN_COMMITTEE,
                top,
                unit,
                old,
            )
            if spec.discipline:
                discipline = self.add_org(
                    f"{party_name(organ_prefix(spec.name))}机关纪律检查委员会",
                    OrgKind.DISCIPLINE_COMMITTEE,
                    organ,
                    unit,
                    old,
                )
            parent = organ
        elif size >= 50 and not any(p.division for p in plans):
            umbrella = self.add_org(
                f"{organ_prefix(spec.name)}机关党总支", OrgKind.GENERAL_BRANCH, top, unit, old
            )
            parent = umbrella
        else:
            parent = top
        general: dict[str, Org] = {}
        for division in dict.fromkeys(p.division for p in plans if p.division):
            general[division] = self.add_org(
                f"{spec.name}{division}党总支",
                OrgKind.GENERAL_BRANCH,
                parent,
                unit,
                self.date_between(dt.date(1995, 1, 1), dt.date(2010, 12, 31)),
            )
        unit_members: list[Member] = []
        members_under: dict[int, list[Member]] = defaultdict(list)
        for p in plans:
            branch_parent = general[p.division] if p.division else parent
            branch = self.build_branch(p, branch_parent, unit)
            unit_members += self.members_of[branch.pk]
            members_under[branch_parent.pk] += self.members_of[branch.pk]
        # Elected bodies above the branches: their term, and seats from their subtree.
        for gb in [*general.values(), *([umbrella] if umbrella else [])]:
            started, _ = self.add_term(gb)
            pool = [m for m in members_under[gb.pk] if m.employment == Employment.IN_SERVICE]
            roles = SEAT_ROLES_BY_SIZE[rng.choice((3, 3, 4))]
            self.add_seats(gb, pool or members_under[gb.pk], roles, started)
        if organ is not None:
            started, _ = self.add_term(organ)
            if discipline is not None:  # elected together with the 机关党委
                self.terms.append(
                    Term(
                        org_id=discipline.pk,
                        started_on=started,
                        due_on=term_due_on(discipline.kind, started),
                    )
                )
            pool = [m for m in unit_members if m.employment == Employment.IN_SERVICE]
            roles = (
                SeatRole.SECRETARY,
                SeatRole.DEPUTY_SECRETARY,
                *([SeatRole.MEMBER] * rng.randint(3, 5)),
            )
            self.add_seats(organ, pool, roles, started)

    def build_branch(self, plan: _BranchPlan, parent: Org, unit: Unit) -> Org:
        rng = self.shape
        branch = self.add_org(
            plan.name,
            OrgKind.BRANCH,
            parent,
            unit,
            self.date_between(dt.date(1990, 1, 1), dt.date(2012, 12, 31)),
            retiree=plan.retiree,
        )
        members = []
        for i in range(plan.size):
            if plan.retiree:
                probationary = False
            elif plan.probationary is not None:
                probationary = i < plan.probationary
            else:
                probationary = rng.random() < PROBATIONARY_SHARE
            members.append(self.add_member(branch, retired=plan.retiree, probationary=probationary))
        self.members_of[branch.pk] = members
        if plan.size >= 30:
            names = (
                ("诗词书画党小组", "合唱党小组", "志愿服务党小组")
                if plan.retiree
                else tuple(f"第{cn_number(n)}党小组" for n in range(1, 4))
            )
            for name in names[: rng.randint(2, 3)]:
                self.add_org(name, OrgKind.GROUP, branch, unit, branch.established_on, phone=False)
        # Term and committee.
        if plan.name in NO_TERM:
            started, previous = self.days_ago(90, 900), None
        else:
            started, previous = self.add_term(branch, FORCED_TERMS.get(plan.name))
        full = sum(1 for m in members if m.category == Category.FULL)
        if plan.name in FEW_SEATS:
            roles = (SeatRole.SECRETARY, SeatRole.ORGANIZATION)[: rng.randint(1, 2)]
        elif full >= COMMITTEE_MIN_FULL_MEMBERS:
            roles = SEAT_ROLES_BY_SIZE[rng.choice((3, 3, 3, 4, 4, 5))]
        else:
            roles = (SeatRole.SECRETARY,)
        chosen = self.add_seats(branch, members, roles, started)
        if chosen:
            self.secretary_of[branch.pk] = chosen[0]
        if previous is not None:
            # The secretary of the previous term, who handed over at the election.
            others = [
                m
                for m in members
                if m not in chosen
                and m.category == Category.FULL
                and m.converted_on
                and m.converted_on <= previous
            ]
            if others:
                self.seats.append(
                    CommitteeSeat(
                        org_id=branch.pk,
                        member_id=self.rng.choice(others).pk,
                        role=SeatRole.SECRETARY,
                        started_on=previous,
                        ended_on=started,
                    )
                )
        return branch

    # --- accounts -----------------------------------------------------------------------

    def accounts(self) -> tuple[list[User], list[RoleGrant], list[DemoAccount]]:
        password_hash = make_password(DEMO_PASSWORD)  # once: PBKDF2 is slow on purpose
        sfj_top = self.orgs_by_name[f"{party_name(SFJ)}党组"]
        lgb_top = self.orgs_by_name[f"{party_name(LGB)}党组"]
        branch = self.orgs_by_name[SECRETARY_BRANCH]
        sibling = self.orgs_by_name[SIBLING_BRANCH]
        secretary = self.secretary_of[branch.pk]
        seated = {s.member_id for s in self.seats if s.org_id == branch.pk}
        plain = next(
            m
            for m in self.members_of[branch.pk]
            if m.pk not in seated and m.category == Category.FULL
        )
        sibling_secretary = self.secretary_of[sibling.pk]
        spec = [
            ("gwadmin", "陈立新", Role.COMMITTEE_ADMIN, self.root, None),
            ("sfjadmin", "刘晓梅", Role.UNIT_ADMIN, sfj_top, None),
            ("lgbadmin", "赵红英", Role.UNIT_ADMIN, lgb_top, None),
            ("zbsj", secretary.name, Role.BRANCH_SECRETARY, branch, secretary),
            ("dangyuan", plain.name, Role.MEMBER, branch, plain),
            ("zbsj2", sibling_secretary.name, Role.BRANCH_SECRETARY, sibling, sibling_secretary),
            ("pingwei", "孙志远", Role.JUDGE, self.root, None),
            ("shenji", "吴晓燕", Role.AUDITOR, self.root, None),
            ("anquan", "郑国强", Role.SECURITY_ADMIN, self.root, None),
            ("xitong", "何建国", Role.SYSTEM_ADMIN, self.root, None),
        ]
        next_user_id = _next_id(User)
        now = timezone.now()  # the demo passwords start their 90 days today
        users, grants, accounts = [], [], []
        for offset, (username, display, role, org, member) in enumerate(spec):
            user = User(
                id=next_user_id + offset,
                username=username,
                password=password_hash,
                password_changed_at=now,
                display_name=display,
                member_id=member.pk if member else None,
            )
            users.append(user)
            grants.append(RoleGrant(user_id=user.pk, org_id=org.pk, role=role))
            accounts.append(
                DemoAccount(username, DEMO_PASSWORD, Role(role).label, org.name, display)
            )
        return users, grants, accounts


def _next_id(model) -> int:
    return (model._default_manager.aggregate(m=Max("pk"))["m"] or 0) + 1


def build_city(today: dt.date | None = None, *, scale: float = 1.0) -> DemoResult:
    """Build the demo city into an empty tree (run `flush` first; `dangjian demo` does).

    `scale` shrinks the number of ordinary branches per unit (tests use 0.1); the units, the
    seed report's branches, the retiree branches and the demo accounts are always built.
    """
    started = time.perf_counter()
    today = today or timezone.localdate()
    if Org.all_objects.exists() or Unit.objects.exists() or Member.all_objects.exists():
        raise RuntimeError("数据库中已有组织或党员数据：请先清空（dangjian demo 会自动清空）。")
    builder = _Builder(today, scale)
    from dangjian.study.points_hooks import paused

    # the study part rebuilds every member's points at its end: no rebuild is queued before
    with transaction.atomic(), paused():
        builder.build()
        users, grants, accounts = builder.accounts()
        Unit.objects.bulk_create(builder.units)
        Org.all_objects.bulk_create(builder.orgs, batch_size=500)
        Member.all_objects.bulk_create(builder.members, batch_size=500)
        CommitteeSeat.all_objects.bulk_create(builder.seats, batch_size=1000)
        Term.all_objects.bulk_create(builder.terms, batch_size=1000)
        Transfer.all_objects.bulk_create(builder.transfers)
        User.objects.bulk_create(users)
        RoleGrant.objects.bulk_create(grants)
        # Explicit ids leave PostgreSQL's sequences behind; later inserts must not collide.
        statements = connection.ops.sequence_reset_sql(
            no_style(), [Unit, Org, Member, CommitteeSeat, Term, User, RoleGrant]
        )
        if statements:
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)
        result = _summarise(builder, today, len(users), accounts)
        # 发展党员 first: its approvals add 预备党员 (joined on their acceptance day) whom the
        # organisational life built next has on its rosters
        from dangjian.demo.recruitment import build_recruitment

        recruited = build_recruitment(today)
        result.candidates, result.candidates_flagged = recruited.candidates, recruited.with_errors
        result.members += recruited.members_added
        result.probationary += recruited.probationary_added
        from dangjian.demo.orglife import build_orglife

        life = build_orglife(today)
        result.meetings, result.copied_minutes = life.meetings, life.flagged
        result.meetings += recruited.meetings_added
        # a year of dues for everyone (after 发展党员: its approvals added 预备党员), before
        # assessment so this year's auto indicators read them
        from dangjian.demo.dues import build_dues

        paid = build_dues(today)
        result.dues_charges, result.dues_payments = paid.charges, paid.payments
        result.dues_arrears_warned = paid.arrears_warned
        result.dues_arrears_alerted = paid.arrears_alerted
        result.statement_file = paid.statement_file
        # 学习培训: the 司法局's 2022 study year of the seed report, this year's plans and
        # sessions, the library, self-tests, notes and everyone's points (before assessment,
        # whose auto indicators read this year's records)
        from dangjian.demo.study import build_study

        studied = build_study(today)
        result.meetings += studied.sessions
        result.study_sessions = studied.sessions
        result.sfj_study_sessions_2022 = studied.sfj_sessions_2022
        result.sfj_study_person_times_2022 = studied.sfj_person_times_2022
        result.study_short = (
            studied.sfj_short_this_year if today.year > 2022 else studied.sfj_short_2022
        )
        result.study_trainings = studied.trainings
        result.quiz_attempts = studied.attempts
        result.study_notes, result.copied_notes = studied.notes, studied.copied_notes
        result.point_entries = studied.point_entries
        # 责任落实 and 共同缔造 (before assessment, whose auto indicators may read the tasks)
        from dangjian.demo.cocreation import build_cocreation
        from dangjian.demo.responsibility import build_responsibility

        held = build_responsibility(today)
        result.work_points, result.resp_tasks = held.points, held.tasks
        result.resp_tasks_overdue = held.tasks_overdue
        result.resp_supervisions = held.supervisions
        result.duty_lists, result.duty_reports = held.duty_lists, held.duty_reports
        paired = build_cocreation(today)
        result.cocreation_pairings = paired.pairings
        result.cocreation_projects = paired.projects
        result.cocreation_problems = paired.problems
        # the two showcase units: the 老干部局's services for retired cadres (people first: the
        # activities reuse its retirees) and the 司法局's legal services (after co-creation:
        # the village lawyers serve the places the units are paired with)
        from dangjian.demo.legal import build_legal
        from dangjian.demo.legal_lists import build_lenient_lists
        from dangjian.demo.veterans_activities import build_veterans_activities
        from dangjian.demo.veterans_people import build_veterans_people

        people = build_veterans_people(today)
        served = build_veterans_activities(today)
        result.veterans_retirees = people.retirees + served.retirees_added
        result.veterans_pairings, result.veterans_requests = people.pairings, people.requests
        result.veterans_teams = served.teams
        result.veterans_studios = served.studios + served.homes
        legal = build_legal(today)
        result.legal_lawyers = legal.lawyers
        result.legal_villages_covered = legal.villages_covered
        result.legal_villages_total = legal.villages_total
        result.legal_adviser_posts = legal.adviser_posts
        result.legal_advisers_covered = legal.advisers_covered
        result.legal_aid_cases = legal.aid_cases
        result.lenient_items = build_lenient_lists(today).items
        # assessment: the 2022 contest with the seed's observation meeting, this year's work
        from dangjian.demo.assessment import build_assessment

        scored = build_assessment(today)
        result.observation_meetings, result.score_sheets = (
            scored.observation_meetings,
            scored.score_sheets,
        )
        result.ballots, result.risk_points = scored.ballots, scored.risk_points
        # today's 事前提醒, as the daily job would have sent them (`dangjian remind`)
        from dangjian.assessment.reminders import remind_all
        from dangjian.cocreation.reminders import remind_cocreation
        from dangjian.dues.reminders import remind_dues
        from dangjian.legal.reminders import remind_legal
        from dangjian.orglife.reminders import remind
        from dangjian.recruitment.reminders import remind_recruitment
        from dangjian.responsibility.reminders_duties import remind_duties
        from dangjian.responsibility.reminders_tasks import remind_tasks
        from dangjian.study.reminders import remind_study
        from dangjian.veterans.reminders import remind_veterans

        result.reminders = (
            remind(today).created
            + remind_all(today).created
            + remind_dues(today)
            + remind_recruitment(today)
            + remind_study(today)
            + remind_tasks(today=today)  # escalates the 督办 the 司法局 left unanswered
            + remind_duties(today)
            + remind_cocreation(today)
            + remind_veterans(today)
            + remind_legal(today)
        )
        audit(
            None,
            "demo.city.built",
            None,
            org_path=builder.root.path,
            changes={**result.counts(), "today": today.isoformat()},
        )
    result.seconds = round(time.perf_counter() - started, 2)
    return result


def _summarise(
    builder: _Builder, today: dt.date, users: int, accounts: list[DemoAccount]
) -> DemoResult:
    kinds = defaultdict(int)
    for org in builder.orgs:
        kinds[org.kind] += 1
    kind_of = {org.pk: org.kind for org in builder.orgs}
    current = [t for t in builder.terms if t.ended_on is None]
    with_term = {t.org_id for t in current}
    status = [
        f.data["status"] for t in current for f in term_findings(kind_of[t.org_id], t.due_on, today)
    ]
    return DemoResult(
        today=today,
        units=len(builder.units),
        orgs=len(builder.orgs),
        party_groups=kinds[OrgKind.PARTY_GROUP],
        organ_committees=kinds[OrgKind.ORGAN_COMMITTEE],
        discipline_committees=kinds[OrgKind.DISCIPLINE_COMMITTEE],
        general_branches=kinds[OrgKind.GENERAL_BRANCH],
        branches=kinds[OrgKind.BRANCH],
        retiree_branches=sum(1 for o in builder.orgs if o.is_retiree_branch),
        groups=kinds[OrgKind.GROUP],
        members=len(builder.members),
        probationary=sum(1 for m in builder.members if m.category == Category.PROBATIONARY),
        retired=sum(1 for m in builder.members if m.employment == Employment.RETIRED),
        seats=len(builder.seats),
        terms=len(current),
        closed_terms=len(builder.terms) - len(current),
        terms_due_soon=status.count("due_soon"),
        terms_overdue=status.count("overdue"),
        branches_without_term=sum(
            1 for o in builder.orgs if o.kind == OrgKind.BRANCH and o.pk not in with_term
        ),
        users=users,
        accounts=accounts,
    )
