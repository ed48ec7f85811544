"""The Word documents of 发展党员, generated from the records (architecture §5: never typed):

- `publicity_notice` — 发展对象公示 (step 确定发展对象前公示, R-DEV-08): the person, the activist
  date, the branch, the 公示 period in working days (R-GEN-04 calendar), where to object;
- `assembly_list` — the list for the 支部党员大会 (acceptance, step 15; conversion, step 23):
  the candidates of the branch waiting for the same meeting, with introducers, political
  review, training and pre-review (or acceptance, probation end, oath, application);
- `conversion_summary` — 转正情况汇总 (step 22): acceptance, approval, probation end,
  assessments, oath, extension, the conversion vote.

Each kind has a built-in template (documents_docx.py, built in code); a unit admin may upload
a .docx with `{{占位符}}` for an org (`document_template_upload`), used for the org's subtree
where no lower org has its own. `PLACEHOLDERS` lists the names for the upload page."""

from __future__ import annotations

import datetime as dt
import io

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from dangjian.core.access import can, deny, scope_q
from dangjian.core.audit import audit
from dangjian.core.errors import AppError
from dangjian.core.permissions import Cap
from dangjian.orglife.services_attachments import clean_name, read_document
from dangjian.orgs.models import Org
from dangjian.recruitment import documents_docx as docx_
from dangjian.recruitment.documents_values import PLACEHOLDERS, document_values
from dangjian.recruitment.forms import DOCUMENT_KINDS
from dangjian.recruitment.models import Candidate, DocumentTemplate
from dangjian.recruitment.selectors import may_read

TEMPLATE_MAX_BYTES = 5 * 1024 * 1024

# ---------------------------------------------------------------------------------------------
# Templates: lookup, upload, removal


def _ancestor_paths(path: str) -> list[str]:
    parts = path.strip("/").split("/")
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def template_for(candidate: Candidate, kind: str) -> DocumentTemplate | None:
    """The uploaded template of the nearest org above (or at) the candidate's branch."""
    found = list(
        DocumentTemplate.objects.unscoped().filter(
            kind=kind, org_path__in=_ancestor_paths(candidate.org_path)
        )
    )
    return max(found, key=lambda t: len(t.org_path)) if found else None


def _check_kind(kind: str) -> None:
    if kind not in DOCUMENT_KINDS:
        raise AppError("请选择文书种类。", field="kind")


def document_render(
    *, actor, candidate: Candidate, kind: str, today: dt.date | None = None
) -> tuple[bytes, str]:
    """The Word document of `kind` for the candidate, from the records, as (bytes, file
    name); audited `recruitment.document.generated` (it carries personal data)."""
    from docx import Document

    if kind not in DOCUMENT_KINDS:
        raise deny()
    # who may read the candidate: recruit.manage on the branch, or recruit.approve strictly
    # above it (an approval grant on the branch itself does not count, R-DEV-12/17/22)
    if actor is not None and not may_read(actor, candidate):
        raise deny()
    today = today or timezone.localdate()
    values, rows, purpose = document_values(candidate, kind, today)
    template = template_for(candidate, kind)
    if template is not None:
        with template.file.open("rb") as handle:
            document = Document(handle)
    elif kind == "publicity_notice":
        document = docx_.builtin_publicity_notice()
    elif kind == "assembly_list":
        document = docx_.builtin_assembly_list(purpose)
    else:
        document = docx_.builtin_conversion_summary()
    docx_.fill(document, values, rows)
    document.core_properties.title = f"{DOCUMENT_KINDS[kind]}-{candidate.name}"
    document.core_properties.author = getattr(actor, "username", "") or "机关党建"
    data = docx_.to_bytes(document)
    with transaction.atomic():
        audit(
            actor,
            "recruitment.document.generated",
            candidate,
            org_path=candidate.org_path,
            changes={"kind": kind, "template": template.pk if template else None},
        )
    return data, f"{DOCUMENT_KINDS[kind]}-{candidate.name}.docx"


def template_orgs(user) -> list[Org]:
    """The orgs for which the user may upload templates (RECRUIT_APPROVE: unit and committee
    admins), top first, branches excluded (a branch uses its committee's template)."""
    return list(
        Org.objects.visible_to(user, Cap.RECRUIT_APPROVE)
        .filter(dissolved_on__isnull=True)
        .exclude(kind="branch")
        .order_by("path")[:500]
    )


def templates_of(user) -> list[DocumentTemplate]:
    return list(
        DocumentTemplate.objects.unscoped()
        .filter(scope_q(user, Cap.RECRUIT_APPROVE, "org_path"))
        .select_related("org", "uploaded_by")
        .order_by("org_path", "kind")
    )


