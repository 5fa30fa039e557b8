from wagtail import hooks
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet

from certificates.models import Certificate, CertificateBatch
from certificates.viewsets import (
    CertificateBatchPermissionPolicy,
    CertificatePermissionPolicy,
    CertificatesViewSetGroup,
    CertificateTemplateViewSet,
)

register_permission_policy(
    Certificate, CertificatePermissionPolicy(Certificate), exact_class=True
)
register_permission_policy(
    CertificateBatch,
    CertificateBatchPermissionPolicy(CertificateBatch),
    exact_class=True,
)

# The template snippet's menu item joins the 证书 group (through its menu hook).
register_snippet(CertificateTemplateViewSet)


@hooks.register("register_admin_viewset")
def register_certificates_viewsets():
    return CertificatesViewSetGroup()
