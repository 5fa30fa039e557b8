"""Scheduling class sessions: repeating series and the two rules a timetable keeps.

- A practice site holds at most its capacity at any moment: the seats of the
  sessions running there at the same time, this one included, never exceed
  `PracticeSite.capacity`.
- An instructor is in one session at a time.

Cancelled sessions take no room and no one's time. `create_sessions` makes one
session or a whole series in one transaction: if any occurrence breaks a rule,
nothing is created and every collision is named (`SessionConflictError`).
"""

import math
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from courses import booking
from courses.models import Booking, ClassSession, TrainingClass
from school.models import PracticeSite, User

# Left empty, the booking cut-off is this long before the start: trainees and the
# site know a day ahead who is coming.
DEFAULT_BOOKING_CUTOFF_BEFORE_START = timedelta(hours=24)

# A series longer than a year is a typing mistake, not a timetable.
MAX_OCCURRENCES = 52


def series_starts(
    first_start: datetime,
    *,
    weeks: int | None = None,
    count: int | None = None,
    every_days: int = 7,
) -> list[datetime]:
    """The starts of a repeating series: the first start, then one every
    `every_days` days at the same local clock time (in first_start's time zone).

    Give either `count` (how many occurrences) or `weeks` (every occurrence that
    starts within that many weeks of the first): every Tuesday 19:00 for 6 weeks
    is `series_starts(tuesday_19h, weeks=6)`, six starts.
    """
    if timezone.is_naive(first_start):
        raise ValueError("series_starts needs a timezone-aware datetime")
    if (weeks is None) == (count is None):
        raise ValueError("give exactly one of weeks or count")
    if every_days < 1:
        raise ValueError("every_days must be at least 1")
    if count is None:
        count = math.ceil(weeks * 7 / every_days)
    if count < 1:
        raise ValueError("a series has at least one occurrence")
    # Wall-clock arithmetic: adding days to an aware datetime keeps its local time
    # and recomputes the offset, so 19:00 stays 19:00 across a DST change.
    return [first_start + timedelta(days=every_days * i) for i in range(count)]


def _excluded(exclude) -> list[int]:
    if exclude is None:
        return []
    if isinstance(exclude, (int, ClassSession)):
        exclude = [exclude]
    return [item.pk if isinstance(item, ClassSession) else item for item in exclude]


def _live_overlapping(starts_at: datetime, ends_at: datetime, exclude):
    return (
        ClassSession.objects.not_cancelled()
        .overlapping(starts_at, ends_at)
        .exclude(pk__in=_excluded(exclude))
        .select_related("training_class__course", "practice_site")
        .order_by("starts_at", "pk")
    )


def site_conflicts(
    practice_site: PracticeSite | None,
    starts_at: datetime,
    ends_at: datetime,
    seats: int,
    exclude=None,
) -> list[ClassSession]:
    """The site's live sessions that, with this one (`seats` seats from starts_at
    to ends_at), would fill the site beyond its capacity at some moment; empty
    when it fits. An online session (no site) never collides. `exclude`: a
    session (or pk, or several) to leave out, e.g. the one being edited."""
    if practice_site is None:
        return []
    overlapping = list(
        _live_overlapping(starts_at, ends_at, exclude).filter(
            practice_site=practice_site
        )
    )
    colliding: dict[int, ClassSession] = {}
    # The load only rises when a session starts, so the moments to look at are
    # this session's start and every later start inside its window.
    moments = {starts_at} | {
        s.starts_at for s in overlapping if s.starts_at > starts_at
    }
    for moment in sorted(moments):
        running = [s for s in overlapping if s.starts_at <= moment < s.ends_at]
        if seats + sum(s.seats for s in running) > practice_site.capacity:
            colliding.update((s.pk, s) for s in running)
    return sorted(colliding.values(), key=lambda s: (s.starts_at, s.pk))


def instructor_conflicts(
    instructors: Iterable[User],
    starts_at: datetime,
    ends_at: datetime,
    exclude=None,
) -> list[ClassSession]:
    """Live sessions overlapping this time that one of these instructors already
    teaches (each with `busy_instructors`: which of them)."""
    wanted = {person.pk: person for person in instructors}
    if not wanted:
        return []
    taught = (
        ClassSession.instructors.through.objects.filter(
            user_id__in=wanted,
            classsession__in=_live_overlapping(starts_at, ends_at, exclude).values(
                "pk"
            ),
        )
        .values_list("classsession_id", "user_id")
        .order_by()
    )
    busy: dict[int, list[User]] = {}
    for session_id, user_id in taught:
        busy.setdefault(session_id, []).append(wanted[user_id])
    sessions = list(_live_overlapping(starts_at, ends_at, exclude).filter(pk__in=busy))
    for session in sessions:
        session.busy_instructors = sorted(busy[session.pk], key=lambda u: u.pk)
    return sessions


