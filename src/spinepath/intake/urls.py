from django.urls import path

from spinepath.intake import decision_views, request_views, views

app_name = "intake"
urlpatterns = [
    path(
        "episodes/<str:episode_id>/assessments/new/",
        views.assessment_create,
        name="assessment_create",
    ),
    path("assessments/<str:assessment_id>/", views.assessment_detail, name="assessment"),
    path("assessments/<str:assessment_id>/decide/", views.assessment_decide, name="decide"),
    path(
        "assessments/<str:assessment_id>/summary/",
        decision_views.decision_summary,
        name="summary",
    ),
    path(
        "assessments/<str:assessment_id>/summary.pdf",
        decision_views.decision_summary_pdf,
        name="summary_pdf",
    ),
    path("requests/", request_views.request_queue, name="requests"),
    path("requests/<str:request_id>/", request_views.request_detail, name="request"),
    path("requests/<str:request_id>/accept/", request_views.request_accept, name="request_accept"),
    path(
        "requests/<str:request_id>/decline/", request_views.request_decline, name="request_decline"
    ),
]
