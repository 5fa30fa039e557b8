"""主理人招募: recruitment rounds. An administrator opens a round with a number of
places; volunteers who meet the rule for the round's level (all but the
application and review, which the round itself is) apply with a short statement;
the administrator shortlists and selects at most `places` of them — the round's
counter moves by one conditional UPDATE under a check constraint, so two
administrators selecting at once can never overfill it — and each selected person
enters public notice through a Promotion. Closing the round turns the rest down."""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, F
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from certificates.models import Certificate
from courses.models import Feedback, Tier
from courses.selectors.attendance import (
    NO_MARKS,
    AttendanceRate,
    counted_records,
    rates_grouped_by,
)
from school.models import Level, User
from school.permissions import user_is_school_admin
from volunteers import ladder, notifications
from volunteers.models import (
    PointAccount,
    Promotion,
    RecruitmentRound,
    RoundApplication,
)
from volunteers.promotions import approve_promotion

Status = RoundApplication.Status
RoundStatus = RecruitmentRound.Status

STATEMENT_MAX = 1000
UNDECIDED = (Status.APPLIED, Status.SHORTLISTED)


def user_runs_recruitment(user: User) -> bool:
    """Rounds are opened, judged and closed by administrators (and superusers)."""
    return user_is_school_admin(user)


def _check_runner(actor: User) -> None:
    if not user_runs_recruitment(actor):
        raise PermissionDenied(_("只有管理员可以管理招募。"))


# --- reading ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Eligibility:
    """Whether a person may apply to a round, and if not, what is still missing
    (in words the person understands)."""

    eligible: bool
    missing: list[str] = field(default_factory=list)


def eligibility(recruitment_round: RecruitmentRound, person: User) -> Eligibility:
    """The rule for the round's level, judged without its application and review
    (the round is the application, the selection the review): a person one step
    below who meets the rest may apply."""
    target = recruitment_round.level
    if Level.rank(person.level) >= Level.rank(target):
        return Eligibility(
            False,
            [_("您已是%(level)s，无需报名。") % {"level": Level(person.level).label}],
        )
    step = ladder.next_step(person)
    if step is None or step.level != target:
        below = Level.values[Level.rank(target) - 1]
        return Eligibility(
            False, [_("须先成为%(level)s。") % {"level": Level(below).label}]
        )
    missing = [
        requirement.missing for requirement in step.requirements if not requirement.met
    ]
    return Eligibility(not missing, missing)


def is_accepting(
    recruitment_round: RecruitmentRound, now: datetime | None = None
) -> bool:
    """Open for applications: the round is open and now is within its dates."""
    now = now or timezone.now()
    return (
        recruitment_round.status == RoundStatus.OPEN
        and recruitment_round.opens_at <= now < recruitment_round.closes_at
    )


def open_rounds():
    """Rounds taking applications now, soonest closing first."""
    now = timezone.now()
    return RecruitmentRound.objects.filter(
        status=RoundStatus.OPEN, opens_at__lte=now, closes_at__gt=now
    ).order_by("closes_at", "pk")


def get_application_for_person(user: User, pk: int) -> RoundApplication:
    """The user's own application, or 404 (also for someone else's)."""
    if not user.is_authenticated:
        raise Http404
    application = (
        RoundApplication.objects.select_related("recruitment_round")
        .filter(pk=pk, person=user)
        .first()
    )
    if application is None:
        raise Http404
    return application


@dataclass(frozen=True)
class Applicant:
    """One application as the administrator weighs it beside the others."""

    application: RoundApplication
    certificates: list[str]
    hours: Decimal
    points_earned: int
    attendance: AttendanceRate
    # The feedback on sessions the person ran as an instructor: (average, count).
    satisfaction: tuple[Decimal, int] | None = None


