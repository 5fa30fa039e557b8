"""seed_demo's community activities: spaces in three demo communities (活动室,
会议室, 共享厨房, 书屋) with their opening hours to 21:30, the demo coordinators as
their staff, and community managers running weekly night schools (19:00–21:00),
weekend workshops and daytime talks over the last four months and the next four
weeks, signed up by demo residents, with attendance on the sessions held and the
organisers' hours credited — so that 空间使用率 shows evenings busier than days.

Proposals and approvals go through volunteers.activities, the coming sessions'
sign-ups through the booking engine (activities.sign_up). The services take only
times to come, so a term already held is proposed a year ahead (whole weeks: the
same weekday and hour), approved, and moved back, as courses.demo.sessions does
for past class sessions; its sign-ups are then written in bulk as the engine
writes them (bookings, waitlist numbers, counters, events), and its attendance as
courses.demo.attendance does (a roster mark and its AttendanceChange each). The
organisers' service is credited by credit_activity_hours. The demo people were
never e-mailed: the booking events are marked as notified.

Idempotent: an activity is found by its space and title, and a space by its
community and name, so a second run adds nothing.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from courses.attendance import credit_for, late_credit_for
from courses.models import (
    AttendanceChange,
    AttendanceRecord,
    BookableSession,
    Booking,
    BookingEvent,
)
from school.models import Level, OrgUnit, User
from volunteers import activities
from volunteers.models import (
    Activity,
    ActivityEvent,
    ActivitySession,
    CommunitySpace,
    OpeningHours,
)

Status = AttendanceRecord.Status
Kind = Activity.Kind

# How far ahead a held term is proposed before it is moved back: whole weeks.
AHEAD = timedelta(weeks=52)
HISTORY_WEEKS = 17  # about four months
UPCOMING_WEEKS = 4
# The staff of every demo space: the coordinators (they know the communities).
STAFF_PHONES = ["13800000005", "13800000006"]
# Marks in turn over the bookings of a held session: 17 of 20 came (85 %).
MARKS = [
    *[Status.PRESENT] * 6,
    Status.LATE,
    *[Status.PRESENT] * 3,
    Status.ABSENT,
    *[Status.PRESENT] * 5,
    Status.EXCUSED,
    Status.LATE,
    Status.PRESENT,
    Status.ABSENT,
]
EVERY_DAY = range(7)
WEEKDAYS = range(5)


@dataclass(frozen=True)
class DemoSpace:
    community: int  # index among the demo communities
    name: str
    kind: str
    capacity: int
    # (weekdays, opens, closes) stretches
    hours: tuple


SPACES = [
    DemoSpace(
        0,
        "活动室",
        CommunitySpace.Kind.ACTIVITY_ROOM,
        30,
        ((EVERY_DAY, time(9), time(12)), (EVERY_DAY, time(14), time(21, 30))),
    ),
    DemoSpace(
        0,
        "共享厨房",
        CommunitySpace.Kind.KITCHEN,
        12,
        ((range(1, 7), time(9), time(12)), (range(1, 7), time(14), time(20, 30))),
    ),
    DemoSpace(
        1,
        "书屋",
        CommunitySpace.Kind.READING_ROOM,
        24,
        ((EVERY_DAY, time(9), time(21, 30)),),
    ),
    DemoSpace(
        2,
        "会议室",
        CommunitySpace.Kind.MEETING_ROOM,
        40,
        ((WEEKDAYS, time(9), time(12)), (WEEKDAYS, time(14), time(21, 30))),
    ),
]


@dataclass(frozen=True)
class DemoActivity:
    space: str  # "community index/space name"
    title: str
    kind: str
    weekday: int
    starts: time
    ends: time
    every: int  # weeks between sessions
    seats: int
    takers: int  # how many sign up for each session
    description: str


ACTIVITIES = [
    DemoActivity(
        "0/活动室",
        "智能手机夜校",
        Kind.NIGHT_SCHOOL,
        1,
        time(19),
        time(21),
        1,
        20,
        22,
        "手把手教老人用手机挂号、缴费、视频通话，识别诈骗短信。",
    ),
    DemoActivity(
        "1/书屋",
        "书法夜校",
        Kind.NIGHT_SCHOOL,
        3,
        time(19),
        time(21),
        1,
        20,
        18,
        "楷书入门，从握笔、笔画练起，每期临一本字帖。",
    ),
    DemoActivity(
        "2/会议室",
        "居民英语夜校",
        Kind.NIGHT_SCHOOL,
        0,
        time(19),
        time(21),
        1,
        20,
        16,
        "日常英语口语，帮居民接待外国友人、辅导孩子功课。",
    ),
    DemoActivity(
        "0/共享厨房",
        "周末烘焙工坊",
        Kind.WORKSHOP,
        5,
        time(14, 30),
        time(17),
        2,
        12,
        12,
        "一起做面包和点心，成品分给社区独居老人。",
    ),
    DemoActivity(
        "1/书屋",
        "亲子阅读工坊",
        Kind.WORKSHOP,
        6,
        time(9, 30),
        time(11, 30),
        2,
        16,
        14,
        "家长和孩子共读绘本，做读书手账。",
    ),
    DemoActivity(
        "2/会议室",
        "防范电信诈骗讲座",
        Kind.TALK,
        2,
        time(14, 30),
        time(16),
        4,
        40,
        25,
        "民警讲解近期常见骗局，现场答疑。",
    ),
    DemoActivity(
        "0/活动室",
        "健康养生讲座",
        Kind.TALK,
        4,
        time(9, 30),
        time(11),
        4,
        30,
        20,
        "社区医生讲高血压、糖尿病的日常管理。",
    ),
]
TERMS = ("（春季班）", "（秋季班）")  # the held term, the term under way


def seed(options=None) -> str:
    """The spaces, the activities and their history; a one-line summary."""
    communities = list(
        OrgUnit.objects.of_kind(OrgUnit.Kind.COMMUNITY).order_by("path")[:3]
    )
    staff = list(User.objects.filter(phone__in=STAFF_PHONES).order_by("phone"))
    if len(communities) < 3 or not staff:
        return "社区活动：缺少社区或协调员账号，未建"
    spaces, new_spaces = seed_spaces(communities, staff)
    managers = organisers()
    if not managers:
        return f"社区活动：新建空间 {new_spaces} 个；没有社区主理人，未建活动"
    residents = list(
        User.objects.filter(is_active=True, is_staff=False, is_superuser=False)
        .exclude(pk__in=[m.pk for m in managers])
        .select_related("org_unit")
        .order_by("phone")[:200]
    )
    last_event = BookingEvent.objects.order_by("-pk").values_list("pk", flat=True)
    events_before = last_event.first() or 0
    today = timezone.localdate()
    created = sessions = 0
    for index, plan in enumerate(ACTIVITIES):
        space = spaces[plan.space]
        organiser = managers[index % len(managers)]
        people = _takers(residents, space.community, plan.takers)
        made = seed_activity(
            plan, space, organiser=organiser, staff=staff, people=people, today=today
        )
        created += made[0]
        sessions += made[1]
    marks = seed_attendance()
    BookingEvent.objects.filter(pk__gt=events_before, notified_at__isnull=True).update(
        notified_at=timezone.now()
    )
    credited = activities.credit_activity_hours()
    return (
        f"社区活动：新建空间 {new_spaces} 个、活动 {created} 项（{sessions} 场）、"
        f"出勤记录 {marks} 条，计入组织服务 {credited} 场"
    )


@transaction.atomic
def seed_spaces(
    communities: list[OrgUnit], staff: list[User]
) -> tuple[dict[str, CommunitySpace], int]:
    """The demo spaces by "community index/name", and how many were new."""
    spaces, created = {}, 0
    for plan in SPACES:
        community = communities[plan.community]
        space, new = CommunitySpace.objects.get_or_create(
            community=community,
            name=plan.name,
            defaults={
                "kind": plan.kind,
                "capacity": plan.capacity,
                "address": f"{community.name}党群服务中心{plan.name}",
                "description": f"{community.name}{plan.name}，预约后使用。",
            },
        )
        if new:
            created += 1
            space.staff.add(*staff)
            OpeningHours.objects.bulk_create(
                OpeningHours(space=space, weekday=day, opens=opens, closes=closes)
                for days, opens, closes in plan.hours
                for day in days
            )
        spaces[f"{plan.community}/{plan.name}"] = space
    return spaces, created


def organisers() -> list[User]:
    """Demo community managers (社区主理人): those the ladder's round appointed
    (137…), else any active manager."""
    managers = User.objects.filter(level=Level.MANAGER, is_active=True)
    found = list(managers.filter(phone__startswith="137").order_by("phone")[:4])
    return found or list(managers.order_by("phone")[:4])


def _takers(residents: list[User], community: OrgUnit, count: int) -> list[User]:
    """Residents of the space's community first, then their neighbours."""
    own = [
        p
        for p in residents
        if p.org_unit and p.org_unit.path.startswith(community.path)
    ]
    others = [p for p in residents if p not in own]
    return (own + others)[:count]


