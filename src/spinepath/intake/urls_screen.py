from django.urls import path

from spinepath.intake import screen_views

app_name = "screen"
urlpatterns = [
    path("", screen_views.red_flags, name="start"),
    path("questions/", screen_views.questions, name="questions"),
    path("request/", screen_views.consultation, name="request"),
]
