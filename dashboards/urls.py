from django.urls import path

from dashboards import views

app_name = "dashboards"

urlpatterns = [
    path("", views.home, name="home"),
    path("export/<str:name>/<str:file_format>/", views.export, name="export"),
]