def applicants(recruitment_round: RecruitmentRound) -> list[Applicant]:
    """The round's applications (withdrawn ones left out) with each person's
    valid completion certificates, approved service hours, points earned,
    attendance rate and, for those who ran sessions, the feedback those sessions
    received — in a fixed number of queries, however many applied."""
    applications = list(
        recruitment_round.applications.exclude(status=Status.WITHDRAWN)
        .select_related("person__org_unit")
        .order_by("created_at", "pk")
    )
    ids = [application.person_id for application in applications]
    certificates: dict[int, list[str]] = {pk: [] for pk in ids}
    rows = (
        Certificate.objects.of_kind(Certificate.Kind.COMPLETION)
        .valid_on(timezone.localdate())
        .filter(holder_id__in=ids)
        .order_by("issued_at", "pk")
        .values_list(
            "holder_id",
            "enrollment__training_class__course__title",
            "enrollment__training_class__course__tier",
        )
    )
    for holder_id, title, tier in rows:
        label = Tier(tier).label if tier in Tier.values else ""
        certificates[holder_id].append(f"{title}（{label}）" if label else title)
    accounts = {
        row["person_id"]: row
        for row in PointAccount.objects.filter(person_id__in=ids).values(
            "person_id", "earned", "hours"
        )
    }
    rates = rates_grouped_by(counted_records().filter(trainee_id__in=ids), "trainee")
    ran = "session__classsession__instructors"
    satisfaction = {
        row[ran]: (Decimal(row["average"]).quantize(Decimal("0.1")), row["count"])
        for row in Feedback.objects.filter(**{f"{ran}__in": ids})
        .order_by()
        .values(ran)
        .annotate(average=Avg("score"), count=Count("pk"))
    }
    return [
        Applicant(
            application=application,
            certificates=certificates[application.person_id],
            hours=accounts.get(application.person_id, {}).get("hours", Decimal(0)),
            points_earned=accounts.get(application.person_id, {}).get("earned", 0),
            attendance=rates.get(application.person_id, NO_MARKS),
            satisfaction=satisfaction.get(application.person_id),
        )
        for application in applications
    ]


# --- volunteers --------------------------------------------------------------------------


@transaction.atomic(durable=True)
def apply_to_round(
    recruitment_round: RecruitmentRound, *, person: User, statement: str
) -> RoundApplication:
    """Apply to an open round, within its dates, meeting the rule for its level;
    one application per person per round (a withdrawn one is renewed)."""
    statement = (statement or "").strip()
    if not statement:
        raise ValidationError({"statement": _("请填写申请说明。")})
    if len(statement) > STATEMENT_MAX:
        raise ValidationError({"statement": _("申请说明不能超过 1000 字。")})
    recruitment_round = RecruitmentRound.objects.get(pk=recruitment_round.pk)
    if not is_accepting(recruitment_round):
        raise ValidationError(_("该批次当前不在报名时间内。"))
    person = User.objects.get(pk=person.pk)
    judged = eligibility(recruitment_round, person)
    if not judged.eligible:
        raise ValidationError(
            _("您暂不符合报名条件：%(missing)s")
            % {"missing": "；".join(judged.missing)}
        )
    now = timezone.now()
    renewed = RoundApplication.objects.filter(
        recruitment_round=recruitment_round, person=person, status=Status.WITHDRAWN
    ).update(status=Status.APPLIED, statement=statement, created_at=now)
    if renewed:
        return RoundApplication.objects.get(
            recruitment_round=recruitment_round, person=person
        )
    try:
        with transaction.atomic():
            return RoundApplication.objects.create(
                recruitment_round=recruitment_round,
                person=person,
                statement=statement,
                created_at=now,
            )
    except IntegrityError:
        raise ValidationError(_("您已报名该批次。")) from None


@transaction.atomic(durable=True)
def withdraw_application(
    application: RoundApplication, *, person: User
) -> RoundApplication:
    """Withdraw one's own undecided application while the round takes
    applications."""
    application = RoundApplication.objects.select_related("recruitment_round").get(
        pk=application.pk
    )
    if application.person_id != person.pk:
        raise PermissionDenied(_("只能撤回自己的报名。"))
    if not is_accepting(application.recruitment_round):
        raise ValidationError(_("报名已截止，不能撤回。"))
    moved = RoundApplication.objects.filter(
        pk=application.pk, status__in=UNDECIDED
    ).update(status=Status.WITHDRAWN, decided_at=timezone.now())
    if not moved:
        raise ValidationError(_("该报名已处理，不能撤回。"))
    application.refresh_from_db()
    return application


# --- administrators ----------------------------------------------------------------------


@transaction.atomic(durable=True)
def open_round(
    *,
    title: str,
    places: int,
    opens_at: datetime,
    closes_at: datetime,
    description: str = "",
    actor: User,
    level: str = Level.MANAGER,
) -> RecruitmentRound:
    """Open a recruitment round (administrators): at least one place, the
    closing time after the opening time."""
    _check_runner(actor)
    if places < 1:
        raise ValidationError({"places": _("名额至少为 1。")})
    if closes_at <= opens_at:
        raise ValidationError({"closes_at": _("报名截止须晚于报名开始。")})
    if level == Level.RESIDENT:
        raise ValidationError({"level": _("等级无效。")})
    return RecruitmentRound.objects.create(
        title=title.strip(),
        places=places,
        opens_at=opens_at,
        closes_at=closes_at,
        description=description,
        level=level,
        created_by=actor,
    )


