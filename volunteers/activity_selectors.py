"""What residents see of community activities: the street's week of sessions, one
activity's sessions with the person's own place in each, and 我的活动. Each read
takes a fixed number of queries however many sessions or bookings there are
(select_related, annotations); seats, waitlist and cut-off are the engine's
(courses.booking), who may sign up is volunteers.activities' rule."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from courses import checkin_window
from courses.models import AttendanceRecord, Booking
from courses.reports.figures import ATTENDED
from school.models import Level, OrgUnit, User
from volunteers.activities import activity_refusal, session_contact
from volunteers.models import Activity, ActivitySession

Status = Booking.Status

# A ?week= outside these years is a typo or a probe: the calendar shows this week.
WEEK_YEARS = range(2000, 2100)
# Statuses whose activity the public sees (a cancelled one says so).
PUBLIC_STATUSES = (Activity.Status.APPROVED, Activity.Status.CANCELLED)


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def session_state_label(session: ActivitySession, now: datetime) -> str:
    """What the calendar says of a session's seats: 剩 N 个名额, 已满，可候补,
    报名已截止 or 已取消."""
    if session.is_cancelled or session.activity.status == Activity.Status.CANCELLED:
        return _("已取消")
    if not session.booking_is_open(now):
        return _("报名已截止")
    if session.seats_left:
        return _("剩 %(left)s 个名额") % {"left": session.seats_left}
    return _("已满，可候补")


def audience_label(activity: Activity) -> str:
    """Whom the activity is for, as residents read it."""
    if activity.audience == Activity.Audience.COMMUNITY and activity.audience_unit:
        return _("仅限%(unit)s居民") % {"unit": activity.audience_unit.name}
    if activity.audience == Activity.Audience.LEVEL and activity.audience_level:
        return _("%(level)s及以上") % {"level": Level(activity.audience_level).label}
    return _("所有居民")


# --- the week calendar ---------------------------------------------------------------


@dataclass(frozen=True)
class CalendarRow:
    session: ActivitySession
    state: str

    @property
    def activity(self) -> Activity:
        return self.session.activity


@dataclass(frozen=True)
class CalendarDay:
    day: date
    rows: list[CalendarRow]
    is_today: bool


@dataclass(frozen=True)
class CalendarFilters:
    """The calendar's cleaned query: the week's Monday, a community and a kind
    (None for all), and what was wrong with the query as given."""

    monday: date
    community: OrgUnit | None
    kind: str
    problems: list[str] = field(default_factory=list)

    def query(self, **changes) -> str:
        """The query string for these filters with `changes` (week=...)."""
        params = {"week": self.monday.isoformat()}
        if self.community is not None:
            params["community"] = self.community.pk
        if self.kind:
            params["kind"] = self.kind
        params.update(changes)
        return urlencode({k: v for k, v in params.items() if v not in ("", None)})


@dataclass(frozen=True)
class ActivityWeek:
    filters: CalendarFilters
    days: list[CalendarDay]
    today: date
    communities: list[OrgUnit]
    kinds: list[tuple[str, str]]

    @property
    def monday(self) -> date:
        return self.filters.monday

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
        return sum(len(day.rows) for day in self.days)

    def previous_query(self) -> str:
        return self.filters.query(week=self.previous.isoformat())

    def next_query(self) -> str:
        return self.filters.query(week=self.next.isoformat())

    def current_query(self) -> str:
        return self.filters.query(week=self.today.isoformat())


def communities_with_spaces() -> list[OrgUnit]:
    """The communities that lend at least one space in use, in tree order."""
    return list(
        OrgUnit.objects.filter(spaces__is_active=True).distinct().order_by("path")
    )


def clean_filters(
    params, *, today: date, communities: list[OrgUnit]
) -> CalendarFilters:
    """The calendar's filters from ?week=, ?community= and ?kind=: a malformed or
    unknown value falls back (this week, every community, every kind) and says
    so; no query is made with what was given."""
    problems = []
    raw_week = (params.get("week") or "").strip()
    day = today
    if raw_week:
        try:
            day = date.fromisoformat(raw_week)
        except ValueError:
            problems.append(
                _("日期格式不正确（应为 2026-01-05 这样的日期），已显示本周。")
            )
        else:
            if day.year not in WEEK_YEARS:
                day = today
                problems.append(_("日期超出范围，已显示本周。"))
    community = None
    raw_community = (params.get("community") or "").strip()
    if raw_community:
        by_id = {str(unit.pk): unit for unit in communities}
        community = by_id.get(raw_community)
        if community is None:
            problems.append(_("没有找到该社区的活动空间，已显示全部社区。"))
    kind = (params.get("kind") or "").strip()
    if kind and kind not in Activity.Kind.values:
        problems.append(_("没有这种活动类型，已显示全部类型。"))
        kind = ""
    return CalendarFilters(
        monday=day - timedelta(days=day.weekday()),
        community=community,
        kind=kind,
        problems=problems,
    )


def activity_week(
    filters: CalendarFilters,
    *,
    today: date,
    communities: list[OrgUnit],
    now: datetime | None = None,
) -> ActivityWeek:
    """The street's public week: the sessions of approved (and cancelled)
    activities starting Monday to Sunday, day by day. One query."""
    now = now or timezone.now()
    sessions = (
        ActivitySession.objects.filter(
            activity__status__in=PUBLIC_STATUSES,
            starts_at__gte=_local_midnight(filters.monday),
            starts_at__lt=_local_midnight(filters.monday + timedelta(days=7)),
        )
        .select_related("activity__space__community")
        .order_by("starts_at", "pk")
    )
    if filters.community is not None:
        sessions = sessions.filter(activity__space__community=filters.community)
    if filters.kind:
        sessions = sessions.filter(activity__kind=filters.kind)
    by_day: dict[date, list[CalendarRow]] = {}
    for session in sessions:
        day = timezone.localdate(session.starts_at)
        by_day.setdefault(day, []).append(
            CalendarRow(session, session_state_label(session, now))
        )
    days = [
        CalendarDay(day, by_day.get(day, []), day == today)
        for day in (filters.monday + timedelta(days=n) for n in range(7))
    ]
    return ActivityWeek(
        filters=filters,
        days=days,
        today=today,
        communities=communities,
        kinds=list(Activity.Kind.choices),
    )


# --- one activity's sessions, for a person --------------------------------------------


def _with_waitlist_position(bookings: QuerySet) -> QuerySet:
    """Bookings with `position`: 1 for the first still waiting, in one query."""
    ahead = (
        Booking.objects.filter(
            session_id=OuterRef("session_id"),
            status=Status.WAITLISTED,
            queue_number__lte=OuterRef("queue_number"),
        )
        .order_by()
        .values("session_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return bookings.annotate(
        position=Coalesce(Subquery(ahead, output_field=IntegerField()), Value(0))
    )


@dataclass(frozen=True)
class SessionState:
    """One session of an activity as a person sees it."""

    session: ActivitySession
    seats_left: int
    is_cancelled: bool
    is_past: bool
    booking_is_open: bool
    booking: Booking | None  # the person's live booking
    position: int | None  # on the waitlist
    refusal: str  # why the person may not sign up (shown before pressing)
    contact: str  # whom to ask once the cut-off has passed

    @property
    def is_confirmed(self) -> bool:
        return self.booking is not None and self.booking.status == Status.CONFIRMED

    @property
    def is_waitlisted(self) -> bool:
        return self.booking is not None and self.booking.status == Status.WAITLISTED

    @property
    def can_sign_up(self) -> bool:
        return (
            self.booking is None
            and self.booking_is_open
            and not self.is_cancelled
            and not self.refusal
        )

    @property
    def can_cancel(self) -> bool:
        return self.booking is not None and self.booking_is_open

    @property
    def state(self) -> str:
        if self.is_cancelled:
            return _("已取消")
        if self.is_past:
            return _("已结束")
        if not self.booking_is_open:
            return _("报名已截止")
        if self.seats_left:
            return _("剩 %(left)s 个名额") % {"left": self.seats_left}
        return _("已满，可候补")


@dataclass(frozen=True)
class ActivitySessions:
    upcoming: list[SessionState]
    past: list[SessionState]


def activity_sessions_for(
    activity: Activity, person: User, now: datetime | None = None
) -> ActivitySessions:
    """The activity's sessions, upcoming first (soonest first), then past (latest
    first), each with seats left and, for a logged-in person, their live booking
    and waitlist place, the audience rule's refusal and, after the cut-off, whom
    to contact. A fixed number of queries however many sessions."""
    now = now or timezone.now()
    sessions = list(
        ActivitySession.objects.filter(activity=activity).order_by("starts_at", "pk")
    )
    for session in sessions:
        session.activity = activity  # one activity: no query per session
    mine: dict[int, Booking] = {}
    refusal = contact = ""
    if person.is_authenticated and sessions:
        mine = {
            made.session_id: made
            for made in _with_waitlist_position(
                Booking.objects.live().filter(
                    trainee=person, session_id__in=[s.pk for s in sessions]
                )
            )
        }
        # The rule is the activity's (its status and audience): the same answer
        # for every one of its sessions.
        refusal = activity_refusal(sessions[0], person) or ""
        if any(not s.booking_is_open(now) and s.ends_at > now for s in sessions):
            contact = session_contact(sessions[0])
    cancelled_activity = activity.status == Activity.Status.CANCELLED
    upcoming, past = [], []
    for session in sessions:
        made = mine.get(session.pk)
        state = SessionState(
            session=session,
            seats_left=session.seats_left,
            is_cancelled=session.is_cancelled or cancelled_activity,
            is_past=session.ends_at <= now,
            booking_is_open=session.booking_is_open(now) and not cancelled_activity,
            booking=made,
            position=(
                made.position
                if made is not None and made.status == Status.WAITLISTED
                else None
            ),
            refusal=refusal,
            contact=contact,
        )
        (past if state.is_past else upcoming).append(state)
    past.reverse()
    return ActivitySessions(upcoming=upcoming, past=past)


# --- 我的活动 ------------------------------------------------------------------------------


@dataclass(frozen=True)
class MyActivityRow:
    """One of the person's sign-ups."""

    booking: Booking
    session: ActivitySession
    position: int | None
    attended: bool
    can_cancel: bool
    can_check_in: bool
    can_give_feedback: bool

    @property
    def activity(self) -> Activity:
        return self.session.activity

    @property
    def is_waitlisted(self) -> bool:
        return self.booking.status == Status.WAITLISTED