def _at(day: date, moment: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, moment))


def _first_day(today: date, weekday: int, weeks_back: int) -> date:
    """The `weekday` on or after the day `weeks_back` weeks before today."""
    start = today - timedelta(weeks=weeks_back)
    return start + timedelta(days=(weekday - start.weekday()) % 7)


def seed_activity(
    plan: DemoActivity,
    space: CommunitySpace,
    *,
    organiser: User,
    staff: list[User],
    people: list[User],
    today: date,
) -> tuple[int, int]:
    """The held term (moved back from a year ahead) and the term under way of one
    demo activity, each once. Returns (activities made, sessions made)."""
    made = sessions = 0
    held_days = []
    day = _first_day(today, plan.weekday, HISTORY_WEEKS)
    while day < today:
        held_days.append(day)
        day += timedelta(weeks=plan.every)
    coming_days = []
    day = _first_day(today + timedelta(days=1), plan.weekday, 0)
    while day < today + timedelta(weeks=UPCOMING_WEEKS):
        coming_days.append(day)
        day += timedelta(weeks=plan.every)
    for term, days, ahead in (
        (TERMS[0], held_days, AHEAD),
        (TERMS[1], coming_days, None),
    ):
        title = f"{plan.title}{term}"
        if not days or Activity.objects.filter(space=space, title=title).exists():
            continue
        shift = ahead or timedelta(0)
        slots = [
            activities.Slot(_at(d, plan.starts) + shift, _at(d, plan.ends) + shift)
            for d in days
        ]
        try:
            activity = activities.propose_activity(
                organiser=organiser,
                title=title,
                kind=plan.kind,
                description=plan.description,
                space=space,
                seats=plan.seats,
                slots=slots,
            )
            approver = next(p for p in staff if p.pk != organiser.pk)
            activities.approve_activity(
                activity, actor=approver, note="同意，请爱护公物。"
            )
        except ValidationError:
            continue  # a time taken by the demo's own later edits: leave it out
        if ahead:
            _move_back(activity, ahead)
            for session in activity.sessions.order_by("starts_at"):
                _book_history(session, people)
        else:
            for session in activity.sessions.order_by("starts_at"):
                for person in people:
                    try:
                        activities.sign_up(session, person=person)
                    except ValidationError:
                        continue
        made += 1
        sessions += len(slots)
    return made, sessions