@dataclass(frozen=True)
class Conflict:
    """One collision of a planned occurrence with an existing session."""

    starts_at: datetime  # the planned occurrence
    session: ClassSession  # the session it collides with
    kind: str  # "site" or "instructor"
    instructors: tuple[User, ...] = ()

    @property
    def message(self) -> str:
        when = date_format(timezone.localtime(self.starts_at), "Y-m-d H:i")
        other = describe_session(self.session)
        if self.kind == "site":
            return _(
                "%(when)s 的场次与“%(other)s”时间重叠，同一时段座位合计超过教学点容量"
                "（%(capacity)s 人）。"
            ) % {
                "when": when,
                "other": other,
                "capacity": self.session.practice_site.capacity,
            }
        return _(
            "%(when)s 的场次与“%(other)s”时间重叠，讲师 %(names)s 不能同时上两场课。"
        ) % {
            "when": when,
            "other": other,
            "names": "、".join(person.real_name for person in self.instructors),
        }


def describe_session(session: ClassSession) -> str:
    """培训班 · 主题 · 2026-12-08 19:00-21:00 · 地点: how a colliding session is named."""
    start = timezone.localtime(session.starts_at)
    end = timezone.localtime(session.ends_at)
    when = date_format(start, "Y-m-d H:i") + "-" + date_format(end, "H:i")
    parts = [str(session.training_class)]
    if session.title:
        parts.append(session.title)
    parts.append(when)
    parts.append(session.practice_site.name if session.practice_site else _("线上"))
    return " · ".join(parts)


class SessionConflictError(ValidationError):
    """The planned sessions break a timetable rule; `conflicts` names each one."""

    def __init__(self, conflicts: list[Conflict]):
        self.conflicts = conflicts
        super().__init__([conflict.message for conflict in conflicts])


def find_conflicts(
    starts: Iterable[datetime],
    *,
    duration: timedelta,
    practice_site: PracticeSite | None,
    seats: int,
    instructors: Iterable[User],
    exclude=None,
) -> list[Conflict]:
    """Every collision of every planned occurrence (site first, then
    instructors), in the order of the occurrences."""
    instructors = list(instructors)
    conflicts = []
    for start in starts:
        end = start + duration
        for session in site_conflicts(practice_site, start, end, seats, exclude):
            conflicts.append(Conflict(start, session, "site"))
        for session in instructor_conflicts(instructors, start, end, exclude):
            conflicts.append(
                Conflict(start, session, "instructor", tuple(session.busy_instructors))
            )
    return conflicts


def lock_timetable(
    practice_site: PracticeSite | None, instructors: Iterable[User]
) -> None:
    """Serialise scheduling at one site and for the same instructors: two
    administrators saving overlapping sessions at once would each see the other's
    not yet committed. Rows are locked site first, then people by id (no-op on
    SQLite, whose writers are serialised already)."""
    if practice_site is not None:
        list(
            PracticeSite.objects.select_for_update(no_key=True)
            .filter(pk=practice_site.pk)
            .values_list("pk")
        )
    ids = sorted(person.pk for person in instructors)
    if ids:
        list(
            User.objects.select_for_update(no_key=True)
            .filter(pk__in=ids)
            .order_by("pk")
            .values_list("pk")
        )


@dataclass(frozen=True)
class Plan:
    """A session's timing and seats, checked, with the defaults filled in."""

    starts_at: datetime
    ends_at: datetime
    seats: int
    booking_closes_at: datetime
    quota_release_at: datetime | None

    @property
    def duration(self) -> timedelta:
        return self.ends_at - self.starts_at


