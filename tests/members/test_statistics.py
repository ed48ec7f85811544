"""党内统计 (R-STAT-01..06): exact numbers on the fixture tree, cut-off semantics, scope, query
counts, and the xlsx download."""

import datetime as dt
import io
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from tests.conftest import PASSWORD, id_number_for, member_data

from dangjian.members.services import member_create, member_leave
from dangjian.members.statistics import member_statistics, statistics_sections
from dangjian.members.views_stats import parse_cutoff
from dangjian.orgs.services import org_create

D = dt.date
YEAR_END = D(2024, 12, 31)
MID_YEAR = D(2024, 6, 30)


def _add(branch, name, *, sex="male", birth, joined, converted=None, **overrides):
    data = member_data(sex=sex, category="full" if converted else "probationary")
    data.update(
        birth_date=birth,
        id_number=id_number_for(birth, sex),
        joined_on=joined,
        converted_on=converted,
        **overrides,
    )
    return member_create(actor=None, branch=branch, name=name, **data)


@pytest.fixture
def stats_tree(tree):
    """The fixture tree (10 members born 1980 or 1998, 汉族, 大学本科, 公务员) plus members with
    known traits. At 2024-12-31 the whole tree has 15 members on the roster."""
    a, b, c = tree.branch_a, tree.branch_b, tree.branch_c
    # new in 2024, 回族, 大专, worker; 31 at the year's end but 30 on 2024-06-30
    _add(a, "韩梅", sex="female", birth=D(1993, 8, 1), joined=D(2024, 3, 1), ethnicity="03",
         education="31", post="0430")  # fmt: skip
    # joined on the last day of the Third Plenum: still "before" it (R-STAT-04)
    _add(a, "刘老", birth=D(1960, 5, 1), joined=D(1978, 12, 22), converted=D(1979, 12, 23),
         education="61", post="0810", employment="retired")  # fmt: skip
    _add(a, "陈早", birth=D(1930, 1, 1), joined=D(1949, 9, 30), converted=D(1950, 10, 1),
         education="71", post="0810", employment="retired")  # fmt: skip
    # left the roster on 2024-05-01
    gone = _add(a, "左离", birth=D(1980, 1, 1), joined=D(2010, 1, 1), converted=D(2011, 1, 2))
    member_leave(actor=None, member=gone, on=D(2024, 5, 1), reason="died")
    # joined after the 2024 cut-offs
    _add(a, "右新", birth=D(1990, 1, 1), joined=D(2025, 2, 1))
    # new in 2024 after mid-year, 蒙古族, 中专, professional
    _add(b, "蒙女", sex="female", birth=D(1990, 6, 15), joined=D(2024, 8, 1), ethnicity="02",
         education="41", post="0320")  # fmt: skip
    _add(c, "老新", birth=D(1980, 1, 1), joined=D(2024, 5, 1), education="61")
    # a branch founded after the cut-off, no members
    org_create(actor=None, parent=tree.organ_a, name="第三党支部", kind="branch",
               established_on=D(2025, 1, 1))  # fmt: skip
    return tree


def _rows(stats, key):
    return {row[0]: row[1:] for row in {s.key: s for s in statistics_sections(stats)}[key].rows}


