"""Scheme editing, publishing, self-assessment and review through the services: Chinese
refusals at the field with nothing written, deduction caps (R-LOCAL-05/06), category caps and
the bonus on top, the reason a changed final needs, audit entries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.utils import timezone
from tests.assessment.helpers_assess import AFTER, YEAR, hold, published, score_of, small_scheme

from dangjian.assessment import selectors_schemes as sel
from dangjian.assessment import services_assess as sa
from dangjian.assessment import services_schemes as ss
from dangjian.assessment.models import Assessment, Evidence, Indicator, IndicatorScore
from dangjian.core.errors import AppError
from dangjian.core.models import AuditEntry

TZ = timezone.get_current_timezone()


def refused(fn, **kwargs) -> AppError:
    with pytest.raises(AppError) as info:
        fn(**kwargs)
    return info.value


# --------------------------------------------------------------------------- scheme editing


def test_indicator_validation_messages(tree):
    scheme = ss.scheme_create(actor=None, owner=tree.root, year=YEAR, name="方案", target="branch")
    cat = ss.indicator_add(
        actor=None, scheme=scheme, title="类别", max_points="10", is_category=True
    )
    add = ss.indicator_add
    cases = [
        (dict(title="甲", max_points="0", method="manual"), "max_points", "分值须大于0"),
        (dict(title="甲", max_points="-3", method="manual"), "max_points", "分值须大于0"),
        (dict(title="甲", max_points="abc", method="manual"), "max_points", "分值须为数字"),
        (dict(title="甲", max_points="1.234", method="manual"), "max_points", "两位小数"),
        (dict(title="", max_points="5", method="manual"), "title", "请填写名称"),
        (dict(title="甲", max_points="5", method=""), "method", "请选择计分方式"),
        (dict(title="甲", max_points="5", method="deduction"), "deduction_per", "每次扣分"),
        (
            dict(title="甲", max_points="5", method="deduction", deduction_per="0"),
            "deduction_per",
            "大于0",
        ),
        (
            dict(title="甲", max_points="5", method="deduction", deduction_per="6"),
            "deduction_per",
            "不能超过该项分值",
        ),
        (dict(title="甲", max_points="5", method="auto"), "auto_source", "数据来源"),
        (
            dict(title="甲", max_points="5", method="auto", auto_source="nonsense"),
            "auto_source",
            "数据来源",
        ),
        (dict(title="甲", max_points="11", method="manual"), "max_points", "超过类别“类别”的10"),
    ]
    for kwargs, field, text in cases:
        error = refused(add, actor=None, scheme=scheme, parent=cat, **kwargs)
        assert error.field == field, kwargs
        assert text in error.message, (kwargs, error.message)
    assert Indicator.objects.filter(scheme=scheme).count() == 1
    ss.indicator_add(
        actor=None, scheme=scheme, parent=cat, title="甲", max_points="6", method="manual"
    )
    error = refused(
        add, actor=None, scheme=scheme, parent=cat, title="乙", max_points="4.01", method="manual"
    )
    assert "下级指标分值合计10.01分" in error.message
    # a category cannot shrink below its children
    error = refused(ss.indicator_update, actor=None, indicator=cat, max_points="5")
    assert error.field == "max_points"


def test_children_only_under_a_category_of_the_same_scheme(tree):
    scheme = small_scheme(tree.root)
    other = small_scheme(tree.root, name="另一方案")
    leaf = Indicator.objects.get(scheme=scheme, title="人工项")
    foreign = Indicator.objects.get(scheme=other, title="基本")
    for parent in (leaf, foreign):
        error = refused(
            ss.indicator_add,
            actor=None,
            scheme=scheme,
            parent=parent,
            title="x",
            max_points="1",
            method="manual",
        )
        assert error.field == "parent"


def test_after_publishing_only_wording_changes(tree):
    scheme, _a = published(tree)
    ind = Indicator.objects.get(scheme=scheme, title="扣分项")
    ss.indicator_update(actor=None, indicator=ind, title="扣分项（修订）", guidance="新的细则")
    ind.refresh_from_db()
    assert (ind.title, ind.guidance) == ("扣分项（修订）", "新的细则")
    for change in ({"max_points": "8"}, {"deduction_per": "2"}, {"method": "manual"}):
        error = refused(ss.indicator_update, actor=None, indicator=ind, **change)
        assert "只能修改指标的文字说明" in error.message
    # resending the same values with the wording is fine (the edit form does that)
    ss.indicator_update(actor=None, indicator=ind, max_points="10.00", deduction_per="4", code="x")
    for fn in (ss.indicator_remove,):
        assert "不能增删指标" in refused(fn, actor=None, indicator=ind).message
    error = refused(
        ss.indicator_add, actor=None, scheme=scheme, title="新", max_points="1", method="manual"
    )
    assert "不能增删指标" in error.message
    ind.refresh_from_db()
    assert ind.max_points == Decimal("10")
    assert AuditEntry.objects.filter(action="assessment.indicator.updated").count() == 2


def test_removing_a_category_removes_its_children(tree):
    scheme = small_scheme(tree.root)
    base = Indicator.objects.get(scheme=scheme, title="基本")
    ss.indicator_remove(actor=None, indicator=base)
    titles = set(Indicator.objects.filter(scheme=scheme).values_list("title", flat=True))
    assert titles == {"加分", "表彰"}
    assert AuditEntry.objects.filter(action="assessment.indicator.removed").count() == 1


def test_publish_targets_and_refusals(tree):
    scheme = ss.scheme_create(actor=None, owner=tree.root, year=YEAR, name="空", target="branch")
    assert "没有评分指标" in refused(ss.scheme_publish, actor=None, scheme=scheme).message
    ss.indicator_add(actor=None, scheme=scheme, title="类别", max_points="5", is_category=True)
    ss.indicator_add(actor=None, scheme=scheme, title="项", max_points="5", method="manual")
    assert "下还没有指标" in refused(ss.scheme_publish, actor=None, scheme=scheme).message

    branches = small_scheme(tree.root)
    assert ss.scheme_publish(actor=None, scheme=branches) == 3
    orgs = set(Assessment.objects.unscoped().filter(scheme=branches).values_list("org", flat=True))
    assert orgs == {tree.branch_a.pk, tree.branch_b.pk, tree.branch_c.pk}
    # one blank score per scored (non-category) indicator
    assert IndicatorScore.objects.unscoped().filter(assessment__scheme=branches).count() == 3 * 5
    assert "已发布" in refused(ss.scheme_publish, actor=None, scheme=branches).message

    units = small_scheme(tree.root, target="unit", name="单位方案")
    ss.scheme_publish(actor=None, scheme=units)
    assert set(
        Assessment.objects.unscoped().filter(scheme=units).values_list("org", flat=True)
    ) == {tree.party_group_a.pk, tree.party_group_b.pk}

    picked = small_scheme(tree.root, name="选定")
    error = refused(ss.scheme_publish, actor=None, scheme=picked, orgs=[tree.root])
    assert error.field == "orgs"
    ss.scheme_publish(actor=None, scheme=picked, orgs=[tree.branch_b])
    assert Assessment.objects.unscoped().filter(scheme=picked).count() == 1


def test_the_unit_admin_runs_schemes_only_in_his_subtree(tree, personas):
    with pytest.raises(Http404):
        ss.scheme_create(
            actor=personas.unit_admin, owner=tree.root, year=YEAR, name="越权", target="branch"
        )
    scheme = ss.scheme_create(
        actor=personas.unit_admin, owner=tree.party_group_a, year=YEAR, name="本局", target="branch"
    )
    with pytest.raises(Http404):
        ss.scheme_create(
            actor=personas.secretary_a, owner=tree.branch_a, year=YEAR, name="x", target="branch"
        )
    entry = AuditEntry.objects.get(action="assessment.scheme.created")
    assert (entry.actor_id, entry.object_id) == (personas.unit_admin.pk, str(scheme.pk))


# --------------------------------------------------------------------------- self-assessment


def test_self_scores_within_zero_and_max(tree, personas):
    _scheme, a = published(tree)
    manual = score_of(a, "人工项")
    for points, text in (("21", "不能超过该项分值 20.00 分"), ("-1", "不能为负数")):
        error = refused(sa.score_self_set, actor=personas.secretary_a, score=manual, points=points)
        assert (error.field, error.message) == ("points", "得分" + text)
    assert "请填写得分" in refused(sa.score_self_set, actor=None, score=manual, points="").message
    manual.refresh_from_db()
    assert manual.self_points is None
    sa.score_self_set(actor=personas.secretary_a, score=manual, points="18.5", note="较好")
    manual.refresh_from_db()
    assert (manual.self_points, manual.self_note) == (Decimal("18.50"), "较好")
    a.refresh_from_db()
    assert a.self_total == Decimal("18.50")


def test_deductions_take_occurrences_and_are_capped(tree):
    _scheme, a = published(tree)
    item = score_of(a, "扣分项")  # 10 points, 4 per occurrence
    error = refused(sa.score_self_set, actor=None, score=item, points="8")
    assert error.field == "occurrences"
    assert refused(sa.score_self_set, actor=None, score=item, occurrences="-1").field == (
        "occurrences"
    )
    sa.score_self_set(actor=None, score=item, occurrences=2)
    item.refresh_from_db()
    assert (item.self_points, item.self_occurrences) == (Decimal("2.00"), 2)
    sa.score_self_set(actor=None, score=item, occurrences=5)  # 20 off a 10-point item
    item.refresh_from_db()
    assert item.self_points == Decimal("0.00")


def test_others_cannot_fill_a_branch_assessment(tree, personas):
    _scheme, a = published(tree)
    item = score_of(a, "人工项")
    for persona in (personas.secretary_b, personas.member_a, personas.judge, personas.auditor):
        with pytest.raises(Http404):
            sa.score_self_set(actor=persona, score=item, points="10")
    sa.score_self_set(actor=personas.unit_admin, score=item, points="10")


def test_submit_needs_every_item_and_takes_auto_values(tree, personas):
    _scheme, a = published(tree, self_due=dt.date(YEAR + 1, 1, 10))
    hold(tree.branch_a, "member_assembly", dt.date(YEAR, 3, 1))
    for month in range(1, 13):
        hold(tree.branch_a, "theme_day", dt.date(YEAR, month, 5))
    error = refused(sa.assessment_submit, actor=personas.secretary_a, assessment=a)
    assert "以下指标尚未自评" in error.message and "人工项" in error.message
    a.refresh_from_db()
    assert a.status == "draft"
    sa.score_self_set(actor=None, score=score_of(a, "人工项"), points="15")
    sa.score_self_set(actor=None, score=score_of(a, "扣分项"), occurrences=1)
    sa.score_self_set(actor=None, score=score_of(a, "表彰"), points="3")
    before = dt.datetime(YEAR + 1, 1, 9, 12, 0, tzinfo=TZ)
    sa.assessment_submit(actor=personas.secretary_a, assessment=a, now=before)
    a.refresh_from_db()
    # 15 + 6 + (10 - 2: H2 has no assembly) + 20 (12 of 12 theme days) + bonus 3
    assert a.status == "submitted"
    assert a.self_total == Decimal("52.00")
    assert score_of(a, "党员大会").self_points == Decimal("8.00")
    assert "共1次" in score_of(a, "党员大会").auto_detail
    entry = AuditEntry.objects.get(action="assessment.assessment.submitted")
    assert entry.changes["late"] is False
    error = refused(sa.score_self_set, actor=None, score=score_of(a, "人工项"), points="1")
    assert "已提交" in error.message


def test_a_late_submission_is_accepted_and_marked(tree):
    _scheme, a = published(tree, self_due=dt.date(YEAR + 1, 1, 10))
    for title, kwargs in (
        ("人工项", {"points": "20"}),
        ("扣分项", {"occurrences": 0}),
        ("党员大会", {"points": "10"}),
        ("主题党日", {"points": "20"}),
        ("表彰", {"points": "10"}),
    ):
        sa.score_self_set(actor=None, score=score_of(a, title), **kwargs)
    late = dt.datetime(YEAR + 1, 1, 11, 9, 0, tzinfo=TZ)
    sa.assessment_submit(actor=None, assessment=a, now=late)
    entry = AuditEntry.objects.get(action="assessment.assessment.submitted")
    assert entry.changes["late"] is True
    assert entry.changes["self_due"] == f"{YEAR + 1}-01-10"


def _submitted(tree):
    scheme, a = published(tree)
    for title, kwargs in (
        ("人工项", {"points": "18"}),
        ("扣分项", {"occurrences": 1}),
        ("党员大会", {"points": "10"}),
        ("主题党日", {"points": "20"}),
        ("表彰", {"points": "10"}),
    ):
        sa.score_self_set(actor=None, score=score_of(a, title), **kwargs)
    sa.assessment_submit(actor=None, assessment=a)
    a.refresh_from_db()
    return scheme, a


def test_review_needs_a_reason_where_the_final_differs(tree, personas):
    _scheme, a = _submitted(tree)
    assert a.self_total == Decimal("64.00")  # 18 + 6 + 10 + 20 + 10
    manual = score_of(a, "人工项").indicator_id
    deduction = score_of(a, "扣分项").indicator_id
    bonus = score_of(a, "表彰").indicator_id
    error = refused(
        sa.assessment_review,
        actor=personas.committee_admin,
        assessment=a,
        finals={manual: {"points": "15"}, deduction: {"occurrences": "3"}},
    )
    fields = [f for f, _ in error.errors]
    assert fields == [f"reason_{manual}", f"reason_{deduction}"]
    assert "请填写调整理由" in error.message
    a.refresh_from_db()
    assert (a.status, a.final_total) == ("submitted", None)
    assert score_of(a, "人工项").final_points is None
    bad = refused(
        sa.assessment_review,
        actor=personas.committee_admin,
        assessment=a,
        finals={manual: {"points": "25", "reason": "x"}},
    )
    assert bad.field == f"final_{manual}" and "不能超过" in bad.message
    sa.assessment_review(
        actor=personas.committee_admin,
        assessment=a,
        finals={
            manual: {"points": "15", "reason": "台账不全"},
            deduction: {"occurrences": "3", "reason": "核实为3次"},
            bonus: {"points": "10"},
        },
        note="总体较好",
    )
    a.refresh_from_db()
    # 15 + max(10 - 12, 0) + 10 + 20 + 10
    assert (a.status, a.final_total, a.review_note) == ("reviewed", Decimal("55.00"), "总体较好")
    item = score_of(a, "扣分项")
    assert (item.final_points, item.final_occurrences, item.final_reason) == (
        Decimal("0.00"),
        3,
        "核实为3次",
    )
    assert score_of(a, "党员大会").final_points == Decimal("10.00")  # kept the self score
    entry = AuditEntry.objects.get(action="assessment.assessment.reviewed")
    assert entry.changes["final_total"] == "55.00"


def test_category_subtotals_are_capped_and_the_bonus_adds_on_top(tree):
    scheme = ss.scheme_create(actor=None, owner=tree.root, year=YEAR, name="封顶", target="branch")
    cat = ss.indicator_add(actor=None, scheme=scheme, title="类", max_points="10", is_category=True)
    a1 = ss.indicator_add(
        actor=None, scheme=scheme, parent=cat, title="a", max_points="6", method="manual"
    )
    a2 = ss.indicator_add(
        actor=None, scheme=scheme, parent=cat, title="b", max_points="4", method="manual"
    )
    bonus = ss.indicator_add(
        actor=None, scheme=scheme, title="加分", max_points="5", is_category=True, is_bonus=True
    )
    b1 = ss.indicator_add(
        actor=None, scheme=scheme, parent=bonus, title="c", max_points="5", method="manual"
    )
    nodes = sel.scheme_tree(scheme)
    result = sel.totals(nodes, {a1.pk: Decimal("6"), a2.pk: Decimal("4"), b1.pk: Decimal("3")})
    assert (result.base, result.bonus, result.total) == (Decimal("10"), Decimal("3"), Decimal("13"))
    # a category whose maximum was lowered below what its children hold caps the subtotal
    Indicator.objects.filter(pk=cat.pk).update(max_points=Decimal("8"))
    result = sel.totals(
        sel.scheme_tree(scheme), {a1.pk: Decimal("6"), a2.pk: Decimal("4"), b1.pk: None}
    )
    assert (result.total, result.subtotals[cat.pk], result.missing) == (Decimal("8"), 8, 1)


def test_return_then_resubmit(tree, personas):
    _scheme, a = _submitted(tree)
    error = refused(sa.assessment_return, actor=personas.committee_admin, assessment=a, reason="")
    assert error.field == "reason"
    sa.assessment_return(actor=personas.committee_admin, assessment=a, reason="佐证材料不足")
    a.refresh_from_db()
    assert (a.status, a.review_note) == ("returned", "佐证材料不足")
    sa.score_self_set(actor=personas.secretary_a, score=score_of(a, "人工项"), points="17")
    sa.assessment_submit(actor=personas.secretary_a, assessment=a)
    a.refresh_from_db()
    assert (a.status, a.self_total) == ("submitted", Decimal("63.00"))


def test_nobody_reviews_his_own_org(tree, personas):
    """A unit admin may run a scheme of his unit, but an assessment of his own 党组 under it
    (a grant inside the assessed org's subtree) is not his to review."""
    scheme = small_scheme(tree.party_group_a, target="branch")
    ss.scheme_publish(actor=personas.unit_admin, scheme=scheme)
    own = small_scheme(tree.root, target="unit", name="单位")
    ss.scheme_publish(actor=None, scheme=own)
    a_unit = Assessment.objects.unscoped().get(scheme=own, org=tree.party_group_a)
    a_branch = Assessment.objects.unscoped().get(scheme=scheme, org=tree.branch_a)
    assert sel.can_review(personas.unit_admin, a_branch)
    assert not sel.can_review(personas.unit_admin, a_unit)  # no grant on the 工委 anyway
    assert sel.can_review(personas.committee_admin, a_unit)
    # a scheme of the 党组 that assessed the 党组 itself: refused at publishing
    error = refused(
        ss.scheme_publish,
        actor=personas.unit_admin,
        scheme=small_scheme(tree.party_group_a, name="自己"),
        orgs=[tree.party_group_a],
    )
    assert error.field == "orgs"
    with pytest.raises(Http404):
        sel.access_assessment(personas.secretary_a, a_branch.pk, need="review")


# --------------------------------------------------------------------------- evidence


PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n%%EOF\n"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "media"


def test_evidence_file_meeting_and_link(tree, personas, media):
    _scheme, a = published(tree)
    score = score_of(a, "人工项")
    upload = SimpleUploadedFile("自查报告.pdf", PDF, content_type="application/pdf")
    e = sa.evidence_add(actor=personas.secretary_a, score=score, kind="file", uploaded_file=upload)
    assert (e.title, e.content_type, e.size) == ("自查报告.pdf", "application/pdf", len(PDF))
    assert e.file.name.startswith(f"assessment/{a.pk}/")
    bad = SimpleUploadedFile("照片.jpg", b"MZ\x90\x00" + b"\x00" * 100)
    error = refused(
        sa.evidence_add, actor=personas.secretary_a, score=score, kind="file", uploaded_file=bad
    )
    assert error.field == "file" and "只能上传" in error.message

    meeting = hold(tree.branch_a, "theme_day", dt.date(YEAR, 5, 1), topic="参观红色教育基地")
    m = sa.evidence_add(actor=personas.secretary_a, score=score, kind="meeting", meeting=meeting)
    assert "参观红色教育基地" in m.title and m.meeting_id == meeting.pk
    other = hold(tree.branch_b, "theme_day", dt.date(YEAR, 5, 2))
    error = refused(
        sa.evidence_add, actor=personas.secretary_a, score=score, kind="meeting", meeting=other
    )
    assert error.field == "meeting"

    link = sa.evidence_add(
        actor=personas.secretary_a, score=score, kind="link", url="/orglife/?org=3", title="台账"
    )
    assert link.url == "/orglife/?org=3"
    for url in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)", "/a b"):
        error = refused(
            sa.evidence_add, actor=personas.secretary_a, score=score, kind="link", url=url
        )
        assert error.field == "url"
    assert Evidence.objects.unscoped().filter(score=score).count() == 3

    handle = sa.evidence_open(actor=personas.committee_admin, evidence=e)
    assert handle.read() == PDF
    handle.close()
    with pytest.raises(Http404):
        sa.evidence_open(actor=personas.secretary_b, evidence=e)
    assert AuditEntry.objects.filter(action="assessment.evidence.downloaded").count() == 1
    sa.evidence_remove(actor=personas.secretary_a, evidence=e)
    assert not Evidence.objects.unscoped().filter(pk=e.pk).exists()


def test_refresh_stores_auto_points_for_the_assessed_subtree(tree):
    _scheme, a = published(tree)
    hold(tree.branch_a, "member_assembly", dt.date(YEAR, 2, 1))
    hold(tree.branch_a, "member_assembly", dt.date(YEAR, 9, 1))
    assert sa.assessment_refresh_auto(actor=None, assessment=a, today=AFTER) == 2
    item = score_of(a, "党员大会")
    assert (item.auto_points, item.auto_at is not None) == (Decimal("10.00"), True)
    b = Assessment.objects.unscoped().get(scheme=a.scheme, org=tree.branch_b)
    from dangjian.assessment.models import Scheme

    scheme = Scheme.objects.unscoped().get(pk=a.scheme_id)
    assert sa.scheme_refresh_auto(actor=None, scheme=scheme, today=AFTER) == 3
    assert score_of(b, "党员大会").auto_points == Decimal("6.00")  # both halves missed
    assert score_of(b, "主题党日").auto_points == Decimal("0.00")
