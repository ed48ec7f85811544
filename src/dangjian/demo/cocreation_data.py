"""The co-creation demo's own content (demo/cocreation.py), written for this project: the
老干部局's pilot village 龙泉村 (郧阳区谭家湾镇, as the seed report names it) with its
户户通/户户亮/户户富 projects, the paired community, the 大清理/大清扫/大清洗 campaign, visits
and the problems found; a few other units' pairings with one project each. Figures, milestones
and residents are made up (residents' names are fictional); dates of 2022 are absolute, later
ones are placed relative to the build day by the builder."""

from __future__ import annotations

from dataclasses import dataclass

from dangjian.demo.city import LGB


@dataclass(frozen=True)
class CommunityData:
    key: str
    name: str
    kind: str  # village, community
    district: str
    township: str
    households: int
    population: int
    note: str


COMMUNITIES: tuple[CommunityData, ...] = (
    CommunityData(
        "longquan",
        "龙泉村",
        "village",
        "郧阳区",
        "谭家湾镇",
        412,
        1386,
        "位于谭家湾镇北部山区，辖9个村民小组，以香菇、茶叶种植为主。市委老干部局包联村，"
        "美好环境与幸福生活共同缔造试点村。",
    ),
    CommunityData(
        "binhe",
        "滨河社区",
        "community",
        "茅箭区",
        "二堰街道",
        2860,
        7950,
        "老旧小区集中的城市社区，离退休干部居住较多。市委老干部局包联社区。",
    ),
    CommunityData(
        "jinji",
        "金鸡村",
        "village",
        "郧西县",
        "夹河镇",
        356,
        1208,
        "汉江沿岸村，辖7个村民小组。市司法局包联村。",
    ),
    CommunityData(
        "taoyuan",
        "桃园村",
        "village",
        "竹溪县",
        "蒋家堰镇",
        298,
        1032,
        "以茶叶种植为主的山区村。市交通运输局包联村。",
    ),
    CommunityData(
        "xiaba",
        "下坝村",
        "village",
        "房县",
        "军店镇",
        341,
        1175,
        "以黄酒、木耳等特色产业为主。市农业农村局包联村。",
    ),
    CommunityData(
        "huaguo",
        "花果社区",
        "community",
        "张湾区",
        "花果街道",
        1920,
        5630,
        "城郊结合部社区，外来务工人员较多。市卫生健康委员会包联社区。",
    ),
)


@dataclass(frozen=True)
class PairingData:
    unit: str
    community: str  # CommunityData.key
    started: tuple[int, int, int]
    pilot: bool
    note: str
    cadres: tuple[str, ...]  # posts; the people are members of the unit's branches


PAIRINGS: tuple[PairingData, ...] = (
    PairingData(
        LGB,
        "longquan",
        (2022, 3, 10),
        True,
        "共同缔造试点村：硬化通村入户道路确保“户户通”，协调资金实施亮化确保“户户亮”，"
        "助力产业发展确保“户户富”。",
        ("驻村第一书记", "驻村工作队员", "驻村工作队员", "包联干部"),
    ),
    PairingData(
        LGB,
        "binhe",
        (2022, 4, 15),
        False,
        "包联社区：组织老党员参与社区治理，开展环境整治和为老服务。",
        ("包联干部", "包联干部"),
    ),
    PairingData(
        "十堰市司法局",
        "jinji",
        (2022, 5, 6),
        False,
        "包联村：党员干部下沉，与村两委共同谋划人居环境改善。",
        ("驻村工作队长", "包联干部"),
    ),
    PairingData(
        "十堰市交通运输局",
        "taoyuan",
        (2022, 4, 1),
        False,
        "包联村：围绕茶叶产业完善产业路。",
        ("驻村第一书记",),
    ),
    PairingData(
        "十堰市农业农村局",
        "xiaba",
        (2022, 3, 20),
        True,
        "共同缔造试点村：发展特色产业。",
        ("驻村第一书记", "驻村工作队员"),
    ),
    PairingData(
        "十堰市卫生健康委员会",
        "huaguo",
        (2022, 6, 1),
        False,
        "包联社区：完善社区卫生服务。",
        ("包联干部",),
    ),
)


@dataclass(frozen=True)
class MetricData:
    name: str
    unit: str
    target: str  # a decimal


