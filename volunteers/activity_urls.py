"""Community activities, under /activities/: the street's public calendar, each
activity's page and residents' sign-ups (activities:), proposing and reviewing
(organise:), and taking attendance and feedback (activity_checkin:)."""

from django.urls import include, path

urlpatterns = [
    path("organise/", include("volunteers.organise_urls")),
    path("checkin/", include("volunteers.activity_checkin_urls")),
    path("", include("volunteers.public_activity_urls")),
]
