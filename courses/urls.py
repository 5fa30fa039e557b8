from django.urls import path

from courses import views

app_name = "courses"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("classes/<int:pk>/enrol/", views.enrol, name="enrol"),
    path("enrollments/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("lessons/<int:pk>/complete/", views.complete_lesson, name="complete_lesson"),
    path("lessons/<int:pk>/quiz/", views.submit_quiz, name="submit_quiz"),
]
