"""Demo practice sessions for `manage.py seed_demo`: the classes under way and the
next to start meet at the 21 practice sites (one weekly series among them) and
online; the last classes held at a site have their session in the past. Sessions
are scheduled through courses.scheduling (site capacity, and the one demo
instructor never in two places at once); bookings are made through the engine
(courses.sessions.book_session), so the counters, waitlist numbers and events are
what real trainees would leave: some sessions full with a waitlist, some half
empty, some with seats reserved for a community (courses.booking.reserve_seats).

The engine books only sessions still open, so a past session is created in the
future, booked, and then moved back to the day its class met, with its bookings
and their events dated before it. The demo people were never e-mailed: the
events are marked as notified, so the worker of `make run` sends nothing about
them.

Idempotent: a class that already has sessions is left alone, so seeding twice
adds nothing. Runs after the classes and enrolments of courses.demo.
"""

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from courses import booking, scheduling, services
from courses import sessions as class_sessions
from courses.models import (
    BookableSession,
    Booking,
    BookingEvent,
    ClassSession,
    Enrollment,
    TrainingClass,
)
from school.models import Level, OrgUnit, PracticeSite, User

# Classes under way (and the next to start) that get sessions, at most.
CURRENT_CLASSES = 3
UPCOMING_CLASSES = 1
# The latest past classes held at a site whose session is kept, at most.
PAST_CLASSES = 2
SERIES_WEEKS = 4
# (start hour, end hour) of the three slots of a practice day.
SLOTS = [(9, 11), (14, 16), (19, 21)]
TOPICS = [
    "入户走访实操",
    "矛盾纠纷调解演练",
    "应急疏散演练",
    "网格信息采集实操",
    "便民服务体验",
    "居民议事协商模拟",
    "志愿服务岗位体验",
]
SESSION_NOTES = "请提前 10 分钟到场签到，携带身份证；如不能参加请在预约截止前取消。"
FULL_SEATS = 6  # seats of the sessions that fill up
WAITLIST_DEMO = 2  # how many wait beyond the seats of a full session
QUOTA_SEATS = 4
COMMUNITIES_PER_CLASS = 6
ONLINE_BOOKINGS = 6
# Where a past session is booked before it is moved back: beyond the demo's
# current timetable.
PAST_BOOKED_AHEAD = timedelta(days=90)


def _at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def seed_sessions(
    *, admin: User | None, instructor: User | None, communities: list[OrgUnit]
) -> tuple[int, int]:
    """Sessions and bookings for the demo classes that have none yet; the classes
    under way take in the trainees of `communities` (in bulk, a few communities
    each) to book them. Returns (sessions created, bookings made)."""
    if admin is None:
        return 0, 0
    sites = list(PracticeSite.objects.filter(is_active=True).order_by("pk"))
    demo_trainee = User.objects.filter(phone="13800000004").first()
    seeded = set(
        ClassSession.objects.values_list("training_class_id", flat=True).distinct()
    )
    sessions_before = ClassSession.objects.count()
    bookings_before = Booking.objects.count()
    last_event = BookingEvent.objects.order_by("-pk").values_list("pk", flat=True)
    events_before = last_event.first() or 0

    today = timezone.localdate()
    current = [c for c in _current_classes(today) if c.pk not in seeded]
    for index, training_class in enumerate(current):
        for turn in range(COMMUNITIES_PER_CLASS):
            if communities:
                community = communities[
                    (index * COMMUNITIES_PER_CLASS + turn) % len(communities)
                ]
                services.bulk_enroll(training_class, org_unit=community, actor=admin)
    if current and sites:
        _seed_current(
            current,
            sites,
            today=today,
            admin=admin,
            instructor=instructor,
            demo_trainee=demo_trainee,
        )
    for index, training_class in enumerate(_past_site_classes(today)):
        if training_class.pk not in seeded:
            _seed_past(
                training_class,
                starts_at=_at(today + PAST_BOOKED_AHEAD + timedelta(days=index), 9),
                admin=admin,
                instructor=instructor,
            )

    created = ClassSession.objects.count() - sessions_before
    if created:
        # Nobody of the demo is told about these bookings (see the module's note).
        BookingEvent.objects.filter(
            pk__gt=events_before, notified_at__isnull=True
        ).update(notified_at=timezone.now())
    return created, Booking.objects.count() - bookings_before


