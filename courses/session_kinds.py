"""What e-mails and calendars say of a bookable session, whatever its kind.

The booking engine books any BookableSession; its e-mails and calendar entries
need the kind's own words (a class session names its class and school, a
community activity its space and organiser). Each kind registers a loader and a
describer here (class sessions from courses.apps, community activities from
volunteers.apps), so courses never imports the apps above it. A session of an
unregistered kind is skipped: nobody is told, nothing is listed.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import Model
from django.urls import reverse
from django.utils.translation import gettext_lazy


@dataclass(frozen=True)
class SessionInfo:
    """What e-mails and calendars say of one session: `summary` names it in a
    calendar, `label` (headed `kind_name`) in an e-mail; `page_path` is where the
    person sees and manages their booking; `contact` whom to ask after the cut-off
    (read only when needed: it may cost a query)."""

    summary: str
    label: str
    title: str
    place: str
    is_online: bool
    meeting_url: str
    notes: str
    page_path: str
    organiser_name: str
    contact_of: Callable[[], str] = field(repr=False, compare=False)
    kind_name: str = ""

    @cached_property
    def contact(self) -> str:
        return self.contact_of()


Loader = Callable[[Iterable[int]], dict[int, Model]]
Describer = Callable[[Model], SessionInfo]


@dataclass(frozen=True)
class _Kind:
    load: Loader
    describe: Describer


_kinds: dict[type[Model], _Kind] = {}


def register(model: type[Model], *, load: Loader, describe: Describer) -> None:
    """Make a kind of bookable session known: `load(ids)` returns the sessions of
    this kind among `ids` (by id, with what `describe` reads selected) and
    `describe(session)` says what e-mails and calendars show. Registering a
    model again replaces its entry."""
    _kinds[model] = _Kind(load=load, describe=describe)


def describe(session: Model) -> SessionInfo:
    """The info of a session its kind's loader (or an equivalent query) read."""
    return _kinds[type(session)].describe(session)


def describe_sessions(ids: Iterable[int]) -> dict[int, tuple[Model, SessionInfo]]:
    """The sessions among `ids` (BookableSession ids) with their info: each
    registered kind's loader is asked for the ids not found yet (one query each,
    none once all are found); ids of no registered kind are left out."""
    remaining = set(ids)
    found: dict[int, tuple[Model, SessionInfo]] = {}
    for kind in list(_kinds.values()):
        if not remaining:
            break
        for pk, session in kind.load(remaining).items():
            found[pk] = (session, kind.describe(session))
        remaining -= found.keys()
    return found


# --- class sessions: the courses app's own kind -------------------------------------

CLASS_SESSION_RELATED = ("training_class__course", "practice_site")


def load_class_sessions(ids: Iterable[int]) -> dict:
    from courses.models import ClassSession

    sessions = ClassSession.objects.filter(pk__in=list(ids)).select_related(
        *CLASS_SESSION_RELATED
    )
    return {session.pk: session for session in sessions}


def describe_class_session(session) -> SessionInfo:
    """A class session: the course (and session title), the class, its school."""
    from courses.sessions import session_contact
    from school.selectors import school_of_page

    course = session.training_class.course
    school = school_of_page(course)
    return SessionInfo(
        summary=f"{course.title} · {session.title}" if session.title else course.title,
        label=str(session.training_class),
        title=session.title,
        place=session.place,
        is_online=session.is_online,
        meeting_url=session.meeting_url if session.is_online else "",
        notes=session.notes,
        page_path=reverse("courses:class_sessions", args=[session.training_class_id]),
        organiser_name=(school.display_name or school.title) if school else "",
        contact_of=lambda: session_contact(session),
        kind_name=gettext_lazy("培训班"),
    )


def register_class_sessions() -> None:
    """Called from courses.apps.CoursesConfig.ready()."""
    from courses.models import ClassSession

    register(ClassSession, load=load_class_sessions, describe=describe_class_session)