@dataclass(frozen=True)
class MilestoneData:
    title: str
    due: tuple[int, int, int] | int  # a date, or days after (+) / before (-) the build day
    done: tuple[int, int, int] | int | None  # None: still open
    metric: int | None = None  # index into the project's metrics
    amount: str | None = None
    note: str = ""


@dataclass(frozen=True)
class ProjectData:
    key: str
    community: str
    unit: str
    title: str
    category: str
    goal: str
    starts: tuple[int, int, int]
    due: tuple[int, int, int] | int
    funds_planned: str
    funds_raised: str
    households: int
    people: int
    metrics: tuple[MetricData, ...]
    milestones: tuple[MilestoneData, ...]
    finished: tuple[int, int, int] | None = None


PROJECTS: tuple[ProjectData, ...] = (
    ProjectData(
        "hht",
        "longquan",
        LGB,
        "户户通：通村入户道路硬化工程",
        "roads",
        "硬化通村主干道和入户道路，确保9个村民小组组组通、家家户户通水泥路。",
        (2022, 3, 20),
        (2022, 12, 31),
        "186.00",
        "186.00",
        412,
        1386,
        (MetricData("硬化道路", "公里", "8.60"), MetricData("通达户数", "户", "412")),
        (
            MilestoneData(
                "规划设计与群众议事会",
                (2022, 4, 15),
                (2022, 4, 12),
                None,
                None,
                "召开村民议事会3次，群众投工投劳意愿登记",
            ),
            MilestoneData("一期：通村主干道硬化", (2022, 6, 30), (2022, 6, 26), 0, "3.40"),
            MilestoneData("一期通达农户", (2022, 6, 30), (2022, 6, 26), 1, "168"),
            MilestoneData(
                "二期：1至5组入户道路", (2022, 9, 30), (2022, 10, 8), 0, "3.10", "雨季顺延8天"
            ),
            MilestoneData("二期通达农户", (2022, 9, 30), (2022, 10, 8), 1, "151"),
            MilestoneData("三期：6至9组入户道路", (2022, 12, 15), (2022, 12, 10), 0, "2.10"),
            MilestoneData("三期通达农户", (2022, 12, 15), (2022, 12, 10), 1, "93"),
        ),
        finished=(2022, 12, 10),
    ),
    ProjectData(
        "hhl",
        "longquan",
        LGB,
        "户户亮：村组道路亮化工程",
        "lighting",
        "在主干道、入户道路和村民活动广场安装太阳能路灯，确保家家户户门前亮。",
        (2022, 5, 1),
        60,
        "78.00",
        "65.00",
        412,
        1386,
        (MetricData("路灯", "盏", "260"),),
        (
            MilestoneData(
                "协调亮化资金", (2022, 6, 15), (2022, 6, 10), None, None, "协调到位资金65万元"
            ),
            MilestoneData("一期：主干道路灯安装", (2022, 8, 31), (2022, 8, 25), 0, "120"),
            MilestoneData("二期：入户道路路灯安装", (2022, 12, 20), (2022, 12, 16), 0, "80"),
            MilestoneData(
                "三期：活动广场和偏远农户路灯", 45, None, 0, "60", "剩余资金13万元正在协调"
            ),
        ),
    ),
    ProjectData(
        "hhf",
        "longquan",
        LGB,
        "户户富：香菇茶叶产业基地",
        "industry",
        "建设香菇种植基地、改造低产茶园，带动农户稳定增收。",
        (2022, 4, 1),
        200,
        "240.00",
        "152.50",
        150,
        520,
        (
            MetricData("香菇大棚", "座", "40"),
            MetricData("低产茶园改造", "亩", "300"),
            MetricData("带动增收户数", "户", "150"),
        ),
        (
            MilestoneData("一期香菇大棚建成", (2022, 7, 31), (2022, 7, 28), 0, "20"),
            MilestoneData(
                "香菇首茬上市，带动农户",
                (2022, 11, 30),
                (2022, 11, 20),
                2,
                "58",
                "村集体与农户签订保底收购协议",
            ),
            MilestoneData("低产茶园改造（第一批）", -120, -126, 1, "160"),
            MilestoneData("二期香菇大棚建成", -20, None, 0, "20", "钢架已进场，施工滞后"),
            MilestoneData("茶园改造（第二批）", 120, None, 1, "140"),
            MilestoneData("二期带动增收农户", 180, None, 2, "92"),
        ),
    ),
    ProjectData(
        "jinji",
        "jinji",
        "十堰市司法局",
        "村湾环境整治和文化广场建设",
        "environment",
        "整治村湾环境，建设村民文化广场，群众共谋共建共管。",
        (2022, 6, 1),
        (2022, 12, 31),
        "35.00",
        "35.00",
        356,
        1208,
        (MetricData("整治村湾", "个", "7"), MetricData("文化广场", "平方米", "1200")),
        (
            MilestoneData("村湾环境整治", (2022, 9, 30), (2022, 9, 26), 0, "7"),
            MilestoneData("文化广场建成", (2022, 12, 20), (2022, 12, 18), 1, "1200"),
        ),
        finished=(2022, 12, 18),
    ),
    ProjectData(
        "taoyuan",
        "taoyuan",
        "十堰市交通运输局",
        "茶园产业路建设",
        "roads",
        "修建连接茶园基地的产业路，方便茶叶运输。",
        (2022, 5, 1),
        30,
        "96.00",
        "80.00",
        120,
        410,
        (MetricData("产业路", "公里", "5.20"),),
        (
            MilestoneData("一期产业路", (2022, 11, 30), (2022, 11, 25), 0, "3.00"),
            MilestoneData("二期产业路", 30, None, 0, "2.20"),
        ),
    ),
    ProjectData(
        "xiaba",
        "xiaba",
        "十堰市农业农村局",
        "木耳种植示范基地",
        "industry",
        "建设木耳种植示范基地，带动农户发展特色产业。",
        (2022, 4, 10),
        (2022, 12, 31),
        "60.00",
        "60.00",
        86,
        300,
        (MetricData("带动增收户数", "户", "86"),),
        (MilestoneData("示范基地投产", (2022, 10, 31), (2022, 10, 20), 0, "86"),),
        finished=(2022, 10, 20),
    ),
    ProjectData(
        "huaguo",
        "huaguo",
        "十堰市卫生健康委员会",
        "社区卫生服务站提档升级",
        "services",
        "改造社区卫生服务站，开设老年人健康服务窗口。",
        (2022, 7, 1),
        90,
        "28.00",
        "20.00",
        1920,
        5630,
        (MetricData("家庭医生签约", "户", "1200"),),
        (
            MilestoneData("服务站改造完工", (2022, 12, 15), (2022, 12, 12), None, None),
            MilestoneData("家庭医生签约（第一批）", -60, -65, 0, "700"),
            MilestoneData("家庭医生签约（第二批）", 90, None, 0, "500"),
        ),
    ),
)