def check_plan(
    *,
    starts_at: datetime,
    ends_at: datetime,
    practice_site: PracticeSite | None,
    meeting_url: str = "",
    seats: int | None = None,
    booking_closes_at: datetime | None = None,
    quota_release_at: datetime | None = None,
) -> Plan:
    """The rules of one session's own fields. Seats default to the site's capacity
    and may not exceed it; an online session needs a meeting link and its seats;
    the cut-off defaults to 24 hours before the start and falls by the start; unit
    quotas are released by the cut-off. Raises ValidationError keyed by field."""
    errors: dict[str, str] = {}
    if ends_at <= starts_at:
        errors["ends_at"] = _("结束时间须晚于开始时间。")
    if practice_site is None:
        if not meeting_url:
            errors["meeting_url"] = _("线上场次须填写会议链接。")
        if seats is None:
            errors["seats"] = _("线上场次须填写座位数。")
    elif seats is None:
        seats = practice_site.capacity
    elif seats > practice_site.capacity:
        errors["seats"] = _(
            "座位数不能超过教学点“%(site)s”的容量（%(capacity)s 人）。"
        ) % {
            "site": practice_site.name,
            "capacity": practice_site.capacity,
        }
    if seats is not None and seats < 1:
        errors["seats"] = _("座位数至少为 1。")
    if booking_closes_at is None:
        booking_closes_at = starts_at - DEFAULT_BOOKING_CUTOFF_BEFORE_START
    elif booking_closes_at > starts_at:
        errors["booking_closes_at"] = _("预约截止时间不能晚于开始时间。")
    if quota_release_at is not None and quota_release_at > booking_closes_at:
        errors["quota_release_at"] = _("预留座位释放时间不能晚于预约截止时间。")
    if errors:
        raise ValidationError(errors)
    return Plan(starts_at, ends_at, seats, booking_closes_at, quota_release_at)


@transaction.atomic(durable=True)
def create_sessions(
    training_class: TrainingClass,
    *,
    starts_at: datetime,
    ends_at: datetime,
    actor: User,
    practice_site: PracticeSite | None = None,
    meeting_url: str = "",
    seats: int | None = None,
    booking_closes_at: datetime | None = None,
    quota_release_at: datetime | None = None,
    title: str = "",
    notes: str = "",
    instructors: Iterable[User] = (),
    repeat: int = 1,
    every_days: int = 7,
) -> list[ClassSession]:
    """Create one session, or `repeat` of them every `every_days` days at the same
    local time, all or nothing.

    The fields follow `check_plan`; the cut-off and the quota release keep their
    distance to the start in every occurrence. Raises SessionConflictError naming
    every collision of every occurrence, or ValidationError (keyed by field) for
    anything else; either way nothing is created. (`actor`: who schedules; the
    sessions carry no author field yet.)
    """
    instructors = list(instructors)
    plan = check_plan(
        starts_at=starts_at,
        ends_at=ends_at,
        practice_site=practice_site,
        meeting_url=meeting_url,
        seats=seats,
        booking_closes_at=booking_closes_at,
        quota_release_at=quota_release_at,
    )
    if not 1 <= repeat <= MAX_OCCURRENCES:
        raise ValidationError(
            {"repeat": _("重复次数须在 1 到 %(max)s 之间。") % {"max": MAX_OCCURRENCES}}
        )
    if repeat > 1 and plan.duration >= timedelta(days=every_days):
        raise ValidationError({"repeat": _("场次时长不短于重复间隔，各场会相互重叠。")})
    cutoff = plan.starts_at - plan.booking_closes_at
    release = (
        plan.starts_at - plan.quota_release_at
        if plan.quota_release_at is not None
        else None
    )

    lock_timetable(practice_site, instructors)
    starts = series_starts(
        timezone.localtime(plan.starts_at), count=repeat, every_days=every_days
    )
    conflicts = find_conflicts(
        starts,
        duration=plan.duration,
        practice_site=practice_site,
        seats=plan.seats,
        instructors=instructors,
    )
    if conflicts:
        raise SessionConflictError(conflicts)

    series = uuid.uuid4() if repeat > 1 else None
    created = []
    for start in starts:
        session = ClassSession.objects.create(
            training_class=training_class,
            title=title,
            practice_site=practice_site,
            meeting_url=meeting_url if practice_site is None else "",
            notes=notes,
            seats=plan.seats,
            starts_at=start,
            ends_at=start + plan.duration,
            booking_closes_at=start - cutoff,
            quota_release_at=start - release if release is not None else None,
            series=series,
        )
        session.instructors.set(instructors)
        created.append(session)
    return created


# The fields an edit writes itself (seats move only through booking.change_seats);
# the counters (confirmed_count, open_seats_taken, reserved_seats, waitlist_issued,
# sequence) are never among them.
EDITED_FIELDS = (
    "training_class",
    "title",
    "practice_site",
    "meeting_url",
    "starts_at",
    "ends_at",
    "booking_closes_at",
    "quota_release_at",
    "notes",
)
# A change of any of these moves the session in the booked people's calendars.
WHEN_AND_WHERE = ("starts_at", "ends_at", "practice_site", "meeting_url")


