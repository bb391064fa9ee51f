from django.urls import path

from spinepath.outcomes import views

app_name = "outcomes"
urlpatterns = [
    path(
        "episodes/<str:episode_id>/questionnaires/new/",
        views.response_create,
        name="response_create",
    ),
    path(
        "episodes/<str:episode_id>/complications/new/",
        views.complication_create,
        name="complication_create",
    ),
    path("follow-up/", views.follow_up_queue, name="follow_up_queue"),
    path("follow-up/<str:scheduled_id>/calls/", views.record_call, name="record_call"),
]
