"""The study demo's own content, written for this project: a question bank drawn from the rules
in the project's rules compendium (each question cites its rule), the library's titles with
descriptions of our own (the files are placeholders generated at build time: the project ships
no copyrighted text), study-plan lines, the 司法局's 2022 sessions as the seed report counts
them, and the templates of minutes and study notes. Never copied from a published question
book, study aid or text."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

# ---------------------------------------------------------------------------------------------
# The question bank (学习党的二十大精神和党内法规知识题库)


@dataclass(frozen=True)
class QuestionData:
    kind: str  # single, multiple, judge
    text: str
    options: tuple[str, ...]  # judge: ("正确", "错误")
    answer: tuple[int, ...]  # indexes of the right options
    explanation: str
    rule_ref: str


RIGHT, WRONG = (0,), (1,)
JUDGE = ("正确", "错误")
FREQUENCIES = ("每月一次", "每季度一次", "每半年一次", "每年一次")


def _single(text, options, answer, explanation, rule_ref) -> QuestionData:
    return QuestionData("single", text, tuple(options), (answer,), explanation, rule_ref)


def _multiple(text, options, answer, explanation, rule_ref) -> QuestionData:
    return QuestionData("multiple", text, tuple(options), tuple(answer), explanation, rule_ref)


def _judge(text, right: bool, explanation, rule_ref) -> QuestionData:
    return QuestionData("judge", text, JUDGE, RIGHT if right else WRONG, explanation, rule_ref)


# fmt: off
QUESTIONS: tuple[QuestionData, ...] = (
    # 组织生活 (R-ORGLIFE)
    _single("按照党支部工作条例，支部党员大会一般多长时间召开一次？", FREQUENCIES, 1,
            "支部党员大会是党支部的议事决策机构，一般每季度召开1次。", "R-ORGLIFE-01"),
    _single("支部委员会会议一般多长时间召开一次？", FREQUENCIES, 0,
            "支委会一般每月召开1次，根据需要可以随时召开。", "R-ORGLIFE-04"),
    _single("党小组会一般多长时间召开一次？", FREQUENCIES, 0,
            "党小组会一般每月召开1次。", "R-ORGLIFE-05"),
    _single("主题党日一般多长时间开展一次？", FREQUENCIES, 0,
            "党支部每月相对固定1天开展主题党日。", "R-ORGLIFE-08"),
    _single("组织生活会一般每年至少召开几次？", ("1次", "2次", "3次", "4次"), 0,
            "组织生活会一般每年召开1次，根据需要可以随时召开。", "R-ORGLIFE-09"),
    _judge("民主评议党员一般每年开展一次。", True,
           "民主评议党员一般每年开展1次，可与组织生活会结合进行。", "R-ORGLIFE-10"),
    _single("民主评议党员时，评定为“优秀”的党员一般不超过党员总数的多少？",
            ("四分之一", "三分之一", "二分之一", "五分之一"), 1,
            "评定为优秀的党员，一般不超过党员总数的三分之一。", "R-ORGLIFE-11"),
    _multiple("民主评议党员的评定等次包括哪些？", ("优秀", "良好", "合格", "基本合格", "不合格"),
              (0, 2, 3, 4), "评定等次为优秀、合格、基本合格、不合格四个，没有“良好”。",
              "R-ORGLIFE-11"),
    _multiple("“三会一课”中的“三会”是指哪些会议？",
              ("支部党员大会", "支部委员会会议", "党小组会", "组织生活会"), (0, 1, 2),
              "“三会”是支部党员大会、支委会和党小组会，“一课”是党课。", "R-ORGLIFE-07"),
    _single("支部党员大会进行表决，须有多少有表决权的党员到会方可进行？",
            ("三分之一以上", "半数以上", "三分之二以上", "五分之四以上"), 1,
            "有表决权的到会党员须超过应到会有表决权党员的半数。", "R-ORGLIFE-02"),
    _judge("支部党员大会表决时，赞成票超过到会有表决权党员的半数，决议即获通过。", False,
           "赞成票须超过应到会有表决权党员的半数，而不是到会党员的半数。", "R-ORGLIFE-02"),
    _single("支部委员会会议须有多少委员到会方可召开？",
            ("三分之一以上", "半数以上", "三分之二以上", "全体委员"), 1,
            "支委会须有半数以上委员到会方可召开。", "R-ORGLIFE-04"),
    _judge("党委（党组）书记每年至少为党员讲1次党课。", True,
           "党委（党组）书记每年至少讲1次党课。", "R-ORGLIFE-07"),
    _single("支部委员之间、支部委员和党员之间、党员和党员之间，每年谈心谈话一般不少于几次？",
            ("1次", "2次", "3次", "4次"), 0, "每年谈心谈话一般不少于1次。", "R-ORGLIFE-12"),
    _multiple("主题党日可以安排哪些内容？", ("集中学习", "过组织生活", "民主议事", "志愿服务"),
              (0, 1, 2, 3), "主题党日用于集中学习、过组织生活、进行民主议事和志愿服务等。",
              "R-ORGLIFE-08"),
    # 党费 (R-DUES)
    _single("在职党员每月工资收入（税后）在3000元以下（含3000元）的，按月交纳党费的比例是？",
            ("0.5%", "1%", "1.5%", "2%"), 0, "3000元以下（含）交纳月工资收入的0.5%。",
            "R-DUES-03"),
    _single("在职党员每月工资收入（税后）在5000元以上至10000元（含10000元）的，交纳比例是？",
            ("0.5%", "1%", "1.5%", "2%"), 2, "5000元以上至10000元（含）交纳1.5%。", "R-DUES-03"),
    _single("在职党员每月工资收入（税后）在10000元以上的，交纳比例是？",
            ("1%", "1.5%", "2%", "3%"), 2, "10000元以上交纳2%。", "R-DUES-03"),
    _single("某在职党员每月党费计算基数为4000元，每月应交纳党费多少元？",
            ("20元", "30元", "40元", "60元"), 2,
            "4000元在3000元以上至5000元档，按1%计算：4000×1%＝40元。", "R-DUES-03"),
    _judge("党费按超额累进方式计算，即计算基数中超过3000元的部分才按1%计算。", False,
           "按计算基数所在的档次，用一个比例乘以全部基数，不是超额累进。", "R-DUES-03"),
    _single("离退休党员每月以基本离退休费为计算基数，5000元以下（含5000元）的交纳比例是？",
            ("0.5%", "1%", "1.5%", "2%"), 0,
            "离退休党员5000元以下（含）交纳0.5%，5000元以上交纳1%。", "R-DUES-06"),
    _single("党员没有正当理由，连续几个月不交纳党费的，按自行脱党处理？",
            ("3个月", "6个月", "9个月", "12个月"), 1,
            "连续6个月不交纳党费的，按自行脱党处理。", "R-DUES-14"),
    _single("预备党员从什么时候开始交纳党费？",
            ("递交入党申请书之日", "支部大会通过其为预备党员之日", "上级党委批准之日",
             "转为正式党员之日"), 1,
            "预备党员从支部大会通过其为预备党员之日起交纳党费。", "R-DUES-09"),
    _judge("党员一次性自愿多交纳党费1000元以上的，全部上缴中央。", True,
           "一次性自愿多交纳1000元以上的党费，全部上缴中央。", "R-DUES-12"),
    _judge("为方便收缴，党组织可以从党员工资中直接扣缴党费。", False,
           "党组织不得从党员工资中扣缴党费，也不得代党员交纳。", "R-DUES-15"),
    _single("经党支部同意补交党费的，补交时间一般不超过几个月？",
            ("3个月", "6个月", "12个月", "24个月"), 1,
            "补交党费一般不超过6个月。", "R-DUES-13"),
    # 党员教育 (R-EDU)
    _single("党员每年参加集中学习培训一般不少于多少学时？",
            ("24学时", "32学时", "40学时", "56学时"), 1,
            "每名党员每年集中学习培训时间一般不少于32学时。", "R-EDU-01"),
    _single("基层党组织书记和班子成员每年参加集中培训和集体学习一般不少于多少学时？",
            ("32学时", "40学时", "56学时", "72学时"), 2,
            "基层党组织书记和班子成员每年不少于56学时，其中至少参加1次集中培训。", "R-EDU-02"),
    _judge("对年老体弱、行动不便的党员，可由党组织送学上门，不硬性要求参加集中学习。", True,
           "年老体弱、行动不便的党员不作硬性要求，由党组织送学上门。", "R-EDU-03"),
    _single("党员与党组织失去联系多长时间以上，经多方查找仍没有音讯的，应当停止其党籍？",
            ("3个月", "6个月", "1年", "2年"), 1,
            "失去联系6个月以上，经多方查找仍无音讯的，应予停止党籍。", "R-EDU-06"),
    _multiple("党员没有正当理由，连续6个月有下列哪些情形的，按自行脱党除名？",
              ("不参加党的组织生活", "不交纳党费", "不做党所分配的工作", "一次主题党日请假"),
              (0, 1, 2), "连续6个月不参加组织生活、不交纳党费或不做党所分配的工作。", "R-EDU-08"),
    _judge("党员工作单位变动后，在接收方党组织接收前，原党组织仍负有管理责任。", True,
           "组织关系接转完成前，原党组织仍负有管理责任。", "R-EDU-12"),
    # 发展党员 (R-DEV)
    _single("预备党员的预备期为多长时间？", ("半年", "一年", "两年", "三年"), 1,
            "预备期为一年。", "R-DEV-20"),
    _single("预备党员的预备期从什么时候算起？",
            ("递交入党申请书之日", "确定为发展对象之日", "支部大会通过其为预备党员之日",
             "上级党委批准之日"), 2,
            "预备期从支部大会通过其为预备党员之日算起。", "R-DEV-20"),
    _single("党员的党龄从什么时候算起？",
            ("递交入党申请书之日", "支部大会通过其为预备党员之日", "预备期满转为正式党员之日",
             "入党宣誓之日"), 2, "党龄从预备期满转为正式党员之日算起。", "R-DEV-23"),
    _single("需要继续考察的预备党员可以延长预备期，延长时间为？",
            ("三个月至半年", "不少于半个月，最长不超过半年", "不少于半年，最长不超过一年",
             "一年至两年"), 2, "延长预备期一次，不能少于半年，最长不超过一年。", "R-DEV-21"),
    _single("入党积极分子经过多长时间以上的培养教育和考察，基本具备党员条件的，可列为发展对象？",
            ("半年", "一年", "两年", "三年"), 1, "须经过一年以上的培养教育和考察。", "R-DEV-07"),
    _judge("年满十六周岁的公民即可申请加入中国共产党。", False,
           "申请入党须年满十八岁。", "R-DEV-01"),
    _single("党组织收到入党申请书后，应当在多长时间内派人同入党申请人谈话？",
            ("一周内", "半个月内", "一个月内", "三个月内"), 2,
            "应当在一个月内派人同入党申请人谈话。", "R-DEV-03"),
    _single("对发展对象进行短期集中培训，时间一般不少于？",
            ("1天或8学时", "2天或16学时", "3天或24学时", "5天或40学时"), 2,
            "集中培训时间一般不少于3天或不少于24个学时。", "R-DEV-11"),
    # 组织设置与选举 (R-ORG, R-ELEC)
    _single("有正式党员多少人以上的机关，应当成立党支部？", ("3人", "5人", "7人", "10人"), 0,
            "有正式党员3人以上的，应当成立党支部。", "R-ORG-03"),
    _single("正式党员多少人以上的党支部，应当设立支部委员会？", ("3人", "5人", "7人", "9人"), 2,
            "正式党员7人以上的党支部设立支部委员会。", "R-ORG-03"),
    _single("党员人数100人以上的机关，一般设立什么党组织？",
            ("党支部", "党总支", "机关党的基层委员会（机关党委）", "党组"), 2,
            "党员100人以上的，设立党的基层委员会。", "R-ORG-01"),
    _single("机关党支部委员会每届任期一般为几年？", ("2年", "3年", "4年", "5年"), 1,
            "党总支、党支部委员会每届任期一般为3年。", "R-ORG-23"),
    _judge("进行选举时，有选举权的到会党员超过应到会党员的五分之四，会议有效。", True,
           "有选举权的到会人数须超过应到会人数的五分之四。", "R-ELEC-06"),
    _single("实行差额选举时，委员候选人人数应多于应选人数的多少？",
            ("10%", "20%", "30%", "50%"), 1, "候选人应多于应选人数的20%。", "R-ELEC-04"),
)
# fmt: on

BANK_TITLE = "党内法规和党的二十大精神知识题库"
BANK_DESCRIPTION = (
    "本平台据党内法规的条文要点自行编写的练习题，每题注明所依据的规则编号，供党员自学自测。"
)

# ---------------------------------------------------------------------------------------------
# The materials library


@dataclass(frozen=True)
class MaterialData:
    topic: str
    title: str
    description: str
    kind: str  # document, link
    owner: str  # "root" (工委), "sfj", "lgb"
    minutes: int
    url: str = ""
    assign_to: tuple[str, ...] = ()  # "sfj", "lgb": required reading there
    due_days: int = 30  # assignments: due this many days after today


PORTAL = "https://www.12371.cn/"  # 共产党员网
# fmt: off
MATERIALS: tuple[MaterialData, ...] = (
    MaterialData("二十大精神", "党的二十大报告学习导读",
                 "按报告的十五个部分梳理学习要点、重要论述和思考题，供支部集中学习和个人自学时对照使用。"
                 "本平台演示资料，正文请以正式出版物为准。",
                 "document", "root", 40, assign_to=("sfj", "lgb"), due_days=20),
    MaterialData("二十大精神", "二十大精神专题学习网页",
                 "共产党员网的专题栏目，汇集报告原文、新闻和解读，适合手机上随时浏览。",
                 "link", "root", 20, url=PORTAL),
    MaterialData("二十大精神", "一图读懂：新时代新征程的使命任务",
                 "以图表概括中心任务、两步走战略安排和重大原则，便于在主题党日上展示讲解。",
                 "document", "root", 10, assign_to=("sfj",), due_days=35),
    MaterialData("党章党规", "《中国共产党章程》逐章学习提纲",
                 "逐章列出学习重点和讨论题，配合“原原本本、逐字逐句”学习党章使用。",
                 "document", "root", 45, assign_to=("sfj", "lgb"), due_days=45),
    MaterialData("党章党规", "党章修正案要点解读",
                 "对照修改前后的条文，说明总纲和条文修改的主要内容和学习体会。",
                 "document", "root", 25),
    MaterialData("党内条例", "《中国共产党支部工作条例（试行）》导学",
                 "以问答形式讲解党支部的设置、组织生活和支部委员会建设，附“三会一课”频次对照表。",
                 "document", "root", 30, assign_to=("sfj",), due_days=25),
    MaterialData("党内条例", "《中国共产党党员教育管理工作条例》要点",
                 "梳理党员教育培训、日常管理和组织处置的主要规定，附学时要求（每年不少于32学时）。",
                 "document", "root", 25),
    MaterialData("党内条例", "党费收缴、使用和管理规定问答",
                 "本平台整理的党费交纳比例、计算基数、补交和减免的常见问题，附计算示例。",
                 "document", "root", 15, assign_to=("lgb",), due_days=30),
    MaterialData("党史学习", "党史学习教育专题网页",
                 "共产党员网的党史学习专题，可按时期浏览重要事件和人物。",
                 "link", "root", 30, url=PORTAL),
    MaterialData("理论武装", "习近平法治思想学习专题",
                 "司法行政系统学习习近平法治思想的专题链接，收录学习资料和辅导报告。",
                 "link", "sfj", 30, url="https://www.moj.gov.cn/"),
    MaterialData("业务知识", "“八五”普法和公共法律服务工作要点",
                 "市司法局编写的本年度普法宣传和公共法律服务重点任务清单，供全局干警学习。",
                 "document", "sfj", 20, assign_to=("sfj",), due_days=15),
    MaterialData("业务知识", "离退休干部工作政策问答",
                 "市委老干部局整理的离退休干部政治待遇、生活待遇和服务管理常见问题。",
                 "document", "lgb", 20, assign_to=("lgb",), due_days=40),
)
# fmt: on

#: the PDF placeholders say it in ASCII (a PDF's standard fonts have no Chinese)
PLACEHOLDER_PDF = [
    "Placeholder file generated for the dangjian demo.",
    "It stands for a study material of the library and contains no published text.",
]
PLACEHOLDER_NOTE = (
    "本文件为演示数据自动生成的占位文件，仅用于演示学习资料库的上传、下载和学习进度功能，"
    "不含任何出版物正文。正式使用时请由管理员上传本单位的学习资料。"
)

# ---------------------------------------------------------------------------------------------
# The 司法局's 2022 study year (seed report: "共组织全体干警集中学习19场，培训1395人次")

#: hour-minute, length in minutes, credited hours of each form
FORM_TIMES: dict[str, tuple[dt.time, int, str]] = {
    "concentrated": (dt.time(15, 0), 150, "2.5"),
    "lecture": (dt.time(15, 0), 120, "2"),
    "guided": (dt.time(9, 0), 120, "2"),
    "report": (dt.time(14, 30), 150, "2.5"),
    "course": (dt.time(8, 30), 540, "7"),  # one day, lunch excepted
    "party_lesson": (dt.time(15, 0), 120, "2"),
}


@dataclass(frozen=True)
class PlanLine:
    month: int
    topic: str
    form: str
    mode: str = "in_person"
    hours: str = "2"


@dataclass(frozen=True)
class SessionData:
    """One of the 19: its day (in 2022), form, topic, speaker, and the plan line (index into
    SFJ_2022_PLAN) it carries out."""

    month: int
    day: int
    form: str
    topic: str
    speaker: str
    line: int
    mode: str = "in_person"
    retirees: bool = False  # the retired members were invited too


# fmt: off
SFJ_2022_PLAN: tuple[PlanLine, ...] = (
    PlanLine(1, "学习贯彻中央经济工作会议和全国政法工作会议精神", "concentrated", hours="2.5"),
    PlanLine(2, "习近平法治思想专题学习（一）", "guided"),
    PlanLine(3, "《中国共产党章程》逐章学习（总纲、第一至三章）", "concentrated", hours="2.5"),
    PlanLine(3, "政法队伍教育整顿成果巩固专题党课", "party_lesson"),
    PlanLine(4, "《中国共产党纪律处分条例》学习", "concentrated", hours="2.5"),
    PlanLine(4, "全面从严治党形势报告会", "report", hours="2.5"),
    PlanLine(5, "《中国共产党支部工作条例（试行）》导学", "guided"),
    PlanLine(5, "司法行政业务能力培训班", "course", hours="7"),
    PlanLine(6, "习近平法治思想专题学习（二）", "concentrated", hours="2.5"),
    PlanLine(6, "“七一”专题党课：弘扬伟大建党精神", "party_lesson"),
    PlanLine(7, "法治政府建设专题宣讲", "lecture"),
    PlanLine(7, "《中国共产党章程》逐章学习（第四至十一章）", "concentrated", hours="2.5"),
    PlanLine(8, "意识形态工作责任制专题学习", "concentrated", hours="2.5", mode="online"),
    PlanLine(9, "以案为鉴警示教育专题党课", "party_lesson"),
    PlanLine(9, "迎接党的二十大专题宣讲", "lecture"),
    PlanLine(10, "党的二十大报告导学", "guided"),
    PlanLine(10, "学习贯彻党的二十大精神宣讲报告会", "report", hours="2.5"),
    PlanLine(10, "党的二十大精神专题党课", "party_lesson"),
    PlanLine(10, "学习贯彻党的二十大精神专题培训班", "course", hours="7"),
    PlanLine(11, "二十大党章修正案学习", "concentrated", hours="2.5"),
    PlanLine(12, "年度学习总结和组织生活会前集中学习", "concentrated", hours="2.5"),
)

SFJ_2022_SESSIONS: tuple[SessionData, ...] = (
    SessionData(1, 14, "concentrated",
                "学习贯彻中央经济工作会议和全国政法工作会议精神", "局党组书记", 0),
    SessionData(2, 22, "guided",
                "习近平法治思想专题学习（一）", "局机关党委书记", 1),
    SessionData(3, 10, "concentrated",
                "《中国共产党章程》逐章学习（总纲、第一至三章）", "局机关党委副书记", 2),
    SessionData(3, 29, "party_lesson",
                "政法队伍教育整顿成果巩固专题党课", "局党组书记", 3),
    SessionData(4, 14, "concentrated",
                "《中国共产党纪律处分条例》学习", "驻局纪检监察组组长", 4),
    SessionData(4, 27, "report",
                "全面从严治党形势报告会", "市纪委监委宣讲员", 5, retirees=True),
    SessionData(5, 12, "guided",
                "《中国共产党支部工作条例（试行）》导学", "局机关党委专职副书记", 6),
    SessionData(5, 25, "course",
                "司法行政业务能力培训班", "市委党校教师", 7),
    SessionData(6, 16, "concentrated",
                "习近平法治思想专题学习（二）", "局党组成员", 8),
    SessionData(6, 29, "party_lesson",
                "“七一”专题党课：弘扬伟大建党精神", "局党组书记", 9, retirees=True),
    SessionData(7, 14, "lecture",
                "法治政府建设专题宣讲", "市委宣讲团成员", 10),
    SessionData(7, 28, "concentrated",
                "《中国共产党章程》逐章学习（第四至十一章）", "局机关党委副书记", 11),
    SessionData(8, 18, "concentrated",
                "意识形态工作责任制专题学习", "局党组成员", 12, mode="online"),
    SessionData(9, 8, "party_lesson",
                "以案为鉴警示教育专题党课", "驻局纪检监察组组长", 13),
    SessionData(9, 22, "lecture",
                "迎接党的二十大专题宣讲", "市委宣讲团成员", 14),
    SessionData(10, 24, "guided",
                "党的二十大报告导学", "局机关党委书记", 15),
    SessionData(10, 26, "report",
                "学习贯彻党的二十大精神宣讲报告会", "市委宣讲团成员", 16, retirees=True),
    SessionData(10, 27, "party_lesson",
                "党的二十大精神专题党课", "局党组书记", 17),
    SessionData(10, 28, "course",
                "学习贯彻党的二十大精神专题培训班", "市委党校教师", 18),
)
# fmt: on
#: the seed report's figures for the 司法局's 2022
SFJ_SESSIONS, SFJ_PERSON_TIMES = 19, 1395
SESSION_TOPIC_PREFIX = "全体干警集中学习"
PLACES = {
    "concentrated": "局机关四楼会议室",
    "lecture": "机关一楼报告厅",
    "guided": "局机关四楼会议室",
    "report": "机关一楼报告厅",
    "course": "市委党校教学楼",
    "party_lesson": "机关一楼报告厅",
}
ONLINE_PLACE = "线上视频会议"

# ---------------------------------------------------------------------------------------------
# This year's plans (the 司法局 and a few other units)

# fmt: off
THIS_YEAR_PLAN: tuple[PlanLine, ...] = (
    PlanLine(1, "学习贯彻中央经济工作会议精神", "concentrated", hours="2.5"),
    PlanLine(2, "《中国共产党章程》逐章学习", "concentrated", hours="2.5"),
    PlanLine(3, "学习贯彻全国两会精神", "lecture"),
    PlanLine(3, "《中国共产党支部工作条例（试行）》导学", "guided"),
    PlanLine(4, "全面从严治党专题党课", "party_lesson"),
    PlanLine(5, "《中国共产党纪律处分条例》学习", "concentrated", hours="2.5"),
    PlanLine(6, "“七一”专题党课", "party_lesson"),
    PlanLine(6, "党员教育集中培训班", "course", hours="7"),
    PlanLine(7, "学习贯彻党的二十大精神再学习再深化", "concentrated", hours="2.5", mode="online"),
    PlanLine(8, "意识形态工作专题学习", "guided"),
    PlanLine(9, "清廉机关建设专题报告会", "report", hours="2.5"),
    PlanLine(10, "《中国共产党党员教育管理工作条例》学习", "concentrated", hours="2.5"),
    PlanLine(11, "年度学习成果交流", "lecture"),
    PlanLine(12, "组织生活会前集中学习", "concentrated", hours="2.5"),
)
# fmt: on
#: the 工委's video lecture for the whole 市直机关 this year, followed in a 分会场 of every unit
CITY_LECTURE = "市直机关党员干部理论学习专题报告会（视频会议）"
CITY_SPEAKER = "市委党校教授"
CITY_PLACE = "本单位视频会议分会场"
#: units with a plan and a few sessions this year besides the 司法局 (full names)
OTHER_UNITS = (
    "中共十堰市委老干部局",
    "十堰市人民政府办公室",
    "中共十堰市委组织部",
    "十堰市教育局",
)
#: 2022 plans of two of them (plans only: their 2022 sessions are not part of the story)
OTHER_UNITS_2022 = ("中共十堰市委老干部局", "十堰市人民政府办公室")
SPEAKERS = ("单位主要负责人", "机关党委书记", "市委党校教师", "市委宣讲团成员", "支部书记")

# ---------------------------------------------------------------------------------------------
# Trainings outside the sessions (R-EDU-01/02)

PARTY_SCHOOL = ("中共十堰市委党校", "市直机关党组织书记和党务干部示范培训班")
ONLINE_COURSE = ("十堰干部网络学院", "年度网络专题学习")
RETIREE_COURSE = ("十堰市老干部网上学习平台", "离退休干部党员网上专题学习")

# ---------------------------------------------------------------------------------------------
# Minutes of a study session: a header from the record, the study of the day, the discussion
# and what was asked of everyone.

STUDY_PARAGRAPHS: dict[str, tuple[str, ...]] = {
    "concentrated": (
        "会议采取领学和自学相结合的方式，{speaker}逐段领学了“{topic}”的相关内容，"
        "并结合司法行政工作实际作了解读；与会人员边学边记，对照原文标注重点。",
        "会上，{speaker}围绕“{topic}”领学原文，重点讲解了其中的核心要义和实践要求，"
        "要求大家原原本本学、逐字逐句悟。",
    ),
    "lecture": (
        "{speaker}以“{topic}”为题作专题宣讲，从理论逻辑、历史逻辑和实践逻辑三个方面进行了"
        "阐释，宣讲结合大量身边案例，通俗易懂。",
    ),
    "guided": (
        "本次导学由{speaker}主讲，按照“原文通读、要点解读、问题研讨”的步骤，带领大家学习"
        "“{topic}”，并布置了个人自学篇目和思考题。",
    ),
    "report": (
        "报告会邀请{speaker}作辅导报告，报告围绕“{topic}”展开，既有宏观形势分析，又有"
        "具体工作要求，与会人员认真听讲、做好笔记。",
    ),
    "course": (
        "培训班为期一天，上午由{speaker}授课，讲解“{topic}”的重点内容；下午分组研讨，"
        "各组推选代表作交流发言，最后进行了结业测试。",
    ),
    "party_lesson": (
        "{speaker}以“{topic}”为题讲授专题党课，党课结合正反两方面典型案例，"
        "教育引导党员干警筑牢信仰之基、补足精神之钙、把稳思想之舵。",
    ),
}
DISCUSSION = (
    "{a}谈到，要把学习成果转化为做好{work}工作的实际行动，在服务群众中当先锋、作表率。",
    "{a}表示，通过学习进一步增强了“四个意识”，今后要在{work}工作中严格依法履职。",
    "{a}结合{work}工作谈了体会，认为要坚持问题导向，把学习中的收获落到具体措施上。",
    "{a}提出，要加强{work}工作中的制度建设，做到用制度管人、按制度办事。",
    "{a}说，要把学习与解决群众急难愁盼问题结合起来，推动{work}工作提质增效。",
    "{a}谈到，自己在{work}工作中还存在学用脱节的问题，下一步将制定个人学习计划。",
    "{a}认为，{work}工作直接面对群众，更要把学习中领会的宗旨意识体现在每一次服务中。",
    "{a}发言说，这次学习解开了自己在{work}工作中的一些思想疙瘩，工作思路更清晰了。",
    "{a}建议，支部可以把{work}工作中的典型案例整理出来，作为下一次学习的现场教材。",
    "{a}说，年轻党员要在{work}等急难险重任务中多经受锻炼，把学到的道理用起来。",
)
#: what a speaker told of his own work: {work}工作中 + a problem, then the measure
#: (the phrases of similarity.synthetic: PROBLEMS, MEASURES)
EXAMPLE = "结合实际，{work}工作中{problem}，{measure}。"
WORKS = (
    "人民调解", "法律援助", "公证服务", "社区矫正", "普法宣传", "行政复议", "律师管理",
    "公共法律服务", "行政执法监督", "安置帮教",
)  # fmt: skip
REQUIREMENTS = (
    "会议要求，各支部要结合主题党日组织再学习，党员要撰写学习心得，确保学习全覆盖。",
    "会议要求，要把学习情况纳入支部年度考核，对未参加集中学习的同志安排补学。",
    "会议强调，要坚持学以致用、用以促学，以学习成效推动全年重点工作落实。",
    "会议要求，各党支部书记要带头学、带头讲，形成比学赶超的浓厚氛围。",
)

# ---------------------------------------------------------------------------------------------
# Study notes (心得体会): openings, reflections and resolutions combined per member, so that two
# members' notes share little; one pair is copied on purpose.

NOTE_TITLES = (
    "学习“{topic}”的体会",
    "参加“{topic}”的几点收获",
    "“{topic}”学习心得",
)
NOTE_OPENINGS = (
    "通过参加这次集中学习，我对{topic}有了更系统的认识。",
    "这段时间，我按照支部安排认真学习了{topic}，收获很多。",
    "作为一名基层党员，学习{topic}让我深受教育。",
    "结合自己的岗位，我利用业余时间反复研读了{topic}的内容。",
    "{topic}的学习结束后，我又把笔记整理了一遍，有几点体会想和大家交流。",
)
NOTE_REFLECTIONS = (
    "在{work}岗位上，我体会到只有把学习成果转化为为民服务的实际行动，学习才真正有意义。",
    "过去我在{work}工作中有时只注重完成任务，对政治理论学习重视不够，这次学习让我找到了差距。",
    "学习中我特别关注了依法履职的要求，这与{work}工作联系紧密，今后要更加严格规范。",
    "联系{work}工作，我认识到群众的每一件小事都是大事，必须用心用情办好。",
    "对照学习内容检视自己，我在{work}工作中还存在创新意识不强、办法不多的问题。",
    "学习让我明白，做好{work}工作既要有过硬的业务本领，也要有坚定的理想信念。",
    "我深刻感到，{work}工作看似平常，却连着群众对党和政府的信任，马虎不得。",
    "从事{work}工作这些年，我越来越体会到理论学习是做好业务的底气所在。",
)
#: one of the member's own cases: {work}工作中 + a problem, then what he will do
NOTE_EXAMPLE = "比如在{work}工作中，{problem}，对此我的打算是：{measure}。"
NOTE_RESOLUTIONS = (
    "下一步，我将制定个人学习计划，每周至少安排两个晚上系统学习原文。",
    "今后我要坚持学用结合，每月梳理一次工作中的问题并提出改进办法。",
    "我将主动向身边的先进同志学习，在支部活动中多发言、多交流。",
    "我要把学习体会运用到日常工作中，力争年内在业务上有新的提高。",
    "我将积极参加结对社区的志愿服务，在为群众办实事中检验学习成效。",
    "我会把今天的体会写进个人学习档案，年底对照检查落实情况。",
)
