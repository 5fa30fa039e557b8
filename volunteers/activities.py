"""Community activities: proposing one in a community space, the space staff's
decision, residents signing up through the booking engine, cancelling, and the
service it earns (the organiser's delivered hours, the helpers' hours).

A proposal holds no time in its space; approval does. Approval locks the space's
row first (FOR UPDATE on PostgreSQL; SQLite's IMMEDIATE transactions serialise
writers), so two staff approving two proposals for the same evening at once
approve one and refuse the other, naming it. Seats, waitlist, cut-off and
reminders are the engine's (courses.booking); who may sign up is this module's
audience rule, asked by the engine.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from courses import booking
from courses.models import AttendanceRecord, Booking
from courses.reports.figures import ATTENDED
from school.models import Level, OrgUnit, User
from school.permissions import user_is_school_admin
from volunteers import redemptions, services
from volunteers.models import (
    Activity,
    ActivityEvent,
    ActivitySession,
    CommunitySpace,
    OpeningHours,
    PointItem,
    Redemption,
    ServiceRecord,
    ServiceRecordEvent,
)

Status = Activity.Status
Event = ActivityEvent.Kind

# Local time from which an hour counts as evening (夜间) in the utilisation report.
EVENING_FROM = time(18, 0)
# Sign-up closes this long before a session starts; a session must be proposed
# at least this far ahead.
SIGNUP_CLOSES_BEFORE = timedelta(hours=1)
# At most this many sessions in one activity (a year of weekly night school).
MAX_SESSIONS = 52
ORGANISING_ITEM_NAME = "社区活动组织"
HELPING_ITEM_NAME = "社区活动协助"


@dataclass(frozen=True)
class Slot:
    """A proposed session's time."""

    starts_at: datetime
    ends_at: datetime

    def label(self) -> str:
        start = timezone.localtime(self.starts_at)
        end = timezone.localtime(self.ends_at)
        return (
            f"{date_format(start, 'Y-m-d')} {_weekday(start.date())} "
            f"{start:%H:%M}—{end:%H:%M}"
        )


def _weekday(day: date) -> str:
    return OpeningHours.Weekday(day.weekday()).label


def weekly_slots(starts_at: datetime, ends_at: datetime, weeks: int) -> list[Slot]:
    """A weekly series: the same local time on `weeks` consecutive weeks."""
    start, end = timezone.localtime(starts_at), timezone.localtime(ends_at)
    slots = []
    for week in range(max(1, weeks)):
        day = start.date() + timedelta(weeks=week)
        slots.append(
            Slot(
                timezone.make_aware(datetime.combine(day, start.time())),
                timezone.make_aware(
                    datetime.combine(day + (end.date() - start.date()), end.time())
                ),
            )
        )
    return slots