def _decidable(application: RoundApplication, actor: User) -> RoundApplication:
    _check_runner(actor)
    application = RoundApplication.objects.select_related(
        "recruitment_round", "person"
    ).get(pk=application.pk)
    if application.recruitment_round.status == RoundStatus.CLOSED:
        raise ValidationError(_("该批次已结束。"))
    return application


@transaction.atomic(durable=True)
def shortlist(application: RoundApplication, *, actor: User) -> RoundApplication:
    """Put an application on the shortlist (入围), once (administrators)."""
    application = _decidable(application, actor)
    moved = RoundApplication.objects.filter(
        pk=application.pk, status=Status.APPLIED
    ).update(status=Status.SHORTLISTED, decided_at=timezone.now())
    if not moved:
        raise ValidationError(_("只有已报名的申请可以入围。"))
    application.refresh_from_db()
    notifications.application_decided(application)
    return application


@transaction.atomic(durable=True)
def select(application: RoundApplication, *, actor: User) -> Promotion:
    """Select an applicant (administrators): takes one of the round's places —
    never more than `places`, whoever else is selecting at the same moment — and
    opens a Promotion to the round's level, approved at once into public notice."""
    application = _decidable(application, actor)
    recruitment_round = application.recruitment_round
    person = application.person
    if Level.rank(person.level) >= Level.rank(recruitment_round.level):
        raise ValidationError(
            _("%(name)s 已是%(level)s。")
            % {"name": person.real_name, "level": person.get_level_display()}
        )
    now = timezone.now()
    # The application first, so two administrators selecting the same person
    # take one place between them, not two.
    moved = RoundApplication.objects.filter(
        pk=application.pk, status__in=UNDECIDED
    ).update(status=Status.SELECTED, decided_at=now)
    if not moved:
        raise ValidationError(_("该申请已处理。"))
    # One conditional UPDATE: the database, not this process, decides who gets
    # the last place (the check constraint refuses anything that slips past).
    taken = RecruitmentRound.objects.filter(
        pk=recruitment_round.pk, selected_count__lt=F("places")
    ).update(selected_count=F("selected_count") + 1)
    if not taken:
        raise ValidationError(_("名额已满，不能再选。"))
    step = ladder.next_step(person)
    reasons = [_("入选%(round)s") % {"round": recruitment_round.title}]
    if step is not None and step.level == recruitment_round.level:
        reasons += step.reasons
    try:
        with transaction.atomic():
            promotion = Promotion.objects.create(
                person=person,
                from_level=person.level,
                to_level=recruitment_round.level,
                status=Promotion.Status.PENDING_REVIEW,
                source=Promotion.Source.RECRUITMENT,
                statement=application.statement,
                reasons=reasons,
                recruitment_round=recruitment_round,
                created_at=now,
            )
    except IntegrityError:
        raise ValidationError(
            _("%(name)s 已有一项待处理的晋级，请先处理。") % {"name": person.real_name}
        ) from None
    return approve_promotion(promotion, actor=actor)


@transaction.atomic(durable=True)
def close_round(recruitment_round: RecruitmentRound, *, actor: User) -> int:
    """End a round (administrators): every undecided application becomes 未入选.
    Returns how many were turned down; closing twice changes nothing."""
    _check_runner(actor)
    closed = (
        RecruitmentRound.objects.filter(pk=recruitment_round.pk)
        .exclude(status=RoundStatus.CLOSED)
        .update(status=RoundStatus.CLOSED)
    )
    if not closed:
        raise ValidationError(_("该批次已结束。"))
    recruitment_round.status = RoundStatus.CLOSED
    now = timezone.now()
    turned_down = RoundApplication.objects.filter(
        recruitment_round=recruitment_round, status__in=UNDECIDED
    ).update(status=Status.NOT_SELECTED, decided_at=now)
    for application in RoundApplication.objects.filter(
        recruitment_round=recruitment_round, status=Status.NOT_SELECTED, decided_at=now
    ).select_related("person", "recruitment_round"):
        notifications.application_decided(application)
    return turned_down
