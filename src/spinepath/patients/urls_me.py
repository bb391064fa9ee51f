from django.urls import path

from spinepath.intake import decision_views
from spinepath.patients import views_me

app_name = "me"
urlpatterns = [
    path("", views_me.me_home, name="home"),
    path(
        "decisions/<str:assessment_id>/", decision_views.decision_summary, name="decision_summary"
    ),
    path(
        "decisions/<str:assessment_id>/summary.pdf",
        decision_views.decision_summary_pdf,
        name="decision_summary_pdf",
    ),
]