@dataclass(frozen=True)
class MyActivities:
    upcoming: list[MyActivityRow]
    past: list[MyActivityRow]


def my_activities(person: User, now: datetime | None = None) -> MyActivities:
    """我的活动: the person's live sign-ups of sessions still to end (confirmed,
    or waitlisted with their place), and the sessions they held a seat in that
    have ended, attended or not (the attendance records). Two queries."""
    now = now or timezone.now()
    attended = AttendanceRecord.objects.filter(
        booking_id=OuterRef("pk"), status__in=ATTENDED
    )
    bookings = (
        _with_waitlist_position(
            Booking.objects.filter(
                trainee=person, session__activitysession__isnull=False
            )
            .filter(
                Q(status__in=Booking.LIVE_STATUSES, session__ends_at__gt=now)
                | Q(status=Status.CONFIRMED, session__ends_at__lte=now)
            )
            .annotate(attended=Exists(attended))
        )
        .select_related("session__activitysession__activity__space__community")
        .order_by("session__starts_at", "pk")
    )
    upcoming, past = [], []
    for made in bookings:
        session = made.session.activitysession
        is_past = session.ends_at <= now
        is_open = session.booking_is_open(now)
        row = MyActivityRow(
            booking=made,
            session=session,
            position=made.position if made.status == Status.WAITLISTED else None,
            attended=made.attended,
            can_cancel=is_open and not is_past,
            can_check_in=made.status == Status.CONFIRMED
            and not session.is_cancelled
            and checkin_window.window_is_open(session.starts_at, now),
            can_give_feedback=made.attended and now >= session.starts_at,
        )
        (past if is_past else upcoming).append(row)
    past.reverse()
    return MyActivities(upcoming=upcoming, past=past)


def organises_any(person: User) -> bool:
    """Whether the person has proposed any activity (我发起的活动)."""
    return (
        person.is_authenticated and Activity.objects.filter(organiser=person).exists()
    )
