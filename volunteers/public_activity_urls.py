from django.urls import path

from volunteers import activity_views

app_name = "activities"

urlpatterns = [
    path("<int:pk>/", activity_views.activity_detail, name="activity"),
]
