from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    """Dashboards for administrators and school leaders: figures from every app,
    aggregated in the database, with charts and exports. The top floor: it reads
    the other apps' selectors and is read by none."""

    name = "dashboards"
    verbose_name = _("数据看板")
    default_auto_field = "django.db.models.BigAutoField"