def test_whole_tree_at_year_end(stats_tree, personas):
    s = member_statistics(personas.committee_admin, stats_tree.root, YEAR_END)
    # R-STAT-01
    assert s["totals"] == {
        "members": 15,
        "full": 11,
        "probationary": 4,  # 钱七, 韩梅, 蒙女, 老新
        "joined_in_year": 3,
        "left_in_year": 1,
        "net_change": 2,
    }
    assert s["orgs"] == {"grassroots": 4, "organ_committee": 1, "general_branch": 0, "branch": 3}
    # R-STAT-02
    assert s["composition"] == {"women": 3, "minorities": 2, "college": 11}
    assert _rows(s, "composition") == {
        "女党员": [3, 20.0],
        "少数民族党员": [2, 13.3],
        "大专及以上学历党员": [11, 73.3],
    }
    # R-STAT-03 at 31 December
    assert dict(s["age_bands"]) == {
        "30岁及以下": 1,
        "31至35岁": 2,
        "36至40岁": 0,
        "41至45岁": 10,
        "46至50岁": 0,
        "51至55岁": 0,
        "56至60岁": 0,
        "61岁及以上": 2,
    }
    # R-STAT-04
    assert [n for _, n in s["joining_periods"]] == [1, 1, 9, 4]
    # R-STAT-05
    occupations = dict(s["occupations"])
    assert occupations["党政机关工作人员"] == 11
    assert occupations["工人（工勤技能人员）"] == 1
    assert occupations["企事业单位、社会组织专业技术人员"] == 1
    assert occupations["离退休人员"] == 2
    assert sum(occupations.values()) == 15
    # R-STAT-06
    new = s["new_members"]
    assert (new["total"], new["women"], new["minorities"], new["young"], new["college"]) == (
        3,
        2,
        2,
        2,
        1,
    )
    assert _rows(s, "new_members")["其中：女性"] == [2, 66.7]
    new_occ = dict(new["occupations"])
    assert new_occ["工人（工勤技能人员）"] == 1
    assert new_occ["企事业单位、社会组织专业技术人员"] == 1
    assert new_occ["党政机关工作人员"] == 1
    assert sum(new_occ.values()) == 3
    # per child
    assert [(r.name, r.members, r.women, r.probationary) for r in s["children"]] == [
        ("甲局党组", 12, 3, 3),
        ("乙局党组", 3, 0, 1),
    ]


def test_cutoff_mid_year(stats_tree, personas):
    s = member_statistics(personas.committee_admin, stats_tree.root, MID_YEAR)
    # 蒙女 joined after the cut-off; 左离 left before it
    assert s["totals"]["members"] == 14
    assert s["totals"]["joined_in_year"] == 2
    assert s["totals"]["left_in_year"] == 1
    assert s["totals"]["net_change"] == 1
    bands = dict(s["age_bands"])
    # year_end (default): 韩梅 is 31 at 2024-12-31
    assert (bands["30岁及以下"], bands["31至35岁"]) == (1, 1)
    s = member_statistics(personas.committee_admin, stats_tree.root, MID_YEAR, age_mode="cutoff")
    bands = dict(s["age_bands"])
    assert (bands["30岁及以下"], bands["31至35岁"]) == (2, 0)
    assert s["age_reference"] == MID_YEAR


def test_member_who_left_after_the_cutoff_is_counted(stats_tree, personas):
    before = member_statistics(personas.committee_admin, stats_tree.branch_a, D(2024, 4, 30))
    on_day = member_statistics(personas.committee_admin, stats_tree.branch_a, D(2024, 5, 1))
    # on roster up to the day before leaving; not on the leaving day
    assert before["totals"]["members"] - on_day["totals"]["members"] == 1
    assert before["totals"]["left_in_year"] == 0
    assert on_day["totals"]["left_in_year"] == 1


def test_full_or_probationary_as_of_the_cutoff(stats_tree, personas):
    # 钱七 joined 2023-07-01 and is still probationary; 刘老 converted 1979-12-23
    s = member_statistics(personas.committee_admin, stats_tree.branch_a, D(1979, 12, 22))
    assert s["totals"] == {
        "members": 2,  # 陈早 and 刘老
        "full": 1,
        "probationary": 1,  # 刘老 before conversion
        "joined_in_year": 0,
        "left_in_year": 0,
        "net_change": 0,
    }


