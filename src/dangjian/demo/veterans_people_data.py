"""Fixed data of the veterans people demo (dangjian.demo.veterans_people): offices, interest
groups, the two retirees the seed report names (李军 “诗奶奶”, 程培长 “剪报爷爷”), pools of
fictional names, former units and posts, and the texts of contacts and requests. People are
fictional; units and places are the seed's."""

from __future__ import annotations

OFFICES = ("离休干部处", "退休干部处", "活动中心")

#: interest groups of the township retiree branch (the seed's 竹山县宝丰镇离退休干部第一党支部)
GROUPS = (
    ("诗词", "以诗会友，创作红色诗词，讲好十堰故事。"),
    ("书画", "书法绘画交流，每月一次笔会。"),
    ("花鼓船歌", "排练竹山花鼓、船歌，参加社区文艺演出。"),
)
GROUP_BRANCH = "竹山县宝丰镇离退休干部第一党支部"

#: the retirees named in the seed report (the activities demo makes their studios)
NAMED = (
    {
        "name": "李军",
        "gender": "F",
        "birth": (1949, 4, 12),
        "former_unit": "十堰市文化馆",
        "former_post": "副馆长",
        "note": "“诗奶奶”，长期坚持红色诗词创作和宣讲。",
    },
    {
        "name": "程培长",
        "gender": "M",
        "birth": (1946, 9, 3),
        "former_unit": "十堰日报社",
        "former_post": "编辑",
        "note": "“剪报爷爷”，数十年剪辑整理党史、时政剪报。",
    },
)

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余"
GIVEN = (
    "德明",
    "桂兰",
    "国华",
    "秀英",
    "建国",
    "玉珍",
    "志强",
    "凤英",
    "长青",
    "淑芬",
    "振华",
    "美兰",
    "光荣",
    "素珍",
    "庆林",
    "翠华",
    "永福",
    "兰芝",
    "开元",
    "惠敏",
)
FEMALE = ("桂兰", "秀英", "玉珍", "凤英", "淑芬", "美兰", "素珍", "翠华", "兰芝", "惠敏")
FORMER_UNITS = (
    "十堰市教育局",
    "十堰市卫生健康委员会",
    "十堰市财政局",
    "茅箭区人民政府",
    "张湾区人民政府",
    "郧阳区委组织部",
    "十堰市人民医院",
    "十堰市供销合作社",
    "竹山县宝丰镇人民政府",
    "丹江口市委宣传部",
)
FORMER_POSTS = ("科长", "副处长", "处长", "主任科员", "副局长", "调研员", "副主任", "干部")
STREETS = (
    "湖北省十堰市茅箭区五堰街道北街",
    "湖北省十堰市张湾区花果街道",
    "湖北省十堰市茅箭区二堰街道",
    "湖北省十堰市竹山县宝丰镇",
    "湖北省十堰市郧阳区城关镇",
)
HEALTH = (
    "高血压，规律服药",
    "糖尿病，需定期复查血糖",
    "腿脚不便，行动需搀扶",
    "听力下降，需佩戴助听器",
    "心脏支架术后，避免劳累",
)

THOUGHTS = (
    "思想稳定，关心国家大事，积极参加支部组织生活。",
    "对党的二十大精神学习体会深刻，愿意为社区发挥余热。",
    "关注十堰城市建设，对老旧小区改造提出建议。",
    "精神状态良好，希望多组织老同志交流活动。",
)
LIVING = (
    "身体状况良好，与老伴同住，生活能自理。",
    "独居，子女在外地工作，日常由社区网格员照看。",
    "近期住院复查后已出院，恢复良好。",
    "家中老旧电器需要检修，已告知社区。",
)

#: (kind, source, content, office index)
REQUESTS = (
    ("need", "cadre", "希望协助申请适老化改造，在卫生间加装扶手。", 1),
    ("need", "family", "老人行动不便，希望就近安排上门体检。", 0),
    ("voice", "self", "建议老年大学增开智能手机使用课程。", 2),
    ("wish", "cadre", "希望参加庆祝建党活动，讲述入党经历。", 2),
    ("need", "cadre", "医保异地报销手续不清楚，请帮助办理。", 1),
    ("voice", "family", "小区路灯损坏，夜间出行不便。", 0),
    ("wish", "self", "愿意担任社区义务调解员。", 2),
    ("need", "cadre", "希望协调安装紧急呼叫设备。", 0),
)
ANSWERS = (
    "已与社区对接，安排施工队上门评估，本月内完成。",
    "已联系市人民医院健康顾问团队，定于下周上门。",
    "已转老年大学，下学期开设智能手机课程。",
    "已安排在支部主题党日活动中发言。",
    "已指派专人陪同办理医保异地报销手续。",
)
FAMILY = ("王小红", "李建华", "张伟", "刘芳", "陈静")
