"""/study/library/…, /study/banks/…, /study/quizzes/…, /study/attempts/…: the materials
library and the self-tests (namespace `study`, set in study/urls.py)."""

from django.urls import path

from dangjian.study import views_library as v

urlpatterns = [
    path("library/", v.library, name="library"),
    path("library/new/", v.material_new, name="material_new"),
    path("library/<int:material_id>/", v.material, name="material"),
    path("library/<int:material_id>/file/", v.material_file, name="material_file"),
    path("library/<int:material_id>/complete/", v.material_complete, name="material_complete"),
    path("library/<int:material_id>/assign/", v.material_assign, name="material_assign"),
    path("library/<int:material_id>/retire/", v.material_retire, name="material_retire"),
    path(
        "library/assignments/<int:assignment_id>/remove/",
        v.assignment_remove,
        name="assignment_remove",
    ),
    path(
        "library/assignments/<int:assignment_id>/export/",
        v.material_progress_export,
        name="material_progress_export",
    ),
    path("banks/", v.banks, name="banks"),
    path("banks/template/", v.bank_template, name="bank_template"),
    path("banks/<int:bank_id>/", v.bank, name="bank"),
    path("banks/<int:bank_id>/questions/", v.bank_question_add, name="bank_question_add"),
    path("banks/<int:bank_id>/import/", v.bank_import, name="bank_import"),
    path("questions/<int:question_id>/retire/", v.question_retire, name="question_retire"),
    path("quizzes/", v.quiz_list, name="quizzes"),
    path("quizzes/new/", v.quiz_new, name="quiz_new"),
    path("quizzes/<int:quiz_id>/", v.quiz, name="quiz"),
    path("quizzes/<int:quiz_id>/start/", v.quiz_start, name="quiz_start"),
    path("quizzes/<int:quiz_id>/export/", v.quiz_results_export, name="quiz_results_export"),
    path("attempts/<int:attempt_id>/", v.quiz_take, name="quiz_take"),
    path("attempts/<int:attempt_id>/result/", v.attempt_result, name="attempt_result"),
]
