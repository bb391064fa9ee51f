from django.urls import path

from spinepath.recovery import views, views_course

app_name = "recovery"
urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("alerts/<str:alert_id>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("alerts/<str:alert_id>/resolve/", views.resolve, name="resolve"),
    path("alerts/<str:alert_id>/", views.alert_detail, name="alert"),
    path("alerts/<str:alert_id>/notes/", views.add_note, name="add_note"),
    path("photos/<str:photo_id>/", views.wound_photo, name="photo"),
    path("episodes/<str:episode_id>/recovery/", views_course.episode_recovery, name="episode"),
    path("episodes/<str:episode_id>/milestones/", views_course.record_milestone, name="milestone"),
]
