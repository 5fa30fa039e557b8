"""Who may enrol where, and why not. Pure functions over pre-loaded facts, so the
catalogue can ask for a thousand courses without a query each."""

from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from courses.models import CoursePage, LessonPage
from school.models import Level, User


@dataclass(frozen=True)
class EnrollmentStanding:
    """What the enrolment rules need to know about one person: their level, the
    courses they have completed and the classes they hold a live enrolment in.
    (Not a certificate's standing: that is Certificate.Standing.)"""

    level: str
    completed_course_ids: frozenset[int] = field(default_factory=frozenset)
    live_class_ids: frozenset[int] = field(default_factory=frozenset)
    authenticated: bool = True

    @classmethod
    def anonymous(cls) -> "EnrollmentStanding":
        return cls(level=Level.RESIDENT, authenticated=False)


def course_refusal(
    course, standing: EnrollmentStanding, prerequisites: list
) -> str | None:
    """Why this person may not take this course at all, or None.

    `prerequisites` are the course's prerequisite CoursePages (title and pk)."""
    missing = [p for p in prerequisites if p.pk not in standing.completed_course_ids]
    if missing:
        return _("需先完成先修课程：%(titles)s") % {
            "titles": "、".join(f"《{p.title}》" for p in missing)
        }
    if Level.rank(standing.level) < Level.rank(course.minimum_level):
        return _("需达到「%(level)s」等级") % {
            "level": Level(course.minimum_level).label
        }
    return None


def class_refusal(
    training_class, standing: EnrollmentStanding, *, at: datetime | None = None
) -> str | None:
    """Why this person may not enrol in this class right now, or None. The course's
    own rules are checked separately (course_refusal)."""
    at = at or timezone.now()
    if training_class.pk in standing.live_class_ids:
        return _("您已报名该班")
    if not training_class.is_active:
        return _("该班已停办")
    if at < training_class.enrol_opens_at:
        return _("报名尚未开始（%(date)s 开始）") % {
            "date": date_format(
                timezone.localtime(training_class.enrol_opens_at), "Y-m-d H:i"
            )
        }
    if at >= training_class.enrol_closes_at:
        return _("报名已截止")
    if training_class.seats_taken >= training_class.capacity:
        return _("名额已满")
    return None


def user_can_manage_enrollments(user: User) -> bool:
    """Approving, rejecting and bulk-enrolling are an administrator's call; an
    instructor reads the roster of their own classes but does not change it."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or user.has_perm("courses.change_enrollment")


def user_can_view_full_phone(user: User) -> bool:
    """A roster shows (and exports) whole phone numbers only to staff holding
    courses.view_full_phone (管理员); everyone else sees 138****8000."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or user.has_perm("courses.view_full_phone")


def user_teaches_or_authors(user: User, training_class) -> bool:
    """An instructor of the class, or the owner (author) of its course: they read
    its roster and quiz results whether or not they manage classes."""
    if not user.is_authenticated or not user.is_active:
        return False
    return (
        training_class.course.owner_id == user.pk
        or training_class.instructors.filter(pk=user.pk).exists()
    )


def user_can_grant_quiz_attempts(user: User, training_class) -> bool:
    """Extra quiz attempts are granted by an administrator (who manages enrolments)
    or by an instructor of this class or the author of its course; not by another
    instructor, and never by a trainee."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user_can_manage_enrollments(user):
        return True
    return user_teaches_or_authors(user, training_class)


def user_can_add_page(user: User, parent, page_class) -> bool:
    """Narrows Wagtail's page "add" permission for authors who may not publish.

    讲师 hold "add" on the root page (so it reaches catalogues created later), which
    alone would let them add any page anywhere. They may add a course to a
    catalogue, and a lesson only under a course they own. Whoever may publish under
    `parent` (管理员, superusers) is not narrowed.
    """
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser or parent.permissions_for_user(user).can_publish_subpage():
        return True
    if issubclass(page_class, CoursePage):
        return True  # parent_page_types already keeps courses in a catalogue
    if issubclass(page_class, LessonPage):
        return parent.owner_id == user.pk
    return False


def user_manages_every_session(user: User) -> bool:
    """Administrators (courses.change_classsession with the whole school in view):
    every session, every site. A site host holds the same permission but for the
    sites they host only."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or user.has_perm("courses.delete_classsession")


def user_hosts_site(user: User, site) -> bool:
    """A host (教学点负责人) of this practice site."""
    if not user.is_authenticated or not user.is_active or site is None:
        return False
    return site.hosts.filter(pk=user.pk).exists()


def user_can_run_session(user: User, session) -> bool:
    """Who sees a session's roster and adds walk-ins: administrators, the hosts of
    its site and its instructors. Everyone else gets a 404."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user_manages_every_session(user):
        return True
    if user_hosts_site(user, session.practice_site):
        return True
    return session.instructors.filter(pk=user.pk).exists()


def user_can_mark_attendance(user: User, session) -> bool:
    """Who takes a session's attendance (roster, scans, the rotating code): its
    instructors, its site's hosts and administrators; a 404 for anyone else."""
    return user_can_run_session(user, session)


def user_sees_full_phones_of(user: User, session) -> bool:
    """A roster's contact phones are whole for administrators (courses.view_full_phone)
    and the session's site hosts, who call trainees on the day; masked to others."""
    return user_can_view_full_phone(user) or user_hosts_site(
        user, session.practice_site
    )