def _current_classes(today: date) -> list[TrainingClass]:
    """The classes under way and the next to start, open to everyone (no
    approval, no prerequisite, no level), oldest first."""
    open_to_all = TrainingClass.objects.filter(
        is_active=True,
        requires_approval=False,
        course__minimum_level=Level.RESIDENT,
        course__prerequisites__isnull=True,
    ).order_by("starts_on", "pk")
    under_way = open_to_all.filter(starts_on__lte=today, ends_on__gte=today)
    upcoming = open_to_all.filter(starts_on__gt=today)
    return [*under_way[:CURRENT_CLASSES], *upcoming[:UPCOMING_CLASSES]]


def _past_site_classes(today: date) -> list[TrainingClass]:
    """The latest classes already held at a practice site, with trainees."""
    return list(
        TrainingClass.objects.filter(ends_on__lt=today, practice_site__isnull=False)
        .annotate(
            trainees=Count(
                "enrollments",
                filter=Q(enrollments__status__in=Enrollment.SEAT_STATUSES),
            )
        )
        .filter(trainees__gt=0)
        .select_related("practice_site")
        .order_by("-ends_on", "-pk")[:PAST_CLASSES]
    )


def _trainees_of(training_class: TrainingClass, *, leave_out: User | None) -> list:
    return [
        enrollment.trainee
        for enrollment in Enrollment.objects.filter(
            training_class=training_class, status__in=Enrollment.SEAT_STATUSES
        )
        .exclude(trainee=leave_out)
        .select_related("trainee__org_unit")
        .order_by("trainee__phone")
    ]


def _create(
    training_class: TrainingClass,
    *,
    starts_at: datetime,
    hours: int,
    seats: int,
    site: PracticeSite | None,
    title: str,
    admin: User,
    instructor: User | None,
    weeks: int = 1,
) -> list[ClassSession]:
    """Schedule a session (or a weekly series) through courses.scheduling, which
    keeps the site's capacity and the instructor's timetable."""
    return scheduling.create_sessions(
        training_class,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=hours),
        actor=admin,
        practice_site=site,
        meeting_url=(
            "" if site else f"https://meeting.example.cn/gridschool/{training_class.pk}"
        ),
        seats=seats,
        title=title,
        notes=SESSION_NOTES if site else "",
        instructors=[instructor] if instructor else [],
        repeat=weeks,
    )


class _Timetable:
    """The practice slots of the coming days, handed out in order so that the one
    demo instructor is never in two sessions at once."""

    def __init__(self, first_day: date):
        self.first_day = first_day
        self.next = 0
        self.taken: set[tuple[int, int]] = set()

    def take(self, *, weeks: int = 1) -> tuple[datetime, int]:
        """The start of the next free slot (free `weeks` weeks running) and its
        length in hours."""
        while True:
            day, slot = divmod(self.next, len(SLOTS))
            self.next += 1
            wanted = {(day + 7 * week, slot) for week in range(weeks)}
            if not wanted & self.taken:
                self.taken |= wanted
                start, end = SLOTS[slot]
                return _at(self.first_day + timedelta(days=day), start), end - start


def _book(session: ClassSession, people: Iterable[User]) -> None:
    for person in people:
        class_sessions.book_session(session, trainee=person, actor=person)


