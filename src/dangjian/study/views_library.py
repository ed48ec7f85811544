"""Pages of the materials library and the self-tests: the library by topic (a member's
assigned materials first, with his progress), a material (file, link, "标记为已学完", and for
managers the reading progress of the assigned orgs with its export), the forms to publish and
assign; question banks (questions, the add form, the xlsx import with its per-row errors, the
template); tests (list, form, results and rankings for managers, start and result for a
member), the phone-first test page and the result with the wrong answers reviewed. Thin:
parse, access check, one service or selector."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dangjian.core.access import can, deny
from dangjian.core.errors import AppError
from dangjian.core.exporters import export_start
from dangjian.core.forms import call_service
from dangjian.core.permissions import Cap
from dangjian.core.views_export import file_response, outcome_response
from dangjian.orgs.selectors import access_org
from dangjian.study import exporters_library  # noqa: F401  (registers the exports)
from dangjian.study import forms_library as f
from dangjian.study import selectors_library as sel
from dangjian.study import selectors_quiz as qsel
from dangjian.study import services_library as lib
from dangjian.study import services_quiz as quizzes
from dangjian.study.models import MaterialKind, Topic
from dangjian.study.quiz_import import QuestionImportError, answer_text, template_bytes

MANAGE = Cap.STUDY_MANAGE
PAGE_SIZE = 20
ROWS_PAGE_SIZE = 50


def _flags(user) -> dict:
    return {"manage": sel.manages_any(user), "member": sel.member_of(user) is not None}


def _require_library(user) -> None:
    if not sel.uses_library(user):
        raise deny()


def _require_manager(user) -> None:
    if not sel.manages_any(user):
        raise deny()


def _org(request, value, *, field="org"):
    """The org chosen in a form: one the user keeps study for (404 otherwise)."""
    if value in (None, ""):
        raise AppError("请选择组织。", field=field)
    return access_org(request.user, value, need=MANAGE)


def _too_large(request, form) -> bool:
    request.FILES  # noqa: B018 (parse now: core.uploads bounds what is read)
    size = getattr(request, "upload_too_large", 0)
    if size:
        form.add_error("file", lib.too_large_message(size))
        return True
    return False


# ---------------------------------------------------------------------------------------------
# The library


@require_GET
def library(request):
    """学习资料: by topic, filtered by topic, kind and title; a member's assigned ones first."""
    user = request.user
    _require_library(user)
    g = request.GET
    topic = Topic.objects.filter(pk=sel._int(g.get("topic"))).first() if g.get("topic") else None
    kind = g.get("kind") if g.get("kind") in MaterialKind.values else ""
    q = g.get("q", "").replace("\x00", "").strip()[:50]
    retired = g.get("retired") == "1" and sel.manages_any(user)
    listing = sel.library_page(user, topic=topic, kind=kind, q=q, retired=retired)
    page = Paginator(listing.rows, PAGE_SIZE).get_page(g.get("page"))
    return render(
        request,
        "study/library/library.html",
        {
            "listing": listing,
            "page": page,
            "rows": sel.library_rows(user, list(page.object_list)),
            "topic": topic,
            "kind": kind,
            "kinds": MaterialKind.choices,
            "q": q,
            "retired": retired,
            "flags": _flags(user),
        },
    )


def _material_context(request, material, **extra) -> dict:
    user = request.user
    member = sel.member_of(user)
    progress = sel.progress_of(member, [material.pk]).get(material.pk)
    assignments = sel.assignments_of(user, material)
    for a in assignments:
        a.material = material
        a.removable = sel.may_change_assignment(user, a)
    context = {
        "material": material,
        "member": member,
        "progress": progress,
        "status": sel.progress_status(progress),
        "status_label": sel.PROGRESS_LABELS[sel.progress_status(progress)],
        "readable": member is not None and lib.in_library_of(member, material.org_path),
        "due_on": sel.my_due_on(user, material),
        "assignments": assignments,
        "can_manage": can(user, MANAGE, material.org_path),
        "flags": _flags(user),
    }
    if context["flags"]["manage"] and assignments:
        chosen = sel._int(request.GET.get("assignment"))
        current = next((a for a in assignments if a.pk == chosen), None)
        current = current or assignments[0]
        if current is not None:
            only_open = request.GET.get("open") == "1"
            rows = sel.assignment_rows(user, current, only_open=only_open)
            page = Paginator(rows, ROWS_PAGE_SIZE).get_page(request.GET.get("page"))
            for row in page.object_list:
                row.status = sel.row_status(row)
                row.status_label = sel.PROGRESS_LABELS[row.status]
            context.update(
                current=current,
                summary=sel.assignment_summary(user, current),
                by_org=sel.assignment_by_org(user, current),
                page=page,
                only_open=only_open,
            )
    context.update(extra)
    return context


