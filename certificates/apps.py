from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    """Credentials. Its models arrive with the certificates issue."""

    name = "certificates"
    verbose_name = _("证书")
    default_auto_field = "django.db.models.BigAutoField"