# Residents' feedback (fictional names): (project key, days or a date, satisfaction, content,
# resident, reply, public)
FEEDBACK: tuple[tuple[str, tuple[int, int, int] | int, str, str, str, str, bool], ...] = (
    (
        "hht",
        (2022, 7, 5),
        "satisfied",
        "门口的泥巴路变成了水泥路，下雨天出门再也不怕了。",
        "谭德贵",
        "感谢支持，后续将继续做好道路养护。",
        True,
    ),
    (
        "hht",
        (2022, 10, 20),
        "basic",
        "入户路修好了，但路边排水沟还没有做完。",
        "王秀兰",
        "已纳入三期一并实施，12月中旬完工。",
        True,
    ),
    (
        "hht",
        (2022, 12, 20),
        "satisfied",
        "三组到六组的路全通了，农用车能开到家门口。",
        "陈国华",
        "",
        True,
    ),
    ("hhl", (2022, 9, 10), "satisfied", "晚上跳广场舞、走夜路都方便了。", "刘桂英", "", True),
    (
        "hhl",
        (2022, 12, 28),
        "unsatisfied",
        "八组住得偏的几户门口还没装灯。",
        "谭明山",
        "已列入三期计划，资金到位后优先安装。",
        False,
    ),
    (
        "hhf",
        (2022, 12, 5),
        "satisfied",
        "在基地务工加上香菇分红，今年多收入一万多元。",
        "张德才",
        "",
        True,
    ),
    (
        "hhf",
        -25,
        "basic",
        "二期大棚进度慢，希望早点建好。",
        "李永祥",
        "已督促施工单位增加人手。",
        False,
    ),
    ("jinji", (2022, 12, 25), "satisfied", "村里有了文化广场，环境也干净了。", "余春兰", "", True),
    ("huaguo", -40, "satisfied", "家门口就能量血压、找家庭医生。", "何玉珍", "", True),
)

