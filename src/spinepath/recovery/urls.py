from django.urls import path

from spinepath.recovery import views

app_name = "recovery"
urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("alerts/<str:alert_id>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("alerts/<str:alert_id>/resolve/", views.resolve, name="resolve"),
]
