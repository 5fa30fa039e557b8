"""Who may log, see and decide which service record. Predicates take the user first
(anonymous, then superuser/administrator, then role); access helpers return the
object or raise Http404 alike for "does not exist" and "not yours"."""

from django.db.models import Q
from django.http import Http404

from school import roles
from school.models import OrgUnit, User
from school.permissions import user_has_role, user_is_school_admin
from volunteers.models import CoordinatorScope, ServiceRecord


def covered_paths(user: User) -> list[str]:
    """The tree paths of the org units a coordinator covers (each with everything
    beneath it). Empty for anyone who is not a coordinator."""
    if not user.is_authenticated or not user_has_role(user, roles.COORDINATOR):
        return []
    return list(
        CoordinatorScope.objects.filter(coordinator=user).values_list(
            "org_unit__path", flat=True
        )
    )


def user_is_service_decider(user: User) -> bool:
    """Administrators, and coordinators with at least one unit to cover, see the
    queue of service records."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user_is_school_admin(user) or bool(covered_paths(user))


def user_covers(user: User, volunteer: User) -> bool:
    """An administrator covers everyone; a coordinator covers the volunteers of
    the units in their scope (the unit or any unit beneath it)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user_is_school_admin(user):
        return True
    unit = volunteer.org_unit
    if unit is None:
        return False
    return any(unit.path.startswith(path) for path in covered_paths(user))


def user_can_log_service_for(user: User, volunteer: User) -> bool:
    """A volunteer logs their own service; a coordinator (or administrator) logs
    it for a volunteer they cover."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.pk == volunteer.pk or user_covers(user, volunteer)


def user_can_decide_service_record(user: User, record: ServiceRecord) -> bool:
    """A coordinator covering the volunteer, or an administrator, decides a
    record; nobody decides their own."""
    if record.volunteer_id == user.pk:
        return False
    return user_covers(user, record.volunteer)


def user_can_view_service_record(user: User, record: ServiceRecord) -> bool:
    """The volunteer, the coordinators covering them and administrators."""
    if not user.is_authenticated or not user.is_active:
        return False
    return record.volunteer_id == user.pk or user_covers(user, record.volunteer)


def records_decided_by(user: User):
    """The service records in the user's scope: all for administrators, the
    covered units' volunteers' for a coordinator (never their own), none
    otherwise."""
    records = ServiceRecord.objects.exclude(volunteer=user)
    if user_is_school_admin(user):
        return records
    paths = covered_paths(user)
    if not paths:
        return records.none()
    within = Q()
    for path in paths:
        within |= Q(volunteer__org_unit__path__startswith=path)
    return records.filter(within)


def units_covered_by(user: User):
    """The org units a decider may filter the queue by."""
    if user_is_school_admin(user):
        return OrgUnit.objects.all()
    within = Q(pk__in=[])
    for path in covered_paths(user):
        within |= Q(path__startswith=path)
    return OrgUnit.objects.filter(within)


def volunteers_covered_by(user: User):
    """The people a decider may log a service for (never themselves here: their
    own service goes through 我的服务)."""
    people = User.objects.filter(is_active=True).exclude(pk=user.pk)
    if user_is_school_admin(user):
        return people
    paths = covered_paths(user)
    if not paths:
        return people.none()
    within = Q()
    for path in paths:
        within |= Q(org_unit__path__startswith=path)
    return people.filter(within)


def get_record_for_viewer(user: User, pk: int) -> ServiceRecord:
    """A record the user may see (their own or one they cover), or 404."""
    record = (
        ServiceRecord.objects.select_related("volunteer__org_unit", "item")
        .filter(pk=pk)
        .first()
    )
    if record is None or not user_can_view_service_record(user, record):
        raise Http404
    return record


def get_volunteer_covered_by(user: User, pk: int) -> User:
    """A volunteer the user covers (for logging on their behalf), or 404."""
    volunteer = User.objects.select_related("org_unit").filter(pk=pk).first()
    if (
        volunteer is None
        or volunteer.pk == user.pk
        or not volunteer.is_active
        or not user_covers(user, volunteer)
    ):
        raise Http404
    return volunteer