@transaction.atomic
def _move_back(activity: Activity, shift: timedelta) -> None:
    """Move a freshly approved term `shift` back (whole weeks: the same weekday
    and hour), its proposal and approval three weeks before its first session."""
    first = None
    for session in activity.sessions.order_by("starts_at"):
        starts_at = session.starts_at - shift
        first = first or starts_at
        BookableSession.objects.filter(pk=session.pk).update(
            starts_at=starts_at,
            ends_at=session.ends_at - shift,
            booking_closes_at=session.booking_closes_at - shift,
            created_at=first - timedelta(days=21),
        )
    proposed_at = first - timedelta(days=21)
    Activity.objects.filter(pk=activity.pk).update(
        proposed_at=proposed_at, decided_at=proposed_at + timedelta(days=2)
    )
    ActivityEvent.objects.filter(
        activity=activity, kind=ActivityEvent.Kind.PROPOSED
    ).update(created_at=proposed_at)
    ActivityEvent.objects.filter(
        activity=activity, kind=ActivityEvent.Kind.APPROVED
    ).update(created_at=proposed_at + timedelta(days=2))


@transaction.atomic
def _book_history(session: ActivitySession, people: list[User]) -> None:
    """The sign-ups a held session had, as the engine writes them (a confirmed
    booking per seat, then numbered waitlist places; the session's counters; a
    booked or waitlisted event by the person), three days before it. The engine
    takes only sessions still open, and one booking at a time would make seeding
    slow: these rows are the engine's, written in bulk."""
    booked_at = session.starts_at - timedelta(days=3)
    bookings = []
    for turn, person in enumerate(people):
        taken = turn < session.seats
        bookings.append(
            Booking(
                session_id=session.pk,
                trainee=person,
                status=Booking.Status.CONFIRMED if taken else Booking.Status.WAITLISTED,
                confirmed_at=booked_at if taken else None,
                queue_number=None if taken else turn - session.seats + 1,
                created_at=booked_at + timedelta(minutes=turn),
            )
        )
    Booking.objects.bulk_create(bookings)
    if any(booking.pk is None for booking in bookings):
        saved = dict(
            Booking.objects.filter(session_id=session.pk).values_list(
                "trainee_id", "pk"
            )
        )
        for booking in bookings:
            booking.pk = saved[booking.trainee.pk]
    confirmed = min(len(people), session.seats)
    BookableSession.objects.filter(pk=session.pk).update(
        confirmed_count=confirmed,
        open_seats_taken=confirmed,
        waitlist_issued=len(people) - confirmed,
    )
    BookingEvent.objects.bulk_create(
        BookingEvent(
            booking_id=booking.pk,
            kind=(
                BookingEvent.Kind.BOOKED
                if booking.status == Booking.Status.CONFIRMED
                else BookingEvent.Kind.WAITLISTED
            ),
            actor=booking.trainee,
            created_at=booking.created_at,
            notified_at=booking.created_at,
        )
        for booking in bookings
    )


