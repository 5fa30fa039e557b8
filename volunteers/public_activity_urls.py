"""The public side of community activities: the calendar, each activity's page,
signing up and cancelling, 我的活动."""

from django.urls import path

from volunteers import activity_views

app_name = "activities"

urlpatterns = [
    path("", activity_views.calendar, name="calendar"),
    path("mine/", activity_views.mine, name="mine"),
    path("<int:pk>/", activity_views.activity_detail, name="activity"),
    path("sessions/<int:pk>/sign-up/", activity_views.sign_up, name="sign_up"),
    path("bookings/<int:pk>/cancel/", activity_views.cancel, name="cancel"),
]