def access_template(user, template_id) -> DocumentTemplate:
    try:
        template_id = int(template_id)
    except (TypeError, ValueError):
        raise deny() from None
    template = (
        DocumentTemplate.objects.unscoped().select_related("org").filter(pk=template_id).first()
    )
    if template is None or not can(user, Cap.RECRUIT_APPROVE, template.org_path):
        raise deny()
    return template


def _read_template(uploaded_file, kind: str) -> tuple[bytes, list[str]]:
    from docx import Document

    data, _type, _ext = read_document(
        uploaded_file,
        limit=TEMPLATE_MAX_BYTES,
        allowed={"docx"},
        wrong_type="模板只能是 Word 文档（.docx）。",
    )
    try:
        document = Document(io.BytesIO(data))
    except Exception:  # python-docx raises several kinds on a broken package
        raise AppError(
            "无法读取该 Word 文档，请用 Word 另存为 .docx 后重新上传。", field="file"
        ) from None
    known = {name for name, _ in PLACEHOLDERS[kind]}
    used = docx_.placeholders_in(document)
    unknown = sorted(used - known)
    if unknown:
        names = "、".join("{{" + n + "}}" for n in unknown[:5])
        raise AppError(
            f"模板中有无法识别的占位符：{names}。请对照本页列出的占位符修改。", field="file"
        )
    if not used:
        raise AppError(
            "模板中没有任何占位符（如 {{姓名}}），生成的文书将不含档案数据。", field="file"
        )
    return data, sorted(used)


@transaction.atomic
def document_template_upload(*, actor, org: Org, kind: str, uploaded_file) -> DocumentTemplate:
    """Set the .docx template of `kind` for `org` and its subtree (replacing the org's own
    earlier one). RECRUIT_APPROVE on the org; a file that is not a readable .docx, or that
    uses unknown placeholders, is refused at `file` and nothing is stored."""
    if org is None:
        raise AppError("请选择适用组织。", field="org")
    if actor is not None and not can(actor, Cap.RECRUIT_APPROVE, org.path):
        raise deny()
    _check_kind(kind)
    if not org.is_active:
        raise AppError("该组织已撤销。", field="org")
    data, used = _read_template(uploaded_file, kind)
    template = (
        DocumentTemplate.objects.unscoped().select_for_update().filter(org=org, kind=kind).first()
    )
    old_name = template.file.name if template else ""
    if template is None:
        template = DocumentTemplate(org=org, kind=kind, org_path=org.path)
    template.original_name = clean_name(getattr(uploaded_file, "name", ""), "模板.docx")
    template.uploaded_by = actor if getattr(actor, "pk", None) else None
    template.uploaded_at = timezone.now()
    template.file.save("template.docx", ContentFile(data), save=False)
    try:
        if template.pk is None:
            template.save()
        else:
            template.save(update_fields=["file", "original_name", "uploaded_by", "uploaded_at"])
        audit(
            actor,
            "recruitment.template.uploaded",
            template,
            org_path=org.path,
            changes={
                "kind": kind,
                "org": org.pk,
                "name": template.original_name,
                "size": len(data),
                "placeholders": used,
                "replaced": bool(old_name),
            },
        )
    except BaseException:
        template.file.delete(save=False)
        raise
    if old_name:
        storage = template.file.storage
        transaction.on_commit(lambda: storage.delete(old_name))
    return template


@transaction.atomic
def document_template_remove(*, actor, template: DocumentTemplate) -> None:
    """Go back to the built-in (or a higher org's) template."""
    if actor is not None and not can(actor, Cap.RECRUIT_APPROVE, template.org_path):
        raise deny()
    storage, name = template.file.storage, template.file.name
    changes = {"kind": template.kind, "org": template.org_id, "name": template.original_name}
    org_path = template.org_path
    template.delete()
    audit(actor, "recruitment.template.removed", None, org_path=org_path, changes=changes)
    transaction.on_commit(lambda: storage.delete(name))


# ---------------------------------------------------------------------------------------------
# The material attached to a step (StepEvent.document)


def step_document_open(*, actor, event):
    """Open the material attached to a step, for someone who may read the candidate
    (selectors.access_event checked it; checked again here); audited
    `recruitment.document.downloaded`. FileNotFoundError when the file is gone."""
    from dangjian.recruitment import selectors as sel

    candidate = event.candidate
    if actor is not None and not sel.may_read(actor, candidate):
        raise deny()
    if not event.document:
        raise FileNotFoundError(event.pk)
    handle = event.document.open("rb")
    audit(
        actor,
        "recruitment.document.downloaded",
        candidate,
        org_path=candidate.org_path,
        changes={"event": event.pk, "step": event.step, "name": event.document_name},
    )
    return handle
