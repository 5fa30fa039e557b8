"""URLs of volunteers.organise_views (namespace organise), under
/activities/organise/: proposing, my activities, reviewing."""

from django.urls import path

from volunteers import organise_views

app_name = "organise"
urlpatterns = [
    path("propose/", organise_views.propose, name="propose"),
    path("mine/", organise_views.mine, name="mine"),
    path("<int:pk>/", organise_views.activity, name="activity"),
    path("<int:pk>/withdraw/", organise_views.withdraw, name="withdraw"),
    path("<int:pk>/cancel/", organise_views.cancel, name="cancel"),
    path(
        "sessions/<int:pk>/cancel/",
        organise_views.cancel_session,
        name="cancel_session",
    ),
    path("review/", organise_views.review, name="review"),
    path("review/<int:pk>/approve/", organise_views.approve, name="approve"),
    path("review/<int:pk>/reject/", organise_views.reject, name="reject"),
]
