"""URLs of courses.checkin_views (namespace checkin)."""

from django.urls import path

from courses import checkin_views

app_name = "checkin"
urlpatterns = [
    path("card/", checkin_views.card, name="card"),
    path("card/reset/", checkin_views.card_reset, name="card_reset"),
    path("sessions/<int:pk>/", checkin_views.self_check_in, name="self"),
    path("sessions/<int:pk>/scan/", checkin_views.scan, name="scan"),
    path("sessions/<int:pk>/code/", checkin_views.code, name="code"),
    path("sessions/<int:pk>/code.json", checkin_views.code_json, name="code_json"),
]
