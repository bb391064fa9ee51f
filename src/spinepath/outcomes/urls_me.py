from django.urls import path

from spinepath.outcomes import views_me

app_name = "outcomes_me"
urlpatterns = [
    path("questionnaires/", views_me.my_questionnaires, name="list"),
    path("questionnaires/<str:scheduled_id>/", views_me.answer_questionnaire, name="answer"),
]
