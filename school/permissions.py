"""Who may do what. Predicates take the user first: anonymous, then superuser, then role."""

from school import roles
from school.models import PracticeSite, User


def user_has_role(user: User, role: str) -> bool:
    if not user.is_authenticated:
        return False
    # groups are prefetched by the caller where it matters; one query otherwise.
    return any(group.name == role for group in user.groups.all())


def user_is_school_admin(user: User) -> bool:
    """Administrators manage classes, people, sites and certificates."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return user_has_role(user, roles.SCHOOL_ADMIN)


def user_can_import_trainees(user: User) -> bool:
    """Importing creates accounts in bulk: administrators only."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return user.has_perm("school.add_user") and user_is_school_admin(user)


def user_can_host_site(user: User, site: PracticeSite) -> bool:
    """Site hosts run their own sites; administrators run every site."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user_is_school_admin(user):
        return True
    return site.hosts.filter(pk=user.pk).exists()
