from django.urls import path

from spinepath.patients import views

app_name = "patients"
urlpatterns = [
    path("patients/", views.patient_list, name="list"),
    path("patients/new/", views.patient_create, name="create"),
    path("patients/<str:patient_id>/", views.patient_detail, name="patient"),
    path("patients/<str:patient_id>/episodes/new/", views.episode_create, name="episode_create"),
    path("episodes/<str:episode_id>/", views.episode_detail, name="episode"),
]