def test_children_of_a_committee_skip_orgs_founded_after_the_cutoff(stats_tree, personas):
    s = member_statistics(personas.committee_admin, stats_tree.organ_a, YEAR_END)
    assert [(r.name, r.members, r.women, r.probationary) for r in s["children"]] == [
        ("甲局机关纪委", 0, 0, 0),
        ("第一党支部", 8, 2, 2),
        ("第二党支部", 4, 1, 1),
    ]
    assert s["orgs"]["branch"] == 2
    later = member_statistics(personas.committee_admin, stats_tree.organ_a, D(2025, 6, 30))
    assert "第三党支部" in [r.name for r in later["children"]]
    assert later["orgs"]["branch"] == 3


def test_branch_shows_its_own_members(stats_tree, personas):
    s = member_statistics(personas.secretary_a, stats_tree.branch_a, YEAR_END)
    assert [(r.org, r.members) for r in s["children"]] == [(None, 8)]
    assert s["children"][0].name == "本级直属"


def _login(client, user):
    client.login(username=user.username, password=PASSWORD)


def test_page_shows_every_section(client, stats_tree, personas):
    _login(client, personas.committee_admin)
    url = reverse("members:statistics")
    response = client.get(url, {"org": stats_tree.root.pk, "cutoff": "2024-12-31"})
    assert response.status_code == 200
    html = response.content.decode()
    for rule_id in ["R-STAT-01", "R-STAT-02", "R-STAT-03", "R-STAT-04", "R-STAT-05", "R-STAT-06"]:
        assert rule_id in html
    for testid in ["totals", "orgs", "composition", "age", "joining", "occupation", "new_members"]:
        assert f'data-testid="stats-{testid}"' in html
    assert 'data-testid="stats-total">15<' in html
    assert "当前所在党支部" in html and "可配置" in html
    for chart in ["chart-age", "chart-joining", "chart-occupation", "chart-children"]:
        assert f'data-chart="{chart}"' in html and f'id="{chart}"' in html
    assert response.context["chart"]["joining"] == {
        "units": [label for label, _ in response.context["stats"]["joining_periods"]],
        "counts": [1, 1, 9, 4],
    }
    assert "<script>" not in html  # data only, no inline code


def test_default_org_is_the_users_top_org_and_cutoff_today(client, stats_tree, personas):
    _login(client, personas.secretary_a)
    response = client.get(reverse("members:statistics"))
    assert response.status_code == 200
    assert response.context["org"] == stats_tree.branch_a
    assert response.context["cutoff"] == timezone.localdate()
    # today: 右新 (joined 2025) is on the roster now, 左离 is not
    assert response.context["stats"]["totals"]["members"] == 9
    assert response.context["parent"] is None  # no member.view above branch A


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("2024-13-01", "不是有效日期"),
        ("昨天", "不是有效日期"),
        ("2024-12-31T00:00", "不是有效日期"),
        ("9999-12-31", "不能晚于今天"),
        ("1900-01-01", "不能早于1921年7月1日"),
    ],
)
def test_bad_cutoff_falls_back_to_today_with_a_message(client, stats_tree, personas, raw, message):
    _login(client, personas.committee_admin)
    response = client.get(reverse("members:statistics"), {"cutoff": raw})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert response.context["cutoff"] == timezone.localdate()
    xlsx = client.get(reverse("members:statistics_xlsx"), {"cutoff": raw})
    assert xlsx.status_code == 200


def test_parse_cutoff_accepts_slashes():
    today = D(2026, 1, 10)
    assert parse_cutoff("2024/12/31", today) == (D(2024, 12, 31), None)
    assert parse_cutoff(" 2024-06-30 ", today) == (MID_YEAR, None)
    assert parse_cutoff("", today) == (today, None)


def test_bad_age_mode_falls_back_to_year_end(client, stats_tree, personas):
    _login(client, personas.committee_admin)
    response = client.get(
        reverse("members:statistics"), {"cutoff": "2024-06-30", "age_mode": "birthday"}
    )
    assert response.status_code == 200
    assert response.context["age_mode"] == "year_end"
    assert "年龄计算方式无效" in response.content.decode()