def _seed_current(
    classes: list[TrainingClass],
    sites: list[PracticeSite],
    *,
    today: date,
    admin: User,
    instructor: User | None,
    demo_trainee: User | None,
) -> None:
    """Each site hosts one session of one class in the coming two weeks; each
    class also meets online once; the first class meets weekly at its first
    site. A quarter of them fill up with a waitlist, a quarter keep seats for a
    community, the others are half full or just opened."""
    trainees = {c.pk: _trainees_of(c, leave_out=demo_trainee) for c in classes}
    # 陈学员 holds a seat in one session of each of their classes and waits for
    # another.
    mine = set()
    if demo_trainee is not None:
        mine = set(
            Enrollment.objects.filter(
                trainee=demo_trainee,
                training_class__in=classes,
                status__in=Enrollment.SEAT_STATUSES,
            ).values_list("training_class_id", flat=True)
        )
    # Classes whose seat (waiting place) 陈学员 still has to be given.
    to_seat, to_wait = set(mine), set(mine)

    timetable = _Timetable(today + timedelta(days=2))
    for index, site in enumerate(sites):
        training_class = classes[index % len(classes)]
        people = trainees[training_class.pk]
        pattern = (index // len(classes)) % 4
        if pattern == 0:  # full, with a waitlist
            seats = max(2, min(site.capacity, len(people) - WAITLIST_DEMO, FULL_SEATS))
            wanted = seats + WAITLIST_DEMO
        elif pattern in (1, 2):  # half full; 2: seats kept for a community
            seats = min(site.capacity, 2 * FULL_SEATS)
            wanted = FULL_SEATS // 2
        else:  # just opened
            seats = site.capacity
            wanted = 2
        weeks = SERIES_WEEKS if index == 0 else 1
        starts_at, hours = timetable.take(weeks=weeks)
        created = _create(
            training_class,
            starts_at=starts_at,
            hours=hours,
            seats=seats,
            site=site,
            title=TOPICS[index % len(TOPICS)],
            admin=admin,
            instructor=instructor,
            weeks=weeks,
        )
        for week, session in enumerate(created):
            # A different slice of the class for each session, so that many of
            # the class's trainees hold a booking somewhere; later weeks of the
            # series are still filling up.
            offset = (index * 5 + week * 3) % max(len(people), 1)
            turn = (people[offset:] + people[:offset])[: wanted if week == 0 else 3]
            if pattern == 2 and turn:
                # Seats kept for the community of the first to book (and the
                # grids beneath it), whose neighbours have not booked yet.
                booking.reserve_seats(
                    session,
                    org_unit=turn[0].org_unit.get_parent() or turn[0].org_unit,
                    seats=min(QUOTA_SEATS, seats),
                    actor=admin,
                )
            if pattern == 1 and training_class.pk in to_seat:
                to_seat.discard(training_class.pk)
                turn.insert(0, demo_trainee)
            if pattern == 0 and training_class.pk in to_wait:
                to_wait.discard(training_class.pk)
                turn.append(demo_trainee)
            _book(session, turn)

    for index, training_class in enumerate(classes):
        starts_at, hours = timetable.take()
        (session,) = _create(
            training_class,
            starts_at=starts_at,
            hours=hours,
            seats=100,
            site=None,
            title="线上答疑",
            admin=admin,
            instructor=instructor,
        )
        _book(session, trainees[training_class.pk][index::2][:ONLINE_BOOKINGS])


def _seed_past(
    training_class: TrainingClass,
    *,
    starts_at: datetime,
    admin: User,
    instructor: User | None,
) -> None:
    """The session of a class held at a site: scheduled at `starts_at` (to come,
    clear of the other demo sessions), booked by its trainees (the last few
    waited in vain), then moved back to the morning the class met."""
    people = _trainees_of(training_class, leave_out=None)
    site = training_class.practice_site
    start, end = SLOTS[0]
    (session,) = _create(
        training_class,
        starts_at=starts_at,
        hours=end - start,
        seats=max(1, min(site.capacity, len(people) - 2)),
        site=site,
        title=TOPICS[training_class.pk % len(TOPICS)],
        admin=admin,
        instructor=instructor,
    )
    _book(session, people)
    _move_back(session, _at(training_class.starts_on, start))


@transaction.atomic
def _move_back(session: ClassSession, starts_at: datetime) -> None:
    """Move a freshly booked session (its bookings and their events) to
    `starts_at`, bookings dated three days before it."""
    shift = starts_at - session.starts_at
    booked_at = starts_at - timedelta(days=3)
    BookableSession.objects.filter(pk=session.pk).update(
        starts_at=starts_at,
        ends_at=session.ends_at + shift,
        booking_closes_at=session.booking_closes_at + shift,
        created_at=booked_at - timedelta(days=7),
    )
    bookings = Booking.objects.filter(session_id=session.pk)
    bookings.update(created_at=booked_at)
    bookings.filter(status=Booking.Status.CONFIRMED).update(confirmed_at=booked_at)
    BookingEvent.objects.filter(booking__session_id=session.pk).update(
        created_at=booked_at
    )
