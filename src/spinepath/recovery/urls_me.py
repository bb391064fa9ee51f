from django.urls import path

from spinepath.recovery import views

app_name = "recovery_me"
urlpatterns = [
    path("checkin/", views.checkin, name="checkin"),
]
