from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    """Running the system: the invariants every record must keep (checked after a
    restore, a crash or a load test), backups and restores. The top floor: it
    reads every app's rows and is imported by none."""

    name = "operations"
    verbose_name = _("运维")
    default_auto_field = "django.db.models.BigAutoField"
