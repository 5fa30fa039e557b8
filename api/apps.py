from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    """The JSON API for the mobile app (/api/v1/): the top floor, calling the
    other apps' services and selectors with the web's permissions."""

    name = "api"
    verbose_name = _("接口")
    default_auto_field = "django.db.models.BigAutoField"
