"""Practice sites and the sessions held there: a site's public week, the sessions a
host, instructor or administrator runs, and one session's roster. Each read takes
a fixed number of queries, however many sessions or bookings there are."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from courses.models import Booking, ClassSession
from courses.permissions import user_manages_every_session
from school.models import PracticeSite, User
from school.selectors import unit_names

# A ?week= outside these years is a typo (or a probe), not a week anyone plans:
# it shows this week, and the previous/next links never leave the calendar.
WEEK_YEARS = range(2000, 2100)


@dataclass(frozen=True)
class WeekDay:
    """One day of a week and the sessions starting on it, by start time."""

    day: date
    sessions: list[ClassSession]
    is_today: bool


@dataclass(frozen=True)
class Week:
    """Monday to Sunday (local time) and the sessions of each day."""

    monday: date
    days: list[WeekDay]
    today: date

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)

    @property
    def previous(self) -> date:
        return self.monday - timedelta(days=7)

    @property
    def next(self) -> date:
        return self.monday + timedelta(days=7)

    @property
    def is_current(self) -> bool:
        return self.monday <= self.today <= self.sunday

    @property
    def session_count(self) -> int:
        return sum(len(day.sessions) for day in self.days)


def local_today() -> date:
    return timezone.localdate()


def week_monday(value: str | None, *, today: date) -> date:
    """The Monday of the week holding `value` (YYYY-MM-DD, any day of that week).
    A missing, malformed or far-off date means this week: no error page."""
    try:
        day = date.fromisoformat(value or "")
    except ValueError:
        day = today
    if day.year not in WEEK_YEARS:
        day = today
    return day - timedelta(days=day.weekday())


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _day_range(first: date, days: int) -> Q:
    return Q(
        starts_at__gte=_local_midnight(first),
        starts_at__lt=_local_midnight(first + timedelta(days=days)),
    )


def with_counts(sessions: QuerySet) -> QuerySet:
    """Sessions with their class, course and site, and `waitlist_count`: one
    query for the lot."""
    return sessions.select_related("training_class__course", "practice_site").annotate(
        waitlist_count=Count(
            "bookings", filter=Q(bookings__status=Booking.Status.WAITLISTED)
        )
    )


def _week(sessions: list[ClassSession], monday: date, today: date) -> Week:
    by_day: dict[date, list[ClassSession]] = {}
    for session in sessions:
        by_day.setdefault(timezone.localdate(session.starts_at), []).append(session)
    days = [monday + timedelta(days=offset) for offset in range(7)]
    return Week(
        monday=monday,
        days=[WeekDay(day, by_day.get(day, []), day == today) for day in days],
        today=today,
    )


def site_week(site: PracticeSite, monday: date, *, today: date) -> Week:
    """The public week of a site: its sessions (cancelled ones too, so a trainee
    sees that a session is off) day by day. One query."""
    sessions = with_counts(
        ClassSession.objects.filter(_day_range(monday, 7), practice_site=site)
    ).order_by("starts_at", "pk")
    return _week(list(sessions), monday, today)


# --- the sessions a person runs ------------------------------------------------------


@dataclass(frozen=True)
class RunnerWeek:
    """What 我负责的场次 shows: the sites in view (hosted, or every active site
    for an administrator), today's sessions and the chosen week's. `runs_nothing`
    when the person hosts no site, teaches no session and is no administrator."""

    sites: list[PracticeSite]
    today: list[ClassSession]
    week: Week
    manages_all: bool
    runs_nothing: bool


def sessions_run_by(user: User) -> QuerySet:
    """The class sessions `user` may run (courses.permissions.user_can_run_session):
    every session for an administrator, else those at the sites they host and those
    they teach. Subqueries, not joins, so a session is listed once."""
    if user_manages_every_session(user):
        return ClassSession.objects.all()
    hosted = PracticeSite.objects.hosted_by(user).values("pk")
    taught = ClassSession.objects.filter(instructors=user).values("pk")
    return ClassSession.objects.filter(Q(practice_site__in=hosted) | Q(pk__in=taught))


def runner_week(user: User, monday: date, *, today: date) -> RunnerWeek:
    """The sessions `user` runs today and in the week from `monday`, with their
    counts: the sites and the sessions in two queries (a third only for someone
    with neither), besides the permission check, however many sessions."""
    manages_all = user_manages_every_session(user)
    if manages_all:
        sites = list(PracticeSite.objects.active())
    else:
        sites = list(PracticeSite.objects.active().hosted_by(user))
    sessions = list(
        with_counts(
            sessions_run_by(user).filter(_day_range(monday, 7) | _day_range(today, 1))
        ).order_by("starts_at", "pk")
    )
    runs_nothing = (
        not manages_all
        and not sites
        and not sessions
        and not sessions_run_by(user).exists()
    )
    return RunnerWeek(
        sites=sites,
        today=[s for s in sessions if timezone.localdate(s.starts_at) == today],
        week=_week(
            [
                s
                for s in sessions
                if 0 <= (timezone.localdate(s.starts_at) - monday).days < 7
            ],
            monday,
            today,
        ),
        manages_all=manages_all,
        runs_nothing=runs_nothing,
    )


# --- one session's roster ------------------------------------------------------------


@dataclass(frozen=True)
class RosterEntry:
    """A live booking as the roster shows it. `phone` is whole or masked as the
    viewer may see it; `position` is 1 for the first on the waitlist."""

    booking: Booking
    name: str
    phone: str
    unit: str
    position: int | None = None


@dataclass(frozen=True)
class Roster:
    """Who holds a seat in the session (in the order they got it) and who waits
    (in queue order)."""

    confirmed: list[RosterEntry]
    waitlist: list[RosterEntry]

    @property
    def walk_in_count(self) -> int:
        return sum(
            1 for e in self.confirmed if e.booking.source == Booking.Source.WALK_IN
        )


def session_roster(session: ClassSession, *, full_phones: bool) -> Roster:
    """The live bookings of a session, phones whole only when `full_phones`
    (courses.permissions.user_sees_full_phones_of). Two queries."""
    bookings = list(
        Booking.objects.live()
        .filter(session_id=session.pk)
        .select_related("trainee__org_unit")
    )
    units = unit_names([b.trainee.org_unit for b in bookings])

    def entry(booking: Booking, position: int | None = None) -> RosterEntry:
        trainee = booking.trainee
        return RosterEntry(
            booking=booking,
            name=trainee.real_name,
            phone=trainee.phone if full_phones else trainee.masked_phone,
            unit=units.get(trainee.org_unit_id, ""),
            position=position,
        )

    confirmed = sorted(
        (b for b in bookings if b.status == Booking.Status.CONFIRMED),
        key=lambda b: (b.confirmed_at, b.pk),
    )
    waiting = sorted(
        (b for b in bookings if b.status == Booking.Status.WAITLISTED),
        key=lambda b: b.queue_number,
    )
    return Roster(
        confirmed=[entry(b) for b in confirmed],
        waitlist=[entry(b, position) for position, b in enumerate(waiting, start=1)],
    )
