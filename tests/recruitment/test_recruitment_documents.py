"""The Word documents of 发展党员: built from the records (they open with python-docx and hold
the candidate's data), audited; replaceable templates per org (the nearest one wins, a bad
upload is refused at the field and nothing is stored), placeholders split over runs."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx import Document

from dangjian.core.models import AuditEntry
from dangjian.recruitment import documents
from dangjian.recruitment import documents_docx as docx_
from dangjian.recruitment.documents_values import cn_date
from dangjian.recruitment.models import DocumentTemplate
from tests.conftest import PASSWORD
from tests.recruitment.conftest import date_of

pytestmark = pytest.mark.django_db
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def text_of(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def docx_upload(*paragraphs: str, name="模板.docx", table_row: list[str] | None = None):
    document = Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if table_row:
        table = document.add_table(rows=2, cols=len(table_row))
        for i, text in enumerate(table_row):
            table.rows[0].cells[i].text = f"列{i}"
            table.rows[1].cells[i].text = text
    return SimpleUploadedFile(name, docx_.to_bytes(document), content_type=DOCX)


def download(client, candidate, kind):
    response = client.get(reverse("recruitment:document", args=[candidate.pk, kind]))
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == DOCX
    return b"".join(response) if response.streaming else response.content


def test_publicity_notice_holds_the_candidates_data(client, tree, personas, candidate_factory):
    c = candidate_factory(upto="prospect_publicity", name="陈小明")
    login(client, personas.secretary_a)
    audits = AuditEntry.objects.filter(action="recruitment.document.generated").count()
    text = text_of(download(client, c, "publicity_notice"))
    start = date_of("prospect_publicity")
    assert "关于拟确定陈小明同志为发展对象的公示" in text
    assert "第一党支部" in text and "男" in text
    assert cn_date(date_of("activist")) in text  # the activist day
    assert cn_date(start) in text  # the 公示 period
    assert "1996年5月" in text  # born
    assert "个工作日" in text and "（个工作日）" not in text  # the count is filled in
    assert "{{" not in text
    assert AuditEntry.objects.filter(action="recruitment.document.generated").count() == audits + 1


def test_assembly_list_names_the_candidates_with_introducers_and_reviews(
    client, tree, personas, candidate_factory
):
    c = candidate_factory(upto="volunteer_form", name="陈小明")
    other = candidate_factory(upto="pre_review", name="林同批")
    candidate_factory(upto="introducers", name="未预审")  # not ready for the meeting
    login(client, personas.secretary_a)
    text = text_of(download(client, c, "assembly_list"))
    assert "接收预备党员" in text
    assert "陈小明" in text and "林同批" in text and "未预审" not in text
    introducers = "、".join(m.name for m in c.introducers.all())
    assert introducers and introducers in text
    assert cn_date(date_of("political_review")) in text and "合格" in text
    assert "3天" in text and "24学时" in text
    assert cn_date(date_of("pre_review")) in text
    assert other.pk != c.pk


def test_conversion_summary_has_acceptance_probation_and_oath(
    client, tree, personas, candidate_factory
):
    c = candidate_factory(upto="conversion_application", name="陈小明")
    login(client, personas.secretary_a)
    text = text_of(download(client, c, "conversion_summary"))
    accepted = date_of("acceptance")
    assert "预备党员转正情况汇总表" in text and "陈小明" in text
    assert cn_date(accepted) in text
    assert cn_date(accepted.replace(year=accepted.year + 1)) in text  # probation end (R-DEV-20)
    assert cn_date(date_of("oath")) in text
    assert cn_date(date_of("probation_assessment")) in text
    assert cn_date(date_of("conversion_application")) in text


def test_an_unknown_kind_is_404(client, tree, personas, candidate_factory):
    c = candidate_factory()
    login(client, personas.secretary_a)
    url = reverse("recruitment:document", args=[c.pk, "nonsense"])
    assert client.get(url).status_code == 404


def test_a_replaced_template_is_used_for_the_subtree(client, tree, personas, candidate_factory):
    c = candidate_factory(upto="prospect_publicity", name="陈小明")
    other_unit = candidate_factory(upto="prospect_publicity", name="乙局人", branch=tree.branch_c)
    login(client, personas.unit_admin)
    response = client.post(
        reverse("recruitment:templates"),
        {
            "kind": "publicity_notice",
            "org": tree.organ_a.pk,
            "file": docx_upload("本单位公示：{{姓名}}，{{支部}}，自{{公示开始}}起。"),
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    template = DocumentTemplate.objects.unscoped().get()
    assert template.org == tree.organ_a and template.original_name == "模板.docx"
    assert AuditEntry.objects.filter(action="recruitment.template.uploaded").count() == 1
    client.logout()
    login(client, personas.secretary_a)
    text = text_of(download(client, c, "publicity_notice"))
    assert text.startswith(
        f"本单位公示：陈小明，第一党支部，自{cn_date(date_of('prospect_publicity'))}起。"
    )
    # another unit keeps the built-in template
    client.logout()
    login(client, personas.committee_admin)
    assert "本单位公示" not in text_of(download(client, other_unit, "publicity_notice"))
    assert "关于拟确定乙局人同志为发展对象的公示" in text_of(
        download(client, other_unit, "publicity_notice")
    )


def test_a_lower_template_wins_and_removing_it_falls_back(tree, personas, candidate_factory):
    c = candidate_factory(upto="prospect_publicity")
    upper = documents.document_template_upload(
        actor=personas.committee_admin,
        org=tree.root,
        kind="publicity_notice",
        uploaded_file=docx_upload("工委模板 {{姓名}}"),
    )
    lower = documents.document_template_upload(
        actor=personas.unit_admin,
        org=tree.party_group_a,
        kind="publicity_notice",
        uploaded_file=docx_upload("党组模板 {{姓名}}"),
    )
    assert documents.template_for(c, "publicity_notice") == lower
    data, name = documents.document_render(
        actor=personas.secretary_a, candidate=c, kind="publicity_notice"
    )
    assert text_of(data).startswith("党组模板 陈小明") and name.endswith(".docx")
    documents.document_template_remove(actor=personas.unit_admin, template=lower)
    assert documents.template_for(c, "publicity_notice") == upper
    assert AuditEntry.objects.filter(action="recruitment.template.removed").count() == 1


def test_repeating_rows_of_an_uploaded_assembly_list(tree, personas, candidate_factory):
    c = candidate_factory(upto="pre_review", name="陈小明")
    candidate_factory(upto="pre_review", name="林同批")
    documents.document_template_upload(
        actor=personas.unit_admin,
        org=tree.party_group_a,
        kind="assembly_list",
        uploaded_file=docx_upload(
            "{{支部}}讨论{{会议事项}}",
            table_row=["{{名单.序号}}", "{{名单.姓名}}", "{{名单.入党介绍人}}"],
        ),
    )
    data, _ = documents.document_render(
        actor=personas.secretary_a, candidate=c, kind="assembly_list"
    )
    table = Document(io.BytesIO(data)).tables[0]
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    assert rows[0] == ["列0", "列1", "列2"]
    assert [r[:2] for r in rows[1:]] == [["1", "陈小明"], ["2", "林同批"]]
    assert all(r[2] for r in rows[1:])  # introducers filled in


@pytest.mark.parametrize(
    ("upload", "text"),
    [
        (lambda: SimpleUploadedFile("a.docx", b"not a docx at all", content_type=DOCX), ".docx"),
        (lambda: docx_upload("{{不存在的占位符}}"), "无法识别的占位符"),
        (lambda: docx_upload("没有任何占位符"), "没有任何占位符"),
        (lambda: None, "请选择要上传的文件"),
    ],
)
def test_a_bad_template_is_refused_at_the_field_and_nothing_stored(
    client, tree, personas, upload, text
):
    login(client, personas.unit_admin)
    data = {"kind": "publicity_notice", "org": tree.party_group_a.pk}
    file = upload()
    if file is not None:
        data["file"] = file
    response = client.post(reverse("recruitment:templates"), data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert text in " ".join(errors.get("file", [])), errors
    assert 'data-testid="error-file"' in response.content.decode()
    assert not DocumentTemplate.objects.unscoped().exists()
    assert not AuditEntry.objects.filter(action="recruitment.template.uploaded").exists()


def test_template_for_an_org_outside_ones_scope_is_refused(client, tree, personas):
    login(client, personas.unit_admin)
    response = client.post(
        reverse("recruitment:templates"),
        {"kind": "publicity_notice", "org": tree.party_group_b.pk, "file": docx_upload("{{姓名}}")},
    )
    assert response.status_code == 400
    assert "org" in response.context["form"].errors
    assert not DocumentTemplate.objects.unscoped().exists()


def test_templates_page_lists_the_placeholders(client, tree, personas):
    login(client, personas.unit_admin)
    response = client.get(reverse("recruitment:templates"))
    html = response.content.decode()
    assert response.status_code == 200
    for name in ("{{姓名}}", "{{支部}}", "{{公示开始}}", "{{名单.姓名}}", "{{预备期满}}"):
        assert name in html
    builtin = client.get(reverse("recruitment:template_builtin", args=["publicity_notice"]))
    assert builtin.status_code == 200
    assert "{{姓名}}" in text_of(builtin.content)


def test_placeholders_split_over_runs_are_filled():
    document = Document()
    paragraph = document.add_paragraph()
    for part in ("姓名：{", "{姓", "名}", "} 支部：{{支部}}"):
        paragraph.add_run(part)
    docx_.fill(document, {"姓名": "陈小明", "支部": "第一党支部"})
    assert paragraph.text == "姓名：陈小明 支部：第一党支部"
