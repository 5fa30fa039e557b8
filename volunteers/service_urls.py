"""URLs of volunteers.service_views (namespace services), under /volunteer/service/."""

from django.urls import path

from volunteers import service_views

app_name = "services"
urlpatterns = [
    path("", service_views.mine, name="mine"),
    path("records/<int:pk>/", service_views.record, name="record"),
    path("records/<int:pk>/photo/", service_views.photo, name="photo"),
    path("queue/", service_views.queue, name="queue"),
    path("queue/decide/", service_views.decide, name="decide"),
    path("queue/log/", service_views.log_for, name="log_for"),
]
