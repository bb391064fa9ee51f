from django.urls import path

from spinepath.patients import views_me

app_name = "me"
urlpatterns = [
    path("", views_me.me_home, name="home"),
]
