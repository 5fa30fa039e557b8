"""URLs of courses.feedback_views (namespace feedback)."""

from django.urls import path

from courses import feedback_views

app_name = "feedback"
urlpatterns = [
    path("session/<int:pk>/", feedback_views.give_session, name="give_session"),
    path("class/<int:pk>/", feedback_views.give_class, name="give_class"),
    path("mine/", feedback_views.mine, name="mine"),
]