CAMPAIGNS = (
    {
        "unit": LGB,
        "title": "“大清理、大清扫、大清洗”专项行动",
        "content": "在龙泉村和包联社区开展“大清理、大清扫、大清洗”专项行动，清理房前屋后和背街"
        "小巷的垃圾杂物，清扫公共区域，清洗公共设施，持续巩固疫情防控阶段性成果。",
        "starts": (2022, 5, 16),
        "ends": (2022, 7, 15),
        "communities": ("longquan", "binhe"),
        "cadres": 136,
        "residents": 928,
        "results": "清理垃圾杂物53吨、卫生死角210处，清扫背街小巷36条，清洗垃圾桶和健身器材"
        "420件；建立村组和楼栋环境卫生评比制度。",
    },
    {
        "unit": LGB,
        "title": "“大清理、大清扫、大清洗”常态化行动",
        "content": "每月最后一个周五组织党员干部到龙泉村、包联社区参加环境卫生整治，与群众共建"
        "共管。",
        "starts": -150,
        "ends": 30,
        "communities": ("longquan", "binhe"),
        "cadres": 88,
        "residents": 410,
        "results": "已开展5次，村组和楼栋环境卫生评比按月公示。",
    },
)

# Visits (下基层察民情解民忧暖民心) and the problems found. Days relative to the build day
# (negative: before); problem state: open, in_progress, resolved, explained.
VISITS = (
    {
        "unit": LGB,
        "community": "longquan",
        "on": (2022, 8, 18),
        "households": 42,
        "summary": "走访三组、八组农户，了解道路、路灯和产业发展需求。",
        "problems": (
            (
                "八组饮水管道老化，夏季经常停水。",
                "谭明山",
                "驻村第一书记",
                (2022, 9, 30),
                "resolved",
                "协调水利部门更换管道1.2公里，已恢复正常供水。",
                (2022, 9, 22),
            ),
            (
                "希望村里建一个香菇烘干房。",
                "张德才",
                "驻村工作队员",
                (2022, 11, 30),
                "resolved",
                "烘干房已随产业基地一期建成投用。",
                (2022, 11, 18),
            ),
        ),
    },
    {
        "unit": LGB,
        "community": "longquan",
        "on": -30,
        "households": 36,
        "summary": "走访产业基地务工农户和偏远农户，听取对二期工程的意见。",
        "problems": (
            (
                "二期大棚施工滞后，务工农户担心误了种植季节。",
                "李永祥",
                "驻村第一书记",
                10,
                "in_progress",
                "",
                None,
            ),
            ("九组两户危房改造申请无进展。", "谭德贵", "包联干部", -5, "open", "", None),
            (
                "村民希望将村道延伸到后山林场。",
                "陈国华",
                "驻村工作队员",
                -10,
                "explained",
                "后山林场属生态保护红线范围，不能新修道路，已向群众解释。",
                -12,
            ),
        ),
    },
    {
        "unit": LGB,
        "community": "binhe",
        "on": -12,
        "households": 25,
        "summary": "走访社区离退休干部家庭，了解老旧小区改造和为老服务需求。",
        "problems": (
            ("老旧小区楼道照明损坏。", "刘桂英", "包联干部", 20, "open", "", None),
            (
                "希望社区开设老年人智能手机培训班。",
                "王秀兰",
                "包联干部",
                -3,
                "resolved",
                "已纳入“智慧助老”行动，每周二在社区开班。",
                -4,
            ),
        ),
    },
    {
        "unit": "十堰市司法局",
        "community": "jinji",
        "on": -45,
        "households": 18,
        "summary": "走访村民小组，听取人居环境整治意见。",
        "problems": (
            ("村湾垃圾收集点不够。", "余春兰", "驻村工作队长", 15, "in_progress", "", None),
        ),
    },
)
