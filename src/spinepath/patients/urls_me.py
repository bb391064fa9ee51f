from django.urls import path

from spinepath.intake import decision_views
from spinepath.patients import views_me
from spinepath.surgery import plan_views

app_name = "me"
urlpatterns = [
    path("", views_me.me_home, name="home"),
    path("plan/", plan_views.my_plan, name="plan"),
    path("plan.pdf", plan_views.my_plan_pdf, name="plan_pdf"),
    path(
        "decisions/<str:assessment_id>/", decision_views.decision_summary, name="decision_summary"
    ),
    path(
        "decisions/<str:assessment_id>/summary.pdf",
        decision_views.decision_summary_pdf,
        name="decision_summary_pdf",
    ),
]
