"""Who reads the dashboards (数据看板). The figures span the whole school: its
administrators and superusers read them in the admin and on the site; the school
leaders (校领导, a role of their own, seeded by this app's migration 0001) read
them on the site only."""

from school.models import User
from school.permissions import user_has_role, user_is_school_admin

# A Group, like the roles in school/roles.py (this app seeds it: migration 0001).
SCHOOL_LEADER = "校领导"


def user_reads_admin_dashboard(user: User) -> bool:
    """The 数据看板 admin page: administrators (管理员) and superusers."""
    return user_is_school_admin(user)


def user_reads_dashboard(user: User) -> bool:
    """The /dashboard/ page and its exports: administrators, superusers and
    school leaders (校领导)."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user_is_school_admin(user) or user_has_role(user, SCHOOL_LEADER)
