"""Assessment for the demo city: the 工委's 2022 书记赛党建 contest and its parts, rebuilt from the
seed report, plus this year's work in progress.

- 2022: the routine assessment (the 五个基本 scheme) of the contest units, self-scored and
  reviewed; three on-site observation meetings — the first two invented for the demo (the seed
  says the 1 November meeting was the third of the year), the third as the seed describes it:
  the 市司法局 and 市委老干部局 boards at the door of the 市老年大学, the calligraphy room on the
  third floor, the choir rehearsal on the fourth, then the exchange session where the
  市委老干部局 and the 市司法局 spoke, and the priorities the meeting set; five judges each; the
  2022 述职评议 with anonymous ballots; the contest published with its ranking and stars.
- This year (when the demo's day is after 2022): the scheme copied forward and published, its
  self-assessment due in a few days (so reminders fire), and an observation meeting going on
  today where the demo judge `pingwei` has stops left to score on his phone.
- 清廉机关 records for the 市司法局: risk points, warning-education sessions, commitments.

Everything goes through the services (with their checks and audit entries); only historical
timestamps the services stamp with the clock are moved back to 2022 afterwards. Deterministic
for a given day.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password

from dangjian.accounts.models import RoleGrant, User
from dangjian.assessment import services_assess as assess
from dangjian.assessment import services_contest as contests
from dangjian.assessment import services_observation as obs
from dangjian.assessment import services_review as reviews
from dangjian.assessment import services_schemes as schemes
from dangjian.assessment.models import (
    Assessment,
    Grade,
    IndicatorScore,
    Method,
    ObservationMeeting,
    Participant,
    ScoreSheet,
    ShowKind,
)
from dangjian.core.permissions import Role
from dangjian.members.models import Member
from dangjian.orgs.models import Org

TZ = ZoneInfo("Asia/Shanghai")
HALF = Decimal("0.5")


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


#: the contest units: (unit name, how strong its Party building is — drives the demo scores)
CONTEST_UNITS: list[tuple[str, int]] = [
    ("十堰市司法局", 93),
    ("中共十堰市委老干部局", 95),
    ("十堰市人民政府办公室", 90),
    ("十堰市公安局", 88),
    ("十堰市卫生健康委员会", 86),
    ("十堰市教育局", 89),
    ("十堰市财政局", 84),
    ("十堰市中级人民法院", 91),
    ("十堰市总工会", 81),
]

#: the judges: the demo account `pingwei` and four more (no password: they do not sign in)
JUDGES = [
    ("pingwei", "孙志远", "市直机关工委委员"),
    ("demo_judge_2", "王立平", "市直机关工委副书记"),
    ("demo_judge_3", "张红梅", "市直机关工委组织部部长"),
    ("demo_judge_4", "刘建华", "市纪委监委派驻纪检监察组组长"),
    ("demo_judge_5", "陈思远", "市委组织部机关党建科科长"),
]

SHEET_ITEMS = [
    ("阵地展示", "30", "阵地建设规范，展板、档案资料齐全，内容真实，与日常台账一致"),
    ("特色亮点", "25", "党建品牌鲜明，创新做法可复制可推广"),
    ("讲解介绍", "15", "讲解人熟悉情况、表达清楚，在计划时间内完成"),
    ("工作成效", "30", "党建引领业务工作成效明显，有数据、有案例"),
]

SEED_MEETING = {
    "title": "全市2022年第三次市直机关党建现场观摩会",
    "theme": "赛党建，创清廉，推进共同缔造",
    "purpose": (
        "深入学习宣传贯彻党的二十大精神，发挥机关党建引领作用，加强清廉机关建设，推进美好环境与"
        "幸福生活共同缔造，服务保障绿色低碳发展示范区建设。"
    ),
    "day": dt.date(2022, 11, 1),
    "place": "市老年大学",
    "stops": [
        (
            "十堰市司法局",
            "市老年大学门口",
            ShowKind.BOARD,
            "市司法局党建工作展板：党建引领司法行政工作，“党建+律师246工作体系”，"
            "律师担任市县乡三级党委政府法律顾问，一村（社区）一律师。",
            15,
        ),
        (
            "中共十堰市委老干部局",
            "市老年大学门口",
            ShowKind.BOARD,
            "离退休干部党支部事迹展板：市政府办离退休第一党支部老干部参与社会公益事业；"
            "竹山县宝丰镇离退休干部第一党支部按兴趣成立诗词、书画、花鼓船歌兴趣小组。",
            15,
        ),
        (
            "中共十堰市委老干部局",
            "市老年大学三楼书画创作室",
            ShowKind.ACTIVITY,
            "老年书画爱好者现场创作“伟大的祖国万岁”“永远跟党走”等书画作品。",
            25,
        ),
        (
            "中共十堰市委老干部局",
            "市老年大学四楼排练室",
            ShowKind.ACTIVITY,
            "十堰“银光合唱团”老同志排练合唱。",
            25,
        ),
    ],
    "speeches": [
        (
            "中共十堰市委老干部局",
            "市委老干部局机关党委书记",
            "擦亮党建引领为老服务品牌",
            "抓规范严管理，严格执行“三会一课”，落实机关党建“六化”管理；建立党员干部结对联系"
            "服务离退休干部机制，联合医院开展健康顾问志愿服务和“智慧助老”行动；组建53个银龄"
            "志愿服务队，成立老党员工作室和首家“老党员之家”；在龙泉村实施户户通、户户亮、"
            "户户富工程。",
        ),
        (
            "十堰市司法局",
            "市司法局机关党委书记",
            "“三个聚焦”推动党建走深走实",
            "聚焦标准、规范抓实机关党建，出台“三会一课”和主题党日制度实施清单，集中学习19场、"
            "培训1395人次；聚焦引领、联动创新律师行业党建，打造“党建+律师246工作体系”；"
            "聚焦中心、大局，一村（社区）一律师制度有效落实，在7个领域试点推行“四张清单”。",
        ),
    ],
    "conclusions": (
        "一、深入学习宣传贯彻党的二十大精神，原原本本、逐字逐句学习党的二十大报告和党章，采取"
        "宣讲、导学、报告、培训等方式形成学习宣传声势。\n"
        "二、压实党建主体责任，推进基层党组织规范化标准化建设：党组（党委）负总责，机关党建与"
        "业务工作同谋划、同部署、同推进、同考核；书记履行第一责任人责任，班子成员落实“一岗双责”。\n"
        "三、发挥党建引领作用，推进美好环境与幸福生活共同缔造：选好试点，办好实事，用好“共”字。\n"
        "四、扎实推进清廉机关建设，以严实作风实施“书记赛党建”项目，以共同缔造理念指导机关党建"
        "工作“六化”管理机制创新。"
    ),
    "tasks": [
        ("中共十堰市委老干部局", "总结推广结对联系服务离退休干部工作机制", dt.date(2022, 12, 31)),
        ("十堰市司法局", "在全市7个领域总结“四张清单”试点经验", dt.date(2022, 12, 31)),
        (
            "十堰市人民政府办公室",
            "对照建设标准完成机关党支部规范化标准化自查",
            dt.date(2022, 12, 20),
        ),
    ],
}

#: the two earlier 2022 meetings, invented for the demo: (title, day, [(unit, place, kind, shows)])
EARLIER_MEETINGS = [
    (
        "全市2022年第一次市直机关党建现场观摩会",
        dt.date(2022, 5, 26),
        [
            (
                "十堰市公安局",
                "市公安局警营文化长廊",
                ShowKind.ROOM,
                "党建文化阵地与“枫桥式”派出所创建展示",
            ),
            (
                "十堰市卫生健康委员会",
                "市卫健委党员活动室",
                ShowKind.ROOM,
                "党员先锋岗与疫情防控党员突击队事迹",
            ),
            ("十堰市教育局", "市教育局机关", ShowKind.ARCHIVE, "三会一课台账与主题党日资料"),
        ],
    ),
    (
        "全市2022年第二次市直机关党建现场观摩会",
        dt.date(2022, 8, 25),
        [
            (
                "十堰市人民政府办公室",
                "市政府办党员活动室",
                ShowKind.ROOM,
                "离退休第一党支部活动阵地",
            ),
            ("十堰市财政局", "市财政局机关", ShowKind.BOARD, "清廉财政建设展板"),
            (
                "十堰市中级人民法院",
                "市中级人民法院诉讼服务中心",
                ShowKind.ACTIVITY,
                "党员法官服务窗口",
            ),
            ("十堰市总工会", "市职工服务中心", ShowKind.ROOM, "职工之家与志愿服务展示"),
        ],
    ),
]

#: this year's meeting going on today (demo judge `pingwei` still has to score it)
TODAY_STOPS = [
    ("十堰市民政局", "市民政局机关", ShowKind.BOARD, "“党建+养老服务”展板"),
    ("十堰市人力资源和社会保障局", "市人社局政务服务大厅", ShowKind.ACTIVITY, "党员示范岗现场服务"),
    ("十堰市医疗保障局", "市医保局党员活动室", ShowKind.ROOM, "清廉医保建设阵地"),
]

RISK_POINTS = [
    (
        "行政执法监督岗",
        "执法监督中选择性检查、降低标准，或泄露检查信息",
        "high",
        "随机抽取检查对象和人员；检查结果集体审议并公开；落实回避制度",
    ),
    (
        "法律援助审批岗",
        "对不符合条件的申请人给予援助，或无故拒绝符合条件的申请",
        "medium",
        "审批标准公开；经济困难核查留痕；季度抽查案卷",
    ),
    (
        "律师与律所管理岗",
        "在执业许可、年度考核中接受吃请或收受礼品",
        "high",
        "许可与考核事项网上办理；双人经办；签订廉洁承诺",
    ),
    ("公证管理岗", "对公证机构违规行为查处不力", "medium", "投诉件台账管理；查处结果定期通报"),
    ("财务报销岗", "虚列支出、违规报销", "medium", "报销事项分级审批；每季度内部审计"),
    ("人民调解指导岗", "指导工作中收取当事人财物", "low", "调解案件回访；公开监督电话"),
]


@dataclass
class AssessmentDemo:
    schemes: int = 0
    observation_meetings: int = 0
    score_sheets: int = 0
    ballots: int = 0
    contests: int = 0
    risk_points: int = 0
    commitments: int = 0


def _q(value: float) -> Decimal:
    """Points to the nearest half point."""
    return (Decimal(str(value)) / HALF).quantize(Decimal("1"), rounding=ROUND_HALF_UP) * HALF


class _Demo:
    def __init__(self, today: dt.date, seed: int):
        self.today = today
        self.rng = random.Random(seed)
        self.root = Org.objects.unscoped().get(parent__isnull=True)
        self.result = AssessmentDemo()
        tops = {}
        for org in (
            Org.objects.unscoped()
            .filter(parent=self.root, unit__isnull=False)
            .select_related("unit")
            .order_by("path")
        ):
            tops.setdefault(org.unit.name, org)
        self.unit_top = tops
        self.strength = dict(CONTEST_UNITS)
        self.admin = User.objects.get(username="gwadmin")
        self.judges = self._judge_users()

    # -- people -----------------------------------------------------------------------------

    def _judge_users(self) -> list[tuple[User, str, str]]:
        out = []
        for username, name, post in JUDGES:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User.objects.create(
                    username=username, display_name=name, password=make_password(None)
                )
                RoleGrant.objects.create(user=user, org=self.root, role=Role.JUDGE)
            out.append((user, name, post))
        return out

    def _voters(self, count: int) -> list[User]:
        """Voters of the 述职评议: members of the contest units (one account each, linked to
        the member, a 党员 grant on his branch; no password: they voted in 2022 and do not
        sign in)."""
        unusable = make_password(None)
        existing = {u.username: u for u in User.objects.filter(username__startswith="demo_voter_")}
        paths = [self.unit_top[u].path for u, _s in CONTEST_UNITS]
        linked = User.objects.filter(member__isnull=False).values("member_id")
        members = []
        for path in paths:
            members.extend(
                Member.objects.unscoped()
                .filter(org_path__startswith=path, left_on__isnull=True, standing="normal")
                .exclude(pk__in=linked)
                .order_by("pk")[: -(-count // len(paths))]
            )
        users = []
        for n, member in enumerate(members[:count], start=1):
            username = f"demo_voter_{n:02d}"
            user = existing.get(username)
            if user is None:
                user = User.objects.create(
                    username=username, display_name=member.name, password=unusable, member=member
                )
                RoleGrant.objects.create(user=user, org_id=member.branch_id, role=Role.MEMBER)
            users.append(user)
        return users

    # -- scores -----------------------------------------------------------------------------

    def judge_total(self, unit: str, judge_index: int) -> float:
        base = self.strength.get(unit, 85)
        return max(60.0, min(99.0, base + self.rng.gauss(0, 2.2) + (judge_index - 2) * 0.3))

    def score_meeting(self, meeting, sheet_items, *, skip_users=(), outlier=None) -> None:
        """Every judge scores every stop item by item and submits; `outlier` = (judge index,
        stop order, points off) makes one judge far from the others at one stop."""
        stops = list(meeting.stops.order_by("order").select_related("org"))
        top = sum(Decimal(i.max_points) for i in sheet_items)
        for j, (user, _name, _post) in enumerate(self.judges):
            if user.username in skip_users:
                continue
            for stop in stops:
                total = self.judge_total(stop.org.unit.name, j)
                if outlier and outlier[0] == j and outlier[1] == stop.order:
                    total -= outlier[2]
                share = Decimal(str(total)) / Decimal("100")
                for item in sheet_items:
                    points = min(_q(float(item.max_points * share)), item.max_points)
                    obs.score_item_save(actor=user, stop=stop, indicator=item, points=points)
                obs.sheet_submit(actor=user, stop=stop)
                self.result.score_sheets += 1
        del top

    # -- the parts --------------------------------------------------------------------------

    def sheet(self, year: int):
        scheme = schemes.scheme_create(
            actor=self.admin, owner=self.root, year=year, name="现场观摩评分表", target="stop"
        )
        for order, (title, points, guidance) in enumerate(SHEET_ITEMS, start=1):
            schemes.indicator_add(
                actor=self.admin,
                scheme=scheme,
                title=title,
                max_points=points,
                method=Method.MANUAL,
                guidance=guidance,
                code=str(order),
            )
        schemes.scheme_publish(actor=self.admin, scheme=scheme)
        scheme.refresh_from_db()
        self.result.schemes += 1
        return scheme, list(scheme.indicators.filter(is_category=False).order_by("order"))

    def meeting(self, *, title, starts_at, sheet, contest, stops, theme="", purpose="", place=""):
        meeting = obs.observation_create(
            actor=self.admin,
            owner=self.root,
            title=title,
            starts_at=starts_at,
            theme=theme,
            purpose=purpose,
            place=place,
            sheet=sheet,
            contest=contest,
        )
        for unit, stop_place, kind, shows, *minutes in stops:
            obs.stop_add(
                actor=self.admin,
                meeting=meeting,
                org=self.unit_top[unit],
                place=stop_place,
                show_kind=kind,
                shows=shows,
                planned_minutes=minutes[0] if minutes else 20,
            )
        for user, name, post in self.judges:
            obs.judge_add(actor=self.admin, meeting=meeting, user=user, name=name, affiliation=post)
        self.result.observation_meetings += 1
        return meeting

    def participants(self, meeting, day: dt.date) -> None:
        units = [u for u, _s in CONTEST_UNITS]
        names = []
        for unit in units:
            short = self.unit_top[unit].unit.short_name or unit
            names.append(f"{short}机关党委书记")
            names.append(f"{short}党建工作负责人")
        users = list(User.objects.filter(username__in=["gwadmin", "sfjadmin", "lgbadmin"]))
        obs.participants_add(actor=self.admin, meeting=meeting, users=users, names=names)
        for n, user in enumerate(users):
            obs.participant_sign_in(actor=user, code=meeting.sign_in_code, now=at(day, 8, 10 + n))
        # the others signed the paper sheet at the door; recorded afterwards
        Participant.all_objects.filter(meeting=meeting, user__isnull=True).update(
            signed_in_at=at(day, 8, 20)
        )

    def backdate(self, meeting, day: dt.date) -> None:
        ScoreSheet.all_objects.filter(stop__meeting=meeting).update(submitted_at=at(day, 10, 5))

    def assessment_2022(self):
        scheme = schemes.scheme_from_template(
            actor=self.admin, owner=self.root, year=2022, template_code="five_basics"
        )
        schemes.scheme_update(
            actor=self.admin,
            scheme=scheme,
            self_due=dt.date(2022, 12, 15),
            review_due=dt.date(2023, 1, 10),
        )
        orgs = [self.unit_top[u] for u, _s in CONTEST_UNITS]
        schemes.scheme_publish(actor=self.admin, scheme=scheme, orgs=orgs)
        self.result.schemes += 1
        for assessment in Assessment.objects.unscoped().filter(scheme=scheme).select_related("org"):
            self.fill(assessment, self.strength.get(assessment.org.unit.name, 85))
            assess.assessment_submit(
                actor=self.admin, assessment=assessment, now=at(dt.date(2022, 12, 12), 16)
            )
            self.review(assessment)
        return scheme

    def fill(self, assessment, strength: int, *, share: float = 1.0) -> None:
        """Self-score a share of the indicators: manual ones near the unit's strength,
        deductions with an occasional occurrence; auto ones keep what the records give."""
        scores = list(
            IndicatorScore.objects.unscoped()
            .filter(assessment=assessment)
            .select_related("indicator")
            .order_by("indicator__order", "indicator_id")
        )
        for score in scores[: max(1, round(len(scores) * share))]:
            ind = score.indicator
            if ind.method == Method.AUTO:
                continue
            if ind.method == Method.DEDUCTION:
                n = 1 if self.rng.random() < (100 - strength) / 40 else 0
                assess.score_self_set(actor=self.admin, score=score, occurrences=n)
            else:
                ratio = min(1.0, max(0.6, strength / 100 + self.rng.gauss(0, 0.03)))
                points = min(_q(float(ind.max_points) * ratio), ind.max_points)
                assess.score_self_set(
                    actor=self.admin, score=score, points=points, note="对照评分细则自查。"
                )
        if share >= 1.0:
            assess.assessment_refresh_auto(actor=self.admin, assessment=assessment)

    def review(self, assessment) -> None:
        finals = {}
        manual = [
            s
            for s in IndicatorScore.objects.unscoped()
            .filter(assessment=assessment, indicator__method=Method.MANUAL)
            .select_related("indicator")
        ]
        if manual and self.rng.random() < 0.5:
            s = self.rng.choice(manual)
            lower = max(Decimal("0"), (s.self_points or Decimal("0")) - 1)
            finals[s.indicator_id] = {
                "points": str(lower),
                "reason": "佐证材料不完整，现场查看台账后酌减1分。",
            }
        assess.assessment_review(
            actor=self.admin,
            assessment=assessment,
            finals=finals,
            note="经复核，同意评定。",
            now=at(dt.date(2023, 1, 6), 10),
        )

    def review_2022(self, contest):
        review = reviews.review_create(
            actor=self.admin,
            owner=self.root,
            year=2022,
            title="2022年度市直机关党组织书记抓基层党建工作述职评议",
            held_on=dt.date(2023, 1, 12),
            closes_at=at(dt.date(2023, 1, 12), 17),
            contest=contest,
        )
        reports = []
        for order, (unit, _s) in enumerate(CONTEST_UNITS, start=1):
            org = self.unit_top[unit]
            short = org.unit.short_name or unit
            report = reviews.report_add(
                actor=self.admin,
                review=review,
                org=org,
                secretary_name=f"{short}党组书记",
                order=order,
            )
            reviews.report_submit(
                actor=self.admin,
                report=report,
                text=(
                    f"{short}党组2022年度抓机关党建工作述职：落实全面从严治党主体责任，"
                    "推进“书记赛党建”和清廉机关建设，存在问题与下一步打算。"
                ),
                now=at(dt.date(2023, 1, 10), 9),
            )
            reports.append((unit, report))
        voters = self._voters(30)
        reviews.voters_set(actor=self.admin, review=review, users=voters)
        reviews.review_open(actor=self.admin, review=review, now=at(dt.date(2023, 1, 12), 9))
        grades = [Grade.GOOD, Grade.FAIRLY_GOOD, Grade.AVERAGE, Grade.POOR]
        for n, voter in enumerate(voters):
            ballot = {}
            for unit, report in reports:
                s = self.strength[unit]
                r = self.rng.random() * 100
                ballot[report.pk] = (
                    grades[0]
                    if r < s - 20
                    else grades[1]
                    if r < s + 2
                    else grades[2]
                    if r < 99
                    else grades[3]
                )
            reviews.ballot_cast(
                actor=voter, review=review, grades=ballot, now=at(dt.date(2023, 1, 12), 11, n)
            )
            self.result.ballots += 1
        reviews.review_close(actor=self.admin, review=review, now=at(dt.date(2023, 1, 12), 17))
        reviews.comments_set(
            actor=self.admin,
            review=review,
            comments="各单位党组书记履行第一责任人职责较好；部分单位党支部标准化建设仍有差距。",
        )
        weakest = min(reports, key=lambda ur: self.strength[ur[0]])[1]
        reviews.review_comment_set(
            actor=self.admin, report=weakest, comment="机关党建与业务融合不够紧密。"
        )
        first = reviews.rectification_add(
            actor=self.admin,
            report=weakest,
            problem="党支部“三会一课”记录不规范",
            measure="按制度实施清单逐项规范会议记录，每季度自查",
            due_on=dt.date(2023, 3, 31),
        )
        reviews.rectification_done(
            actor=self.admin,
            rectification=first,
            done_on=dt.date(2023, 3, 20),
            note="已完成自查并规范全部支部的会议记录。",
        )
        reviews.rectification_add(
            actor=self.admin,
            report=weakest,
            problem="结对共建实事项目推进偏慢",
            measure="明确责任人和时间表，纳入年度考核",
            due_on=dt.date(2023, 6, 30),
        )
        return review

    def contest_2022(self):
        scheme = self.assessment_2022()
        contest = contests.contest_create(
            actor=self.admin,
            owner=self.root,
            year=2022,
            name="书记赛党建",
            scheme=scheme,
        )
        self.result.contests += 1
        contests.entries_set(
            actor=self.admin, contest=contest, orgs=[self.unit_top[u] for u, _s in CONTEST_UNITS]
        )
        sheet, items = self.sheet(2022)
        for title, day, stops in EARLIER_MEETINGS:
            m = self.meeting(
                title=title,
                starts_at=at(day, 9),
                sheet=sheet,
                contest=contest,
                stops=stops,
                theme="赛党建，创清廉",
            )
            obs.observation_start(actor=self.admin, meeting=m)
            self.score_meeting(m, items)
            obs.observation_close(actor=self.admin, meeting=m)
            self.backdate(m, day)
        seed = SEED_MEETING
        m = self.meeting(
            title=seed["title"],
            starts_at=at(seed["day"], 8, 30),
            sheet=sheet,
            contest=contest,
            stops=seed["stops"],
            theme=seed["theme"],
            purpose=seed["purpose"],
            place=seed["place"],
        )
        self.participants(m, seed["day"])
        obs.observation_start(actor=self.admin, meeting=m)
        # one judge far below the others at the choir: the page flags him
        self.score_meeting(m, items, outlier=(4, 4, 22))
        obs.observation_close(actor=self.admin, meeting=m)
        self.backdate(m, seed["day"])
        for unit, speaker, title, notes in seed["speeches"]:
            obs.speech_add(
                actor=self.admin,
                meeting=m,
                speaker=speaker,
                org=self.unit_top[unit],
                title=title,
                notes=notes,
            )
        obs.conclusions_set(actor=self.admin, meeting=m, conclusions=seed["conclusions"])
        for unit, title, due in seed["tasks"]:
            obs.task_add(
                actor=self.admin, meeting=m, org=self.unit_top[unit], title=title, due_on=due
            )
        self.review_2022(contest)
        contests.contest_publish(actor=self.admin, contest=contest, now=at(dt.date(2023, 1, 20), 9))
        return scheme, sheet

    def this_year(self, scheme_2022, sheet_2022) -> None:
        year = self.today.year
        scheme = schemes.scheme_copy_forward(actor=self.admin, scheme=scheme_2022, year=year)
        schemes.scheme_update(
            actor=self.admin,
            scheme=scheme,
            self_due=self.today + dt.timedelta(days=5),
            review_due=self.today + dt.timedelta(days=25),
        )
        schemes.scheme_publish(actor=self.admin, scheme=scheme)
        self.result.schemes += 1
        sfj = Assessment.objects.unscoped().get(scheme=scheme, org=self.unit_top["十堰市司法局"])
        self.fill(sfj, 93, share=0.5)
        sheet = schemes.scheme_copy_forward(actor=self.admin, scheme=sheet_2022, year=year)
        schemes.scheme_publish(actor=self.admin, scheme=sheet)
        sheet.refresh_from_db()
        self.result.schemes += 1
        items = list(sheet.indicators.filter(is_category=False).order_by("order"))
        m = self.meeting(
            title=f"全市{year}年第四次市直机关党建现场观摩会",
            starts_at=at(self.today, 9),
            sheet=sheet,
            contest=None,
            stops=TODAY_STOPS,
            theme="赛党建，创清廉，推进共同缔造",
            place="市民政局",
        )
        obs.observation_start(actor=self.admin, meeting=m)
        self.score_meeting(m, items, skip_users={"pingwei"})

    def integrity(self) -> None:
        from dangjian.integrity import services as integrity

        sfj = self.unit_top["十堰市司法局"]
        years = [2022] + ([self.today.year] if self.today.year > 2022 else [])
        for year in years:
            for post, risk, level, measures in RISK_POINTS:
                integrity.risk_point_create(
                    actor=self.admin,
                    org=sfj,
                    year=year,
                    post=post,
                    risk=risk,
                    level=level,
                    measures=measures,
                    owner_name="分管领导",
                    today=self.today,
                )
                self.result.risk_points += 1
        integrity.warning_session_create(
            actor=self.admin,
            org=sfj,
            form="film",
            title="观看警示教育片《零容忍》",
            held_on=dt.date(2022, 3, 18),
            attendees=86,
            today=self.today,
        )
        integrity.warning_session_create(
            actor=self.admin,
            org=sfj,
            form="case",
            title="司法行政系统典型案例通报会",
            held_on=dt.date(2022, 9, 16),
            attendees=92,
            today=self.today,
        )
        branches = Org.objects.unscoped().filter(
            path__startswith=sfj.path, kind="branch", dissolved_on__isnull=True
        )
        for year in years:
            signed_on = dt.date(year, 2, 20)
            if signed_on > self.today:
                continue
            for branch in branches.order_by("path"):
                members = list(
                    Member.objects.unscoped()
                    .filter(branch=branch, left_on__isnull=True, standing="normal")
                    .order_by("pk")
                )
                if year != 2022:
                    members = members[: max(1, len(members) * 4 // 5)]  # not everyone yet
                if not members:
                    continue
                integrity.commitment_sign_bulk(
                    actor=self.admin,
                    branch=branch,
                    members=members,
                    year=year,
                    signed_on=signed_on,
                    today=self.today,
                )
                self.result.commitments += len(members)


def build_assessment(today: dt.date, *, seed: int = 2022) -> AssessmentDemo:
    demo = _Demo(today, seed)
    demo.integrity()
    scheme, sheet = demo.contest_2022()
    if today.year > 2022:
        demo.this_year(scheme, sheet)
    return demo.result


__all__ = ["AssessmentDemo", "ObservationMeeting", "build_assessment"]