@require_GET
def material(request, material_id):
    material = sel.access_material(request.user, material_id)
    member = sel.member_of(request.user)
    if member is not None and material.is_active and lib.in_library_of(member, material.org_path):
        # opening the page is starting to read it (once; later visits change nothing)
        lib.reading_open(actor=request.user, material=material)
    return render(request, "study/library/material.html", _material_context(request, material))


@require_GET
def material_file(request, material_id):
    """The file, served only through the access check, under its original name."""
    material = sel.access_material(request.user, material_id)
    try:
        handle = lib.material_open_file(actor=request.user, material=material)
    except FileNotFoundError:
        raise deny() from None
    inline = request.GET.get("inline") == "1" and material.kind == MaterialKind.VIDEO
    response = FileResponse(
        handle,
        as_attachment=not inline,
        filename=material.file_name or "学习资料",
        content_type=lib.content_type_of(material.file_name),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
def material_complete(request, material_id):
    """标记为已学完 (htmx swaps the progress box; a plain post goes back to the page)."""
    material = sel.access_material(request.user, material_id)
    progress = lib.reading_complete(actor=request.user, material=material)
    if request.htmx:
        return render(
            request,
            "study/library/_progress.html",
            {
                "material": material,
                "progress": progress,
                "status": sel.progress_status(progress),
                "status_label": sel.PROGRESS_LABELS[sel.progress_status(progress)],
                "readable": True,
            },
        )
    messages.success(request, f"已完成学习“{material.title}”。")
    return redirect("study:material", material_id=material.pk)


@require_http_methods(["GET", "POST"])
def material_new(request):
    user = request.user
    _require_manager(user)
    orgs = sel.manage_orgs(user)
    if request.method == "GET":
        initial = {"org": str(orgs[0].pk)} if len(orgs) == 1 else {}
        form = f.MaterialForm(orgs=orgs, initial={**initial, "minutes": 10})
        return _material_form(request, form)
    form = f.MaterialForm(request.POST, request.FILES, orgs=orgs)
    if not _too_large(request, form) and form.is_valid():
        data = form.cleaned_data
        org = access_org(user, data["org"], need=MANAGE)
        created = call_service(
            form,
            lib.material_create,
            actor=user,
            org=org,
            topic=data["topic"],
            title=data["title"],
            description=data["description"],
            kind=data["kind"],
            file=data["file"],
            url=data["url"],
            minutes=data["minutes"],
        )
        if created is not None:
            messages.success(request, f"已发布学习资料“{created.title}”。")
            return redirect("study:material", material_id=created.pk)
    return _material_form(request, form, status=400)


def _material_form(request, form, status=200):
    return render(
        request,
        "study/library/material_form.html",
        {"form": form, "max_size": lib.megabytes(lib.max_bytes()), "flags": _flags(request.user)},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def material_assign(request, material_id):
    """布置必学: to the material's org or one below it that the user keeps study for."""
    user = request.user
    material = sel.access_material(user, material_id)
    _require_manager(user)
    orgs = [o for o in sel.manage_orgs(user) if o.path.startswith(material.org_path)]
    if not orgs:
        raise deny()
    if request.method == "GET":
        form = f.AssignForm(orgs=orgs, initial={"org": str(orgs[0].pk)})
        status = 200
    else:
        form = f.AssignForm(request.POST, orgs=orgs)
        status = 400
        if form.is_valid():
            org = access_org(user, form.cleaned_data["org"], need=MANAGE)
            done = call_service(
                form,
                lib.material_assign,
                actor=user,
                material=material,
                org=org,
                due_on=form.cleaned_data["due_on"],
            )
            if done is not None:
                messages.success(
                    request, f"已布置给{org.name}，完成期限{done.due_on:%Y年%m月%d日}。"
                )
                return redirect(
                    f"{reverse('study:material', args=[material.pk])}?assignment={done.pk}"
                )
    return render(
        request,
        "study/library/assign.html",
        {"material": material, "form": form, "flags": _flags(user)},
        status=status,
    )


@require_POST
def material_retire(request, material_id):
    material = sel.access_material(request.user, material_id, need=MANAGE)
    lib.material_retire(actor=request.user, material=material)
    messages.success(request, f"已停用“{material.title}”，党员不再看到它。")
    return redirect("study:library")


@require_POST
def assignment_remove(request, assignment_id):
    assignment = sel.access_assignment(request.user, assignment_id)
    lib.assignment_remove(actor=request.user, assignment=assignment)
    messages.success(request, f"已撤销对{assignment.org.name}的必学安排。")
    return redirect("study:material", material_id=assignment.material_id)


@require_POST
def material_progress_export(request, assignment_id):
    outcome = export_start(
        actor=request.user,
        identifier="study.reading_progress",
        params={"assignment": assignment_id},
        fmt="xlsx",
    )
    return outcome_response(outcome)


# ---------------------------------------------------------------------------------------------
# Question banks


@require_http_methods(["GET", "POST"])
def banks(request):
    """题库: the banks the user keeps and the form for a new one."""
    user = request.user
    _require_manager(user)
    orgs = sel.manage_orgs(user)
    if request.method == "POST":
        form = f.BankForm(request.POST, orgs=orgs)
        if form.is_valid():
            org = access_org(user, form.cleaned_data["org"], need=MANAGE)
            bank = call_service(
                form,
                quizzes.bank_create,
                actor=user,
                org=org,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
            )
            if bank is not None:
                messages.success(request, f"已建立题库“{bank.title}”，请添加或导入试题。")
                return redirect("study:bank", bank_id=bank.pk)
        status = 400
    else:
        form = f.BankForm(orgs=orgs, initial={"org": str(orgs[0].pk)} if orgs else {})
        status = 200
    page = Paginator(qsel.bank_list(user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "study/library/banks.html",
        {"page": page, "form": form, "flags": _flags(user)},
        status=status,
    )


def _bank_page(request, bank, *, question_form=None, import_form=None, rows=None, status=200):
    retired = request.GET.get("retired") == "1"
    page = Paginator(qsel.bank_questions(bank, retired=retired), ROWS_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for q in page.object_list:
        q.answer_text = answer_text(q.kind, q.answer)
        q.lettered = list(zip("ABCDEF", q.options, strict=False))
    return render(
        request,
        "study/library/bank.html",
        {
            "bank": bank,
            "page": page,
            "retired": retired,
            "question_form": question_form or f.QuestionForm(),
            "import_form": import_form or f.ImportForm(),
            "import_rows": rows,
            "has_attempts": qsel.bank_has_attempts(bank),
            "flags": _flags(request.user),
        },
        status=status,
    )


@require_GET
def bank(request, bank_id):
    return _bank_page(request, qsel.access_bank(request.user, bank_id))


@require_POST
def bank_question_add(request, bank_id):
    bank = qsel.access_bank(request.user, bank_id)
    form = f.QuestionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        question = call_service(
            form,
            quizzes.question_add,
            actor=request.user,
            bank=bank,
            kind=data["kind"],
            text=data["text"],
            options=data["options"],
            answer=data["answer_indexes"],
            explanation=data["explanation"],
            rule_ref=data["rule_ref"],
        )
        if question is not None:
            messages.success(request, "已添加试题。")
            return redirect("study:bank", bank_id=bank.pk)
    return _bank_page(request, bank, question_form=form, status=400)


@require_POST
def bank_import(request, bank_id):
    """导入试题: all or nothing; every bad row is listed on the page."""
    bank = qsel.access_bank(request.user, bank_id)
    form = f.ImportForm({}, request.FILES)
    if _too_large(request, form):
        return _bank_page(request, bank, import_form=form, status=400)
    if form.is_valid():
        try:
            count = quizzes.bank_import(
                actor=request.user, bank=bank, uploaded_file=form.cleaned_data["file"]
            )
        except QuestionImportError as exc:
            form.add_error("file", exc.message)
            return _bank_page(request, bank, import_form=form, rows=exc.rows, status=400)
        except AppError as exc:
            form.add_error("file", exc.message)
        else:
            messages.success(request, f"已导入{count}道试题。")
            return redirect("study:bank", bank_id=bank.pk)
    return _bank_page(request, bank, import_form=form, status=400)


@require_GET
def bank_template(request):
    _require_manager(request.user)
    return file_response(
        template_bytes(),
        "试题导入模板.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@require_POST
def question_retire(request, question_id):
    question = qsel.access_question(request.user, question_id)
    quizzes.question_retire(actor=request.user, question=question)
    messages.success(request, "已停用该题，今后不再抽到。")
    return redirect("study:bank", bank_id=question.bank_id)


# ---------------------------------------------------------------------------------------------
# Self-tests


@require_GET
def quiz_list(request):
    user = request.user
    _require_library(user)
    state = request.GET.get("state", "")
    state = state if state in qsel.QUIZ_STATE_LABELS else ""
    member = sel.member_of(user)
    if member is not None:
        quizzes.attempts_close_expired(member=member)
    page = Paginator(qsel.quiz_list(user, state=state), PAGE_SIZE).get_page(request.GET.get("page"))
    attempts = qsel.attempts_of(member, [q.pk for q in page.object_list])
    now = timezone.now()
    for quiz in page.object_list:
        quiz.state = qsel.quiz_state(quiz, now)
        quiz.state_label = qsel.QUIZ_STATE_LABELS[quiz.state]
        quiz.mine = attempts.get(quiz.pk)
        quiz.mine_state = qsel.attempt_state(quiz.mine, now)
        quiz.for_me = member is not None and lib.in_library_of(member, quiz.org_path)
    return render(
        request,
        "study/library/quizzes.html",
        {
            "page": page,
            "state": state,
            "states": qsel.QUIZ_STATE_LABELS,
            "flags": _flags(user),
        },
    )


@require_http_methods(["GET", "POST"])
def quiz_new(request):
    user = request.user
    _require_manager(user)
    orgs = sel.manage_orgs(user)
    banks = qsel.banks_for_quiz(user)
    by_id = {str(b.pk): b for b in banks}
    if request.method == "GET":
        initial = f.QuizForm.default_initial()
        if len(orgs) == 1:
            initial["org"] = str(orgs[0].pk)
        wanted = request.GET.get("bank", "")
        if wanted in by_id:
            initial["bank"] = wanted
        form = f.QuizForm(orgs=orgs, banks=banks, initial=initial)
        status = 200
    else:
        form = f.QuizForm(request.POST, orgs=orgs, banks=banks)
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            org = access_org(user, data["org"], need=MANAGE)
            quiz = call_service(
                form,
                quizzes.quiz_create,
                actor=user,
                org=org,
                bank=by_id[data["bank"]],
                title=data["title"],
                question_count=data["question_count"],
                time_limit_minutes=data["time_limit_minutes"],
                pass_score=data["pass_score"],
                opens_at=data["opens_at"],
                closes_at=data["closes_at"],
            )
            if quiz is not None:
                messages.success(request, f"已发布自测“{quiz.title}”。")
                return redirect("study:quiz", quiz_id=quiz.pk)
    return render(
        request,
        "study/library/quiz_form.html",
        {"form": form, "flags": _flags(user)},
        status=status,
    )


@require_GET
def quiz(request, quiz_id):
    """A test: for a member, start or his result; for managers, the results of the members
    they keep, the ranking per branch and the best members."""
    user = request.user
    quiz = qsel.access_quiz(user, quiz_id)
    now = timezone.now()
    member = sel.member_of(user)
    mine = qsel.attempts_of(member, [quiz.pk]).get(quiz.pk)
    context = {
        "quiz": quiz,
        "state": qsel.quiz_state(quiz, now),
        "state_label": qsel.QUIZ_STATE_LABELS[qsel.quiz_state(quiz, now)],
        "for_me": member is not None and lib.in_library_of(member, quiz.org_path),
        "mine": mine,
        "mine_state": qsel.attempt_state(mine, now),
        "flags": _flags(user),
        "can_manage": can(user, MANAGE, quiz.org_path),
    }
    if context["flags"]["manage"]:
        quizzes.attempts_close_expired(quiz=quiz, now=now)
        page = Paginator(qsel.quiz_results(user, quiz, now=now), ROWS_PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        for a in page.object_list:
            a.state = qsel.attempt_state(a, now)
            a.state_label = qsel.ATTEMPT_LABELS[a.state]
        context.update(
            summary=qsel.quiz_summary(user, quiz, now=now),
            ranking=qsel.quiz_ranking(user, quiz, now=now),
            top=qsel.quiz_top(user, quiz, now=now),
            page=page,
        )
    return render(request, "study/library/quiz.html", context)


@require_POST
def quiz_start(request, quiz_id):
    quiz = qsel.access_quiz(request.user, quiz_id)
    attempt = quizzes.quiz_start(actor=request.user, quiz=quiz)
    return redirect("study:quiz_take", attempt_id=attempt.pk)


def _own_attempt(request, attempt_id):
    attempt = qsel.access_attempt(request.user, attempt_id)
    member = sel.member_of(request.user)
    if member is None or member.pk != attempt.member_id:
        raise deny()
    return attempt


@require_http_methods(["GET", "POST"])
def quiz_take(request, attempt_id):
    """答题 on a phone: one question per card, a countdown (static/study/quiz.js); the
    answer sheet is posted here."""
    attempt = _own_attempt(request, attempt_id)
    result_url = reverse("study:attempt_result", args=[attempt.pk])
    if request.method == "POST":
        answers = f.answers_from_post(request.POST, attempt.question_ids)
        try:
            quizzes.quiz_submit(actor=request.user, attempt=attempt, answers=answers)
        except AppError as exc:
            if exc.message.startswith(quizzes.LATE) or exc.message == quizzes.TWICE:
                messages.error(request, exc.message)
                return redirect(result_url)
            raise
        messages.success(request, "已交卷。")
        return redirect(result_url)
    if qsel.attempt_state(attempt) != qsel.RUNNING:
        return redirect(result_url)
    questions = qsel.attempt_questions(attempt)
    for n, q in enumerate(questions, start=1):
        q.number = n
        q.lettered = list(zip("ABCDEF", q.options, strict=False))
    return render(
        request,
        "study/library/take.html",
        {
            "attempt": attempt,
            "quiz": attempt.quiz,
            "questions": questions,
            "seconds_left": max(int((attempt.deadline_at - timezone.now()).total_seconds()), 0),
        },
    )


@require_GET
def attempt_result(request, attempt_id):
    attempt = qsel.access_attempt(request.user, attempt_id)
    now = timezone.now()
    state = qsel.attempt_state(attempt, now)
    own = getattr(sel.member_of(request.user), "pk", None) == attempt.member_id
    level = qsel.review_level(request.user, attempt, now) if state != qsel.RUNNING else None
    review = qsel.attempt_review(attempt, level) if level else []
    return render(
        request,
        "study/library/result.html",
        {
            "attempt": attempt,
            "quiz": attempt.quiz,
            "state": state,
            "state_label": qsel.ATTEMPT_LABELS[state],
            "timed_out": qsel.timed_out(attempt),
            "own": own,
            "review": review,
            "wrong": [r for r in review if not r.correct],
            "level": level,
            "answers_shown": level == qsel.REVIEW_FULL,
            "answers_later": qsel.ANSWERS_LATER,
            "flags": _flags(request.user),
        },
    )


@require_POST
def quiz_results_export(request, quiz_id):
    outcome = export_start(
        actor=request.user, identifier="study.quiz_results", params={"quiz": quiz_id}, fmt="xlsx"
    )
    return outcome_response(outcome)
