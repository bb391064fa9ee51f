from django.urls import path

from spinepath.recovery import views, views_course

app_name = "recovery_me"
urlpatterns = [
    path("checkin/", views.checkin, name="checkin"),
    path("photos/<str:photo_id>/", views.wound_photo, name="photo"),
    path("progress/", views_course.my_progress, name="progress"),
]
