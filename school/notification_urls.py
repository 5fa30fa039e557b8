"""URLs of school.notification_views (namespace notifications), under
/notifications/."""

from django.urls import path

from school import notification_views

app_name = "notifications"
urlpatterns = [
    path("", notification_views.notification_list, name="list"),
    path("<int:pk>/read/", notification_views.read, name="read"),
    path("read-all/", notification_views.read_all, name="read_all"),
]
