"""URLs of volunteers.activity_checkin_views (namespace activity_checkin), under
/activities/checkin/: each takes the ActivitySession's pk."""

from django.urls import path

from volunteers import activity_checkin_views as views

app_name = "activity_checkin"
urlpatterns = [
    path("<int:pk>/roster/", views.roster, name="roster"),
    path("<int:pk>/scan/", views.scan, name="scan"),
    path("<int:pk>/code/", views.code, name="code"),
    path("<int:pk>/code.json", views.code_json, name="code_json"),
    path("<int:pk>/", views.self_check_in, name="self"),
    path("<int:pk>/feedback/", views.give_feedback, name="feedback"),
    path(
        "<int:pk>/feedback/summary/",
        views.feedback_summary,
        name="feedback_summary",
    ),
    path("<int:pk>/helpers/", views.helpers, name="helpers"),
]
