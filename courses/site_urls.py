from django.urls import path

from courses import attendance_views, site_views

app_name = "sites"

urlpatterns = [
    path("", site_views.mine, name="mine"),
    path("<int:pk>/", site_views.week, name="week"),
    path("<int:pk>/calendar.ics", site_views.feed, name="feed"),
    path("sessions/<int:pk>/", site_views.roster, name="roster"),
    path("sessions/<int:pk>/walk-in/", site_views.walk_in, name="walk_in"),
    path("bookings/<int:pk>/cancel/", site_views.staff_cancel, name="staff_cancel"),
    path(
        "sessions/<int:pk>/attendance/",
        attendance_views.roster,
        name="attendance",
    ),
    path(
        "sessions/<int:pk>/attendance/history/",
        attendance_views.history,
        name="attendance_history",
    ),
]
