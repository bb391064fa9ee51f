from django.urls import path

from spinepath.outcomes import event_views, views

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
    path("events/", event_views.event_queue, name="events"),
    path("events/<str:event_id>/", event_views.event_detail, name="event"),
    path("events/<str:event_id>/confirm/", event_views.event_confirm, name="event_confirm"),
    path("events/<str:event_id>/reject/", event_views.event_reject, name="event_reject"),
]
