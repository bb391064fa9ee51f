from django.urls import path

from spinepath.intake import views

app_name = "intake"
urlpatterns = [
    path(
        "episodes/<str:episode_id>/assessments/new/",
        views.assessment_create,
        name="assessment_create",
    ),
    path("assessments/<str:assessment_id>/", views.assessment_detail, name="assessment"),
    path("assessments/<str:assessment_id>/decide/", views.assessment_decide, name="decide"),
]
