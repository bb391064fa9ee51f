from django.urls import path

from spinepath.surgery import views

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
]
