"""Who may do what. Predicates take the user first: anonymous, then superuser, then role."""

from school import roles
from school.models import User


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


def is_staff_account(account: User) -> bool:
    """Staff, superusers and anyone holding a role beyond 学员 (instructor, site
    host, administrator, Wagtail's editors): accounts that no import and no school
    administrator may change, since whoever sets their e-mail or password can
    become them. Reads the account's groups (prefetch them for many)."""
    if account.is_staff or account.is_superuser:
        return True
    return any(group.name != roles.TRAINEE for group in account.groups.all())


def user_can_edit_account(user: User, account: User) -> bool:
    """A superuser edits anyone; others who manage people edit plain trainee
    accounts and their own."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser or user.pk == account.pk:
        return True
    return not is_staff_account(account)
