from wagtail import hooks
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet

from certificates import badges
from certificates.models import Certificate, CertificateBatch
from certificates.viewsets import (
    CertificateBatchPermissionPolicy,
    CertificatePermissionPolicy,
    CertificatesViewSetGroup,
    CertificateTemplateViewSet,
)
from school.models import SchoolPage

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


@hooks.register("after_create_page")
def give_a_new_school_its_signing_key(request, page):
    """A school set up in the admin gets its Open Badges signing key at once, so
    that no download ever has to make one."""
    if isinstance(page.specific, SchoolPage):
        badges.ensure_signing_key(page.specific)
