"""URLs of volunteers.growth_views (namespace growth), under /volunteer/."""

from django.urls import path

from volunteers import growth_views

app_name = "growth"
urlpatterns = [
    path("", growth_views.my_growth, name="mine"),
]
