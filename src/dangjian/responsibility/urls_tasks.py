"""Pages of the work points and tasks under /responsibility/ (namespace `responsibility`, set
in urls.py): points/…, tasks/…, matrix/, overdue/, plan/, task-files/…"""

from django.urls import path

from dangjian.responsibility import views_tasks as v

urlpatterns = [
    path("points/", v.points, name="points"),
    path("points/new/", v.point_create, name="point_create"),
    path("points/<int:point_id>/", v.point_detail, name="point"),
    path("points/<int:point_id>/edit/", v.point_edit, name="point_edit"),
    path("points/<int:point_id>/publish/", v.point_publish, name="point_publish"),
    path("points/<int:point_id>/assign/", v.point_assign, name="point_assign"),
    path("matrix/", v.task_matrix, name="matrix"),
    path("overdue/", v.task_overdue, name="overdue"),
    path("plan/", v.task_plan, name="plan"),
    path("tasks/", v.task_list, name="tasks"),
    path("tasks/new/", v.task_create, name="task_create"),
    path("tasks/export/<str:kind>/", v.task_export, name="task_export"),
    path("tasks/<int:task_id>/", v.task_detail, name="task"),
    path("tasks/<int:task_id>/report/", v.task_report, name="task_report"),
    path("tasks/<int:task_id>/supervise/", v.task_supervise, name="task_supervise"),
    path("tasks/<int:task_id>/close/", v.task_close, name="task_close"),
    path("task-files/<int:file_id>/", v.task_file, name="task_file"),
]
