from django.urls import path

from spinepath.surgery import plan_views, views

app_name = "surgery"
urlpatterns = [
    path("episodes/<str:episode_id>/surgery/new/", views.case_create, name="case_create"),
    path("cases/<str:case_id>/", views.case_detail, name="case"),
    path(
        "cases/<str:case_id>/readiness/",
        views.discharge_assessment_create,
        name="readiness",
    ),
    path("cases/<str:case_id>/discharge/", views.discharge, name="discharge"),
    path("cases/<str:case_id>/pacu/", views.pacu_assessment_create, name="pacu"),
    path("day-surgery/", views.day_surgery_board, name="board"),
    path("cases/<str:case_id>/plan/", plan_views.plan_edit, name="plan"),
    path("cases/<str:case_id>/plan.pdf", plan_views.plan_pdf, name="plan_pdf"),
]