@transaction.atomic
def seed_attendance() -> int:
    """A roster mark for each confirmed sign-up of the held activity sessions
    without marks (most came), each with its AttendanceChange. Returns how many."""
    now = timezone.now()
    sessions = {
        s.pk: s
        for s in ActivitySession.objects.filter(
            ends_at__lt=now, cancelled_at__isnull=True
        )
        .exclude(Exists(AttendanceRecord.objects.filter(session_id=OuterRef("pk"))))
        .select_related("activity")
    }
    if not sessions:
        return 0
    bookings = (
        Booking.objects.confirmed()
        .filter(session_id__in=sessions)
        .order_by("session_id", "trainee__phone")
    )
    late_credit = late_credit_for(next(iter(sessions.values())))
    records = []
    for turn, booking in enumerate(bookings):
        session = sessions[booking.session_id]
        status = MARKS[(turn + session.pk) % len(MARKS)]
        records.append(
            AttendanceRecord(
                session_id=session.pk,
                booking=booking,
                trainee_id=booking.trainee_id,
                status=status,
                credit=credit_for(status, late_credit),
                method=AttendanceRecord.Method.ROSTER,
                marked_by_id=session.activity.organiser_id,
                marked_at=session.ends_at,
            )
        )
    AttendanceRecord.objects.bulk_create(records)
    if any(record.pk is None for record in records):
        saved = dict(
            AttendanceRecord.objects.filter(session_id__in=sessions).values_list(
                "booking_id", "pk"
            )
        )
        for record in records:
            record.pk = saved[record.booking_id]
    AttendanceChange.objects.bulk_create(
        AttendanceChange(
            record_id=record.pk,
            from_status="",
            to_status=record.status,
            method=record.method,
            actor_id=record.marked_by_id,
            created_at=record.marked_at,
        )
        for record in records
    )
    return len(records)
