from django.contrib.auth import views as auth_views
from django.urls import path

from spinepath.accounts import link_views, views

app_name = "accounts"
urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="accounts/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("home/", views.home, name="home"),
    path("link/", link_views.request_link, name="link_request"),
    # Before <token>/, which would otherwise match "sign-in".
    path("link/sign-in/", link_views.sign_in_with_link_form, name="link_sign_in_form"),
    path("link/<str:token>/", link_views.sign_in_with_link, name="link_sign_in"),
]
