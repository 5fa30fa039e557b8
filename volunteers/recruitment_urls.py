"""URLs of volunteers.recruitment_views (namespace recruitment), under /volunteer/."""

from django.urls import path

from volunteers import recruitment_views

app_name = "recruitment"
urlpatterns = [
    path("", recruitment_views.rounds, name="rounds"),
    path("<int:pk>/apply/", recruitment_views.apply, name="apply"),
    path("applications/<int:pk>/", recruitment_views.application, name="application"),
    path(
        "applications/<int:pk>/withdraw/",
        recruitment_views.withdraw,
        name="withdraw",
    ),
]
