from django.urls import path

from courses import booking_views, views

app_name = "courses"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("classes/<int:pk>/enrol/", views.enrol, name="enrol"),
    path("enrollments/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("lessons/<int:pk>/complete/", views.complete_lesson, name="complete_lesson"),
    path("lessons/<int:pk>/quiz/", views.submit_quiz, name="submit_quiz"),
    path(
        "classes/<int:pk>/sessions/",
        booking_views.class_sessions,
        name="class_sessions",
    ),
    path("sessions/<int:pk>/book/", booking_views.book_session, name="book_session"),
    path(
        "bookings/<int:pk>/cancel/",
        booking_views.cancel_booking,
        name="cancel_booking",
    ),
    path("calendar/", booking_views.calendar, name="calendar"),
    path("calendar/reset/", booking_views.reset_calendar, name="reset_calendar"),
    path(
        "calendar/<str:token>.ics",
        booking_views.calendar_feed,
        name="calendar_feed",
    ),
]