def test_secretary_sees_only_own_branch(client, stats_tree, personas):
    _login(client, personas.secretary_a)
    url = reverse("members:statistics")
    assert client.get(url, {"org": stats_tree.branch_b.pk}).status_code == 404
    assert client.get(url, {"org": stats_tree.organ_a.pk}).status_code == 404
    assert (
        client.get(reverse("members:statistics_xlsx"), {"org": stats_tree.branch_b.pk}).status_code
        == 404
    )
    response = client.get(url, {"org": stats_tree.branch_a.pk, "cutoff": "2024-12-31"})
    assert response.context["stats"]["totals"]["members"] == 8


def test_unit_admin_can_drill_up_to_the_top_of_their_scope_only(client, stats_tree, personas):
    _login(client, personas.unit_admin)
    response = client.get(reverse("members:statistics"), {"org": stats_tree.branch_a.pk})
    assert response.context["parent"] == stats_tree.organ_a
    response = client.get(reverse("members:statistics"))
    assert response.context["org"] == stats_tree.party_group_a
    assert response.context["parent"] is None  # the 工委 is outside the unit admin's scope


def _count_queries(client, org):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(
            reverse("members:statistics"), {"org": org.pk, "cutoff": "2024-12-31"}
        )
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_members(
    client, tree, personas, django_assert_max_num_queries
):
    _login(client, personas.committee_admin)
    few = _count_queries(client, tree.root)
    for i in range(20):
        branch = tree.branch_a if i % 2 else tree.branch_c
        member_create(
            actor=None,
            branch=branch,
            name=f"党员{'甲乙丙丁戊己庚辛壬癸'[i % 10]}{'一二'[i // 10]}",
            **member_data(sex="female" if i % 3 else "male", born=1960 + i),
        )
    assert _count_queries(client, tree.root) == few
    with django_assert_max_num_queries(12):
        client.get(reverse("members:statistics"), {"org": tree.root.pk, "cutoff": "2024-12-31"})


def test_selector_runs_in_three_queries(stats_tree, personas, django_assert_num_queries):
    with django_assert_num_queries(3):
        member_statistics(personas.committee_admin, stats_tree.root, YEAR_END)


def test_xlsx_has_one_sheet_per_section_with_the_numbers(client, stats_tree, personas):
    _login(client, personas.committee_admin)
    response = client.get(
        reverse("members:statistics_xlsx"), {"org": stats_tree.root.pk, "cutoff": "2024-12-31"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert quote("党内统计-测试工委-20241231.xlsx") in disposition
    # the download is audited, with what and how many
    from dangjian.core.models import AuditEntry

    entry = AuditEntry.objects.get(action="members.statistics.exported")
    assert entry.actor == personas.committee_admin and entry.org_path == stats_tree.root.path
    assert entry.changes["cutoff"] == "2024-12-31" and entry.changes["members"] >= 1
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == [
        "党员总量",
        "基层党组织",
        "性别民族学历",
        "年龄",
        "入党时间",
        "职业",
        "发展党员",
        "发展党员职业",
        "下级组织",
    ]

    def table(name):
        ws = wb[name]
        rows = list(ws.iter_rows(values_only=True))
        return rows[0][0], rows[1][0], {r[0]: list(r[1:]) for r in rows[4:]}

    title, note, totals = table("党员总量")
    assert "测试工委" in title and "R-STAT-01" in title
    assert "统计截止日：2024-12-31" in note and "按统计年度12月31日计算年龄" in note
    assert totals["党员总数"][0] == 15
    assert totals["2024年净增"][0] == 2
    _, _, comp = table("性别民族学历")
    assert comp["女党员"][:2] == [3, 20.0]
    _, _, ages = table("年龄")
    assert ages["41至45岁"][:2] == [10, 66.7]
    _, _, joining = table("入党时间")
    assert joining["新中国成立前入党"][0] == 1
    _, _, children = table("下级组织")
    assert children["甲局党组"][:3] == [12, 3, 3]
