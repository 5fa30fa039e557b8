from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteersConfig(AppConfig):
    """Growth: point items, service records and their approval, the points ledger,
    merchants, rewards and redemptions, service-record proofs."""

    name = "volunteers"
    verbose_name = _("志愿服务")
    default_auto_field = "django.db.models.BigAutoField"