def split_minutes(starts_at: datetime, ends_at: datetime) -> tuple[int, int]:
    """(day, evening) minutes of a stretch of one local day, split at
    EVENING_FROM."""
    start, end = timezone.localtime(starts_at), timezone.localtime(ends_at)
    evening = timezone.make_aware(datetime.combine(start.date(), EVENING_FROM))
    total = int((end - start).total_seconds() // 60)
    day = int((min(end, evening) - start).total_seconds() // 60)
    day = max(0, min(day, total))
    return day, total - day


# --- who may do what ----------------------------------------------------------------


def user_staffs(user: User, space: CommunitySpace) -> bool:
    """Whether the user is one of the space's staff (who approve its use)."""
    if not user.is_authenticated or not user.is_active:
        return False
    return space.staff.filter(pk=user.pk).exists()


def spaces_staffed_by(user: User):
    """The spaces whose use the user approves."""
    if not user.is_authenticated or not user.is_active:
        return CommunitySpace.objects.none()
    return CommunitySpace.objects.filter(staff=user)


def user_can_propose(user: User) -> bool:
    """Community managers (社区主理人), the staff of any space and school
    administrators propose activities."""
    if not user.is_authenticated or not user.is_active:
        return False
    return (
        user.level == Level.MANAGER
        or user_is_school_admin(user)
        or spaces_staffed_by(user).exists()
    )


def user_runs(user: User, activity: Activity) -> bool:
    """The organiser and the space's staff run an activity (its rosters, its
    check-in, its helpers, cancelling it)."""
    if not user.is_authenticated or not user.is_active:
        return False
    return activity.organiser_id == user.pk or user_staffs(user, activity.space)


def propose_refusal(user: User) -> str | None:
    """Why the user may not propose an activity, saying what to do next."""
    if user_can_propose(user):
        return None
    return _(
        "社区主理人才能发起社区活动。查看“我的成长”了解如何成为社区主理人；"
        "如需借用空间，请联系社区工作人员。"
    )


# --- times, opening hours and conflicts --------------------------------------------


def _hours_label(stretches) -> str:
    return "、".join(f"{s.opens:%H:%M}—{s.closes:%H:%M}" for s in stretches)


def hours_refusal(space: CommunitySpace, slot: Slot, stretches=None) -> str | None:
    """Why the slot falls outside the space's opening hours, or None. A session
    lies within one stretch of its own local day."""
    start, end = timezone.localtime(slot.starts_at), timezone.localtime(slot.ends_at)
    if stretches is None:
        stretches = list(space.opening_hours.all())
    today = [s for s in stretches if s.weekday == start.weekday()]
    if not today:
        return _("%(space)s%(weekday)s不开放，场次 %(slot)s 不能安排。") % {
            "space": space.name,
            "weekday": _weekday(start.date()),
            "slot": slot.label(),
        }
    if end.date() != start.date() or not any(
        s.opens <= start.time() and end.time() <= s.closes for s in today
    ):
        return _(
            "场次 %(slot)s 不在%(space)s的开放时间内（%(weekday)s %(hours)s）。"
        ) % {
            "slot": slot.label(),
            "space": space.name,
            "weekday": _weekday(start.date()),
            "hours": _hours_label(today),
        }
    return None


def holders(
    space: CommunitySpace, slots: list[Slot], *, excluding: Activity | None = None
) -> list[ActivitySession]:
    """The approved, uncancelled sessions of other activities in the space that
    overlap the stretch from the first slot to the last, soonest first: one
    query, however many slots are asked about."""
    if not slots:
        return []
    sessions = (
        ActivitySession.objects.approved()
        .in_space(space)
        .not_cancelled()
        .overlapping(
            min(slot.starts_at for slot in slots), max(slot.ends_at for slot in slots)
        )
        .select_related("activity__organiser")
        .order_by("starts_at")
    )
    if excluding is not None:
        sessions = sessions.exclude(activity=excluding)
    return list(sessions)


def taken_by(
    space: CommunitySpace,
    slot: Slot,
    *,
    excluding: Activity | None = None,
    among: list[ActivitySession] | None = None,
) -> ActivitySession | None:
    """The approved, uncancelled session of another activity that holds the space
    at any moment of the slot, or None; `among` is what `holders` found for a
    stretch that covers the slot."""
    if among is None:
        among = holders(space, [slot], excluding=excluding)
    return next(
        (s for s in among if s.starts_at < slot.ends_at and s.ends_at > slot.starts_at),
        None,
    )


def conflict_message(slot: Slot, session: ActivitySession) -> str:
    """The refusal that names the colliding booking."""
    other = Slot(session.starts_at, session.ends_at)
    return _(
        "场次 %(slot)s 与已通过的活动“%(title)s”（%(other)s，发起人 %(organiser)s）"
        "时间冲突，该空间已被占用。请换一个时间或空间。"
    ) % {
        "slot": slot.label(),
        "title": session.activity.title,
        "other": other.label(),
        "organiser": session.activity.organiser.real_name,
    }


def slot_refusals(
    space: CommunitySpace,
    slots: list[Slot],
    *,
    excluding: Activity | None = None,
    now: datetime | None = None,
) -> list[str]:
    """Everything wrong with these times in this space: each problem once, in
    order, so the form shows them all at once."""
    now = now or timezone.now()
    problems = []
    if not slots:
        return [_("请至少安排一个场次。")]
    if len(slots) > MAX_SESSIONS:
        problems.append(_("一项活动最多 %(count)s 个场次。") % {"count": MAX_SESSIONS})
    stretches = list(space.opening_hours.all())
    ordered = sorted(slots, key=lambda s: s.starts_at)
    held = holders(space, ordered, excluding=excluding)
    for index, slot in enumerate(ordered):
        if slot.ends_at <= slot.starts_at:
            problems.append(
                _("场次 %(slot)s 的结束时间须晚于开始时间。") % {"slot": slot.label()}
            )
            continue
        if slot.starts_at < now + SIGNUP_CLOSES_BEFORE:
            problems.append(
                _("场次 %(slot)s 须在 %(hours)s 小时后开始，以便居民报名。")
                % {
                    "slot": slot.label(),
                    "hours": int(SIGNUP_CLOSES_BEFORE.total_seconds() // 3600),
                }
            )
            continue
        if index and ordered[index - 1].ends_at > slot.starts_at:
            problems.append(
                _("场次 %(slot)s 与本活动的另一场次时间重叠。") % {"slot": slot.label()}
            )
        if refusal := hours_refusal(space, slot, stretches):
            problems.append(refusal)
        elif found := taken_by(space, slot, among=held):
            problems.append(conflict_message(slot, found))
    return problems


# --- proposing and deciding ----------------------------------------------------------


def _audience_refusal(audience, unit, level) -> str | None:
    if audience == Activity.Audience.COMMUNITY:
        if unit is None or unit.kind not in (
            OrgUnit.Kind.COMMUNITY,
            OrgUnit.Kind.STREET,
        ):
            return _("请选择活动面向的社区或街道。")
    elif audience == Activity.Audience.LEVEL:
        if level not in Level.values:
            return _("请选择活动面向的等级。")
    elif audience != Activity.Audience.EVERYONE:
        return _("请选择活动面向的居民。")
    return None


@transaction.atomic(durable=True)
def propose_activity(
    *,
    organiser: User,
    title: str,
    kind: str,
    description: str,
    space: CommunitySpace,
    seats: int,
    slots: list[Slot],
    audience: str = Activity.Audience.EVERYONE,
    audience_unit: OrgUnit | None = None,
    audience_level: str = "",
    basis: str = Activity.Basis.GRANT,
    right: Redemption | None = None,
) -> Activity:
    """A manager (or staff) proposes an activity in a space, pending the space
    staff's decision: on a space-use right they redeemed (kept for it until the
    decision) or asking the staff for a grant. Refused, creating nothing, with
    every problem named: who proposes, the space, the seats, the audience, the
    right, and each session's time (opening hours, conflicts with approved
    activities)."""
    if refusal := propose_refusal(organiser):
        raise ValidationError(refusal)
    title, description = (title or "").strip(), (description or "").strip()
    problems = []
    if not title or not description:
        problems.append(_("请填写活动名称和活动介绍。"))
    if kind not in Activity.Kind.values:
        problems.append(_("请选择活动类型。"))
    if not space.is_active:
        problems.append(_("%(space)s暂停开放，请选择其他空间。") % {"space": space})
    if not 1 <= seats <= space.capacity:
        problems.append(
            _(
                "名额须在 1 到 %(capacity)s 人之间（%(space)s最多容纳 %(capacity)s 人）。"
            )
            % {"capacity": space.capacity, "space": space.name}
        )
    if refusal := _audience_refusal(audience, audience_unit, audience_level):
        problems.append(refusal)
    if basis == Activity.Basis.RIGHT:
        if (
            right is None
            or not redemptions.space_rights_of(organiser).filter(pk=right.pk).exists()
        ):
            problems.append(
                _(
                    "所选空间使用权不可用（已使用、已过期或已用于另一项申请）；"
                    "可改为申请社区工作人员授权。"
                )
            )
    elif basis == Activity.Basis.GRANT:
        right = None
    else:
        problems.append(_("请选择空间使用依据。"))
    problems += slot_refusals(space, slots)
    if problems:
        raise ValidationError(problems)
    try:
        with transaction.atomic():
            activity = Activity.objects.create(
                title=title[:60],
                kind=kind,
                description=description[:2000],
                space=space,
                organiser=organiser,
                seats=seats,
                audience=audience,
                audience_unit=(
                    audience_unit if audience == Activity.Audience.COMMUNITY else None
                ),
                audience_level=(
                    audience_level if audience == Activity.Audience.LEVEL else ""
                ),
                basis=basis,
                right=right,
            )
    except IntegrityError as error:  # the same right, proposed twice at once
        raise ValidationError(
            _("该空间使用权已用于另一项活动申请；可改为申请社区工作人员授权。")
        ) from error
    for slot in sorted(slots, key=lambda s: s.starts_at):
        day, evening = split_minutes(slot.starts_at, slot.ends_at)
        ActivitySession.objects.create(
            activity=activity,
            starts_at=slot.starts_at,
            ends_at=slot.ends_at,
            booking_closes_at=slot.starts_at - SIGNUP_CLOSES_BEFORE,
            seats=seats,
            day_minutes=day,
            evening_minutes=evening,
        )
    ActivityEvent.objects.create(
        activity=activity, kind=Event.PROPOSED, actor=organiser
    )
    return activity


def _decidable(activity: Activity, actor: User) -> Activity:
    activity = Activity.objects.select_related("space", "right").get(pk=activity.pk)
    if activity.organiser_id == actor.pk:
        raise ValidationError(
            _("不能审批自己发起的活动，请由该空间的其他工作人员审批。")
        )
    if not user_staffs(actor, activity.space):
        raise ValidationError(_("只有该空间的工作人员可以审批在这里举办的活动。"))
    return activity


def _decide(activity: Activity, *, actor: User, status: str, note: str) -> None:
    decided = Activity.objects.filter(pk=activity.pk, status=Status.PENDING).update(
        status=status, decided_by=actor, decided_at=timezone.now(), decision_note=note
    )
    if not decided:
        activity.refresh_from_db(fields=["status"])
        raise ValidationError(
            _("该申请已处理（%(status)s），无需重复操作。")
            % {"status": activity.get_status_display()}
        )
    activity.status = status


@transaction.atomic(durable=True)
def approve_activity(activity: Activity, *, actor: User, note: str = "") -> Activity:
    """The space's staff (never the organiser) approve a pending activity: its
    sessions then hold the space and take sign-ups. Refused, naming it, when a
    session collides with an activity approved meanwhile, falls outside the
    opening hours or has already begun; the organiser's right is spent."""
    activity = _decidable(activity, actor)
    # One approval per space at a time: the conflict check below stays true
    # until this transaction commits.
    CommunitySpace.objects.select_for_update().filter(pk=activity.space_id).first()
    sessions = list(activity.sessions.not_cancelled().order_by("starts_at"))
    now = timezone.now()
    problems = []
    stretches = list(activity.space.opening_hours.all())
    slots = [Slot(session.starts_at, session.ends_at) for session in sessions]
    held = holders(activity.space, slots, excluding=activity)
    for session, slot in zip(sessions, slots, strict=True):
        if session.starts_at <= now:
            problems.append(
                _("场次 %(slot)s 已开始，不能再审批通过；请退回，由发起人重新申请。")
                % {"slot": slot.label()}
            )
        elif refusal := hours_refusal(activity.space, slot, stretches):
            problems.append(refusal)
        elif found := taken_by(activity.space, slot, among=held):
            problems.append(conflict_message(slot, found))
    if not sessions:
        problems.append(_("该活动没有可举办的场次。"))
    if problems:
        raise ValidationError(problems)
    note = (note or "").strip()[:200]
    _decide(activity, actor=actor, status=Status.APPROVED, note=note)
    if activity.basis == Activity.Basis.RIGHT:
        redemptions.use_right(
            activity.right,
            actor=actor,
            note=_("用于社区活动：%(title)s") % {"title": activity.title},
        )
    ActivityEvent.objects.create(
        activity=activity, kind=Event.APPROVED, actor=actor, note=note
    )
    return activity


@transaction.atomic(durable=True)
def reject_activity(activity: Activity, *, actor: User, reason: str) -> Activity:
    """The space's staff turn a pending activity down, saying why; the organiser's
    right is free for another proposal."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("请填写未通过的原因，让发起人知道如何调整。"))
    activity = _decidable(activity, actor)
    _decide(activity, actor=actor, status=Status.REJECTED, note=reason[:200])
    ActivityEvent.objects.create(
        activity=activity, kind=Event.REJECTED, actor=actor, note=reason[:200]
    )
    return activity


@transaction.atomic(durable=True)
def withdraw_activity(activity: Activity, *, actor: User) -> Activity:
    """The organiser takes back a proposal not yet decided."""
    if activity.organiser_id != actor.pk:
        raise ValidationError(_("只有发起人可以撤回申请。"))
    withdrawn = Activity.objects.filter(pk=activity.pk, status=Status.PENDING).update(
        status=Status.WITHDRAWN
    )
    if not withdrawn:
        raise ValidationError(_("该申请已审批，不能撤回；已通过的活动可以取消。"))
    activity.status = Status.WITHDRAWN
    ActivityEvent.objects.create(activity=activity, kind=Event.WITHDRAWN, actor=actor)
    return activity


def cancel_activity(activity: Activity, *, actor: User, reason: str) -> int:
    """The organiser or the space's staff cancel an approved activity: no more
    sign-ups, and each session still to come is cancelled through the engine,
    which tells everyone booked. Returns how many bookings were cancelled."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("请填写取消原因，报名的居民会收到通知。"))
    if not user_runs(actor, activity):
        raise ValidationError(_("只有发起人或该空间的工作人员可以取消活动。"))
    with transaction.atomic(durable=True):
        cancelled = Activity.objects.filter(
            pk=activity.pk, status=Status.APPROVED
        ).update(
            status=Status.CANCELLED, cancelled_at=timezone.now(), cancel_reason=reason
        )
        if not cancelled:
            raise ValidationError(_("只有已通过且未取消的活动可以取消。"))
        ActivityEvent.objects.create(
            activity=activity, kind=Event.CANCELLED, actor=actor, note=reason[:200]
        )
    activity.status = Status.CANCELLED
    upcoming = activity.sessions.upcoming().order_by("pk")
    return sum(
        booking.cancel_session(session, actor=actor, reason=reason)
        for session in list(upcoming)
    )


def cancel_activity_session(
    session: ActivitySession, *, actor: User, reason: str
) -> int:
    """Cancel one session of an activity (the organiser or the space's staff)."""
    if not user_runs(actor, session.activity):
        raise ValidationError(_("只有发起人或该空间的工作人员可以取消场次。"))
    count = booking.cancel_session(session, actor=actor, reason=reason)
    ActivityEvent.objects.create(
        activity=session.activity,
        kind=Event.SESSION_CANCELLED,
        actor=actor,
        note=f"{Slot(session.starts_at, session.ends_at).label()} {reason}"[:200],
    )
    return count


# --- signing up ------------------------------------------------------------------------


def audience_refusal(activity: Activity, person: User) -> str | None:
    """Whether the person is in the activity's audience."""
    if activity.audience == Activity.Audience.COMMUNITY:
        unit = activity.audience_unit
        own = person.org_unit
        if own is None or not own.path.startswith(unit.path):
            return _("本活动仅面向%(unit)s居民。") % {"unit": unit.name}
    elif activity.audience == Activity.Audience.LEVEL and Level.rank(
        person.level
    ) < Level.rank(activity.audience_level):
        return _("本活动仅面向%(level)s及以上。") % {
            "level": Level(activity.audience_level).label
        }
    return None


def activity_refusal(session, person: User) -> str | None:
    """The engine's audience rule for activity sessions: the activity is approved
    and the person is in its audience."""
    activity = (
        Activity.objects.select_related("audience_unit")
        .filter(sessions__pk=session.pk)
        .first()
    )
    if activity is None or activity.status == Status.PENDING:
        return _("该活动尚未通过审批，暂不能报名。")
    if activity.status != Status.APPROVED:
        return _("该活动已取消。")
    return audience_refusal(activity, person)


def sign_up(session: ActivitySession, *, person: User) -> Booking:
    """A resident signs up for a session (or joins its waitlist)."""
    return booking.book(session, trainee=person, actor=person, rule=activity_refusal)


def add_walk_in(session: ActivitySession, *, person: User, actor: User) -> Booking:
    """The organiser seats someone who came without signing up, if a seat is free."""
    return booking.book(
        session,
        trainee=person,
        actor=actor,
        rule=activity_refusal,
        source=Booking.Source.WALK_IN,
    )


def session_contact(session: ActivitySession) -> str:
    """Whom a resident asks once they can no longer cancel online: the organiser
    and the space's staff, with phones."""
    activity = session.activity
    people = [activity.organiser, *activity.space.staff.filter(is_active=True)]
    seen, names = set(), []
    for person in people:
        if person.pk not in seen:
            seen.add(person.pk)
            names.append(f"{person.real_name}（{person.phone}）")
    return _("活动发起人或社区工作人员 %(people)s") % {"people": "、".join(names)}


def cancel_sign_up(booking_: Booking, *, person: User) -> Booking:
    """The resident cancels their own sign-up, before the cut-off."""
    session = ActivitySession.objects.select_related(
        "activity__organiser", "activity__space"
    ).get(pk=booking_.session_id)
    if booking_.trainee_id != person.pk:
        raise ValidationError(_("只能取消自己的报名。"))
    return booking.cancel_booking(
        booking_, actor=person, contact=session_contact(session)
    )


# --- service -------------------------------------------------------------------------------


def organising_item() -> PointItem:
    return services.standing_item(
        ORGANISING_ITEM_NAME,
        category=_("社区治理"),
        description=_("社区主理人组织社区活动，按实际举办时长计入志愿服务。"),
    )


def helping_item() -> PointItem:
    return services.standing_item(
        HELPING_ITEM_NAME,
        category=_("社区治理"),
        description=_("协助社区活动，按协助时长计入志愿服务，由协调员审核。"),
    )


def credit_activity_hours(now: datetime | None = None) -> int:
    """Credit each organiser's delivered sessions (ended, not cancelled, with
    someone checked in) as approved service under 社区活动组织, once per session;
    each in its own transaction, safe to run twice at once. Returns how many
    records were made."""
    now = now or timezone.now()
    attended = AttendanceRecord.objects.filter(
        session_id=OuterRef("pk"), status__in=ATTENDED
    )
    credited = ServiceRecord.objects.filter(
        volunteer_id=OuterRef("activity__organiser_id"),
        source_session_id=OuterRef("pk"),
    )
    due = list(
        ActivitySession.objects.filter(
            Exists(attended),
            cancelled_at__isnull=True,
            ends_at__lte=now,
            activity__status__in=[Status.APPROVED, Status.CANCELLED],
        )
        .exclude(Exists(credited))
        .select_related("activity__organiser", "activity__space__community")
        .order_by("pk")
    )
    if not due:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        item = organising_item()
        return sum(
            services.credit_session_service(
                session.activity.organiser,
                session=session,
                item=item,
                place=str(session.activity.space),
                description=_("组织社区活动：%(session)s") % {"session": session},
            )
            for session in due
        )


@dataclass(frozen=True)
class HelpersOutcome:
    recorded: list
    skipped: list  # (person, why)


@transaction.atomic(durable=True)
def record_helpers(
    session: ActivitySession, *, helpers: list[User], hours, actor: User
) -> HelpersOutcome:
    """The organiser (or the space's staff) records the volunteers who helped run
    a session that has begun: each gets a service record pending a
    coordinator's decision, once per session; the organiser is credited on their
    own and is not a helper."""
    activity = session.activity
    if not user_runs(actor, activity):
        raise ValidationError(_("只有发起人或该空间的工作人员可以登记协助志愿者。"))
    if session.is_cancelled:
        raise ValidationError(_("该场次已取消。"))
    if timezone.now() < session.starts_at:
        raise ValidationError(_("场次开始后才能登记协助志愿者。"))
    hours = services.clean_hours(hours)
    if hours <= 0 or hours > services.session_hours(session) + Decimal("2"):
        raise ValidationError(_("协助时长须大于 0，且不超过场次时长 2 小时以上。"))
    item = helping_item()
    with translation.override(settings.LANGUAGE_CODE):
        description = _("协助社区活动：%(session)s") % {"session": session}
    recorded, skipped = [], []
    for person in helpers:
        if person.pk == activity.organiser_id:
            skipped.append((person, _("发起人的组织时长会自动计入，无需登记。")))
            continue
        if ServiceRecord.objects.filter(
            volunteer=person, source_session_id=session.pk
        ).exists():
            skipped.append((person, _("已登记过本场次。")))
            continue
        try:
            with transaction.atomic():
                record = ServiceRecord.objects.create(
                    volunteer=person,
                    item=item,
                    served_on=timezone.localdate(session.starts_at),
                    hours=hours,
                    place=str(activity.space)[:100],
                    description=description[:1000],
                    logged_by=actor,
                    source_session_id=session.pk,
                )
        except IntegrityError:
            skipped.append((person, _("已登记过本场次。")))
            continue
        ServiceRecordEvent.objects.create(
            record=record, kind=ServiceRecordEvent.Kind.LOGGED, actor=actor
        )
        recorded.append(record)
    if recorded:
        ActivityEvent.objects.create(
            activity=activity,
            kind=Event.HELPERS,
            actor=actor,
            note="、".join(r.volunteer.real_name for r in recorded)[:200],
        )
    return HelpersOutcome(recorded=recorded, skipped=skipped)
