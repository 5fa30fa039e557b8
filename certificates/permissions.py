"""Who may see which certificate. Predicates take the user first (anonymous, then
superuser, then role); access helpers return the object or raise Http404 alike for
"does not exist" and "not yours", so neither answer reveals the other."""

from django.http import Http404

from certificates.models import Certificate
from school.models import User
from school.permissions import user_is_school_admin

# Longer than any code we hand out (models.new_verification_code gives 16).
MAX_CODE_LENGTH = Certificate._meta.get_field("code").max_length


def user_can_download_certificate(user: User, certificate: Certificate) -> bool:
    """The PDF and the Open Badges credential are the holder's; administrators
    (and superusers) may fetch any of them. Revoked ones too: the verification
    page, not the file, says whether a certificate stands."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user_is_school_admin(user):
        return True
    return certificate.holder_id == user.pk


def get_certificate_for_download(user: User, pk: int) -> Certificate:
    """A certificate the user may download, or 404 (for someone else's as well)."""
    certificate = (
        Certificate.objects.select_related("holder", "school").filter(pk=pk).first()
    )
    if certificate is None or not user_can_download_certificate(user, certificate):
        raise Http404
    return certificate


def get_certificate_by_code(code: str) -> Certificate:
    """The certificate a public verification code names. Anyone may look one up;
    an unknown or malformed code is the same 404 as every other unknown code."""
    if not code or len(code) > MAX_CODE_LENGTH:
        raise Http404
    certificate = Certificate.objects.select_related("school").filter(code=code).first()
    if certificate is None:
        raise Http404
    return certificate
