"""Data of the 老干部服务 activities demo (demo/veterans_activities.py). The places, the
hospital, the studios' and the home's names and the two titles (普法爷爷, 金牌调解员) are the
seed's; the teams' names, the people and the stories are fictional."""

from __future__ import annotations

#: the districts (县市区) of 十堰, for the teams' names
DISTRICTS = (
    "茅箭区",
    "张湾区",
    "郧阳区",
    "丹江口市",
    "房县",
    "竹山县",
    "竹溪县",
    "郧西县",
    "武当山特区",
)

#: focus → (short name used in the team's name, resource category, activity titles, places)
FOCUSES = (
    (
        "政策宣讲",
        "宣讲",
        "red",
        ("党的创新理论进社区宣讲", "红色故事进校园", "老党员讲党课", "“传家风”主题宣讲"),
    ),
    (
        "关心下一代",
        "关工",
        "red",
        ("青少年革命传统教育", "假期“四点半课堂”辅导", "红色研学讲解"),
    ),
    (
        "文明劝导",
        "文明",
        "silver",
        ("文明交通劝导", "垃圾分类宣传", "背街小巷环境整治"),
    ),
    (
        "助老帮困",
        "助老",
        "silver",
        ("走访慰问困难老人", "义务理发", "结对帮扶空巢老人"),
    ),
    (
        "文化文艺",
        "文艺",
        "silver",
        ("社区文艺汇演", "书画义写春联", "花鼓船歌进社区"),
    ),
    (
        "矛盾调解",
        "调解",
        "gold",
        ("邻里纠纷调解", "社区议事协商", "信访矛盾化解"),
    ),
)

PLACES = (
    "五堰街道北街社区",
    "武当路街道柳林社区",
    "花果街道花园村",
    "车城路街道办事处",
    "城关镇东关社区",
    "老年活动中心",
    "市老年大学",
)

#: the retirees the builder adds when the people demo made too few (fictional names)
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = (
    "建国",
    "国华",
    "志强",
    "桂兰",
    "秀英",
    "德明",
    "玉珍",
    "明华",
    "少华",
    "家福",
    "凤英",
    "宏伟",
    "光荣",
    "淑芬",
    "长青",
    "正德",
    "美兰",
    "振华",
    "文斌",
    "永红",
)

STUDIOS = (
    {
        "kind": "studio",
        "name": "“诗奶奶”李军工作室",
        "leader": "李军",
        "place": "十堰市老干部活动中心",
        "opened": 700,  # days before today
        "note": "以红色诗词创作、诵读和宣讲传承红色基因。",
        "titles": ("红色诗词诵读会", "诗词创作讲座", "“诗说百年”进社区"),
    },
    {
        "kind": "studio",
        "name": "“剪报爷爷”程培长工作室",
        "leader": "程培长",
        "place": "十堰市老干部活动中心",
        "opened": 680,
        "note": "以剪报集萃讲述党史国史和十堰发展变化。",
        "titles": ("党史剪报展", "剪报里的十堰变化", "剪报进校园"),
    },
    {
        "kind": "home",
        "name": "北街社区老党员之家",
        "leader": None,
        "place": "茅箭区五堰街道北街社区",
        "opened": 400,
        "note": "全市第一个老党员之家，为社区老党员提供学习交流和服务群众的阵地。",
        "titles": ("老党员学习日", "为民服务议事会", "老党员志愿服务集结"),
    },
)

HEALTH_TOPICS = (
    "老年慢性病防治讲座",
    "健康义诊",
    "心脑血管疾病预防",
    "用药安全咨询",
    "老年人跌倒预防",
    "季节性传染病防护",
)
HEALTH_ADVISERS = ("市太和医院心内科专家", "市太和医院全科医生团队", "市太和医院老年医学科")
SMART_TOPICS = (
    "智能手机使用课堂",
    "手机支付与防诈骗",
    "网上挂号和健康码使用",
    "视频通话和微信使用",
    "网上办理社保认证",
)
SMART_ADVISERS = ("青年志愿者", "社区网格员", "通信运营商志愿服务队")

EXEMPLARS = (
    {
        "title": "普法爷爷",
        "story": "退休后坚持走村入户开展普法宣传，用群众听得懂的语言讲解法律知识，"
        "帮助群众依法维护权益。",
        "named": 500,
    },
    {
        "title": "金牌调解员",
        "story": "扎根社区参与矛盾纠纷调解，耐心细致化解邻里、家庭和物业纠纷，"
        "被群众称为“金牌调解员”。",
        "named": 450,
    },
)

CASE_MATTERS = (
    "邻里通道纠纷",
    "房屋漏水纠纷",
    "赡养老人纠纷",
    "宅基地边界纠纷",
    "物业服务纠纷",
    "土地承包纠纷",
    "婚姻家庭纠纷",
    "劳务报酬纠纷",
)