@dataclass(frozen=True)
class SessionUpdate:
    """What an edit did: the fields it changed, and how many booked people were
    told of a new time or place (None: neither changed)."""

    changed: tuple[str, ...]
    rescheduled: int | None


def update_session(
    session: ClassSession,
    *,
    actor: User,
    training_class: TrainingClass,
    starts_at: datetime,
    ends_at: datetime,
    practice_site: PracticeSite | None = None,
    meeting_url: str = "",
    seats: int | None = None,
    booking_closes_at: datetime | None = None,
    quota_release_at: datetime | None = None,
    title: str = "",
    notes: str = "",
    instructors: Iterable[User] = (),
) -> SessionUpdate:
    """Edit a session's own fields without touching its counters.

    Reads the session afresh (a booking may have come in since the form was
    loaded), checks `check_plan` and the timetable (this session left out), then
    changes the seats through booking.change_seats, which refuses fewer seats than
    are confirmed; writes only the edited columns; and, when the time or place
    changed, calls booking.reschedule (SEQUENCE+1, the booked are told). Each engine
    call is its own transaction (they are durable): the seats first, as the one
    step a booking made meanwhile can refuse, so a refusal changes nothing.
    """
    instructors = list(instructors)
    current = ClassSession.objects.select_related("practice_site").get(pk=session.pk)
    if current.is_cancelled:
        raise ValidationError(_("该场次已取消，不能再修改。"))
    plan = check_plan(
        starts_at=starts_at,
        ends_at=ends_at,
        practice_site=practice_site,
        meeting_url=meeting_url,
        seats=seats,
        booking_closes_at=booking_closes_at,
        quota_release_at=quota_release_at,
    )
    if (
        training_class.pk != current.training_class_id
        and Booking.objects.live().filter(session_id=current.pk).exists()
    ):
        raise ValidationError(
            {"training_class": _("该场次已有学员预约，不能更换培训班。")}
        )
    if plan.seats < current.confirmed_count:
        raise ValidationError(
            {
                "seats": _("已有 %(count)s 人预约成功，座位数不能少于 %(count)s。")
                % {"count": current.confirmed_count}
            }
        )
    conflicts = find_conflicts(
        [plan.starts_at],
        duration=plan.duration,
        practice_site=practice_site,
        seats=plan.seats,
        instructors=instructors,
        exclude=current,
    )
    if conflicts:
        raise SessionConflictError(conflicts)

    seats_changed = plan.seats != current.seats
    if seats_changed:
        try:
            booking.change_seats(current, seats=plan.seats, actor=actor)
        except ValidationError as error:
            raise ValidationError({"seats": error.messages}) from error

    values = {
        "training_class": training_class,
        "title": title,
        "practice_site": practice_site,
        "meeting_url": meeting_url if practice_site is None else "",
        "starts_at": plan.starts_at,
        "ends_at": plan.ends_at,
        "booking_closes_at": plan.booking_closes_at,
        "quota_release_at": plan.quota_release_at,
        "notes": notes,
    }
    changed = [name for name in EDITED_FIELDS if getattr(current, name) != values[name]]
    with transaction.atomic():
        lock_timetable(practice_site, instructors)
        # Checked again under the lock: another session may have been saved at
        # this site or for these instructors since the first look.
        conflicts = find_conflicts(
            [plan.starts_at],
            duration=plan.duration,
            practice_site=practice_site,
            seats=plan.seats,
            instructors=instructors,
            exclude=current,
        )
        if conflicts:
            raise SessionConflictError(conflicts)
        for name, value in values.items():
            setattr(current, name, value)
        if changed:
            current.save(update_fields=changed)
        if set(current.instructors.all()) != set(instructors):
            current.instructors.set(instructors)
            changed.append("instructors")
    if seats_changed:
        changed.append("seats")
    rescheduled = None
    if any(name in changed for name in WHEN_AND_WHERE):
        rescheduled = Booking.objects.live().filter(session_id=current.pk).count()
        booking.reschedule(
            current,
            actor=actor,
            note=_("新的时间和地点：%(session)s")
            % {"session": describe_session(current)},
        )
    return SessionUpdate(tuple(changed), rescheduled)
