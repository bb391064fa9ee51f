from django.contrib import admin
from django.urls import include, path

from spinepath.api import api
from spinepath.views import healthz, home

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("screen/", include("spinepath.intake.urls_screen")),
    path("accounts/", include("spinepath.accounts.urls")),
    path("me/", include("spinepath.patients.urls_me")),
    path("me/", include("spinepath.recovery.urls_me")),
    path("me/", include("spinepath.outcomes.urls_me")),
    path("clinic/", include("spinepath.recovery.urls")),
    path("clinic/", include("spinepath.patients.urls")),
    path("clinic/", include("spinepath.intake.urls")),
    path("clinic/", include("spinepath.surgery.urls")),
    path("clinic/", include("spinepath.outcomes.urls")),
    path("registry/", include("spinepath.registry.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]

handler404 = "spinepath.views.not_found"
handler500 = "spinepath.views.server_error"
