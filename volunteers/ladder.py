"""The rule check of the ladder 居民 › 志愿者 › 社区能人 › 社区主理人: what a person's
next step still needs (`next_step`), automatic promotion when a step's rule is met
and the step is neither applied for nor reviewed (`evaluate_person`, and nightly
over everyone in bulk, `evaluate_everyone`), the flag a revoked certificate puts
on a level that rested on it (`flag_level`), and leaving a level by an
administrator's hand (`retire`, `demote`, resolving a `LevelReview`).

What counts: completion certificates that are valid today (a tier through
enrollment → training class → course; named courses by the rule's
`required_courses`); service hours and points *earned* (never the balance) from
the PointAccount; tenure from the latest LevelEvent into the current level, or
the date the person joined.
"""

from collections.abc import Collection
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from certificates.models import Certificate
from courses.models import Tier
from school.models import Level, User
from school.permissions import user_is_school_admin
from volunteers.levels import change_level
from volunteers.models import (
    LevelEvent,
    LevelReview,
    LevelRule,
    PointAccount,
    Promotion,
)

# Level events that move a person into a level (tenure counts from the latest).
MOVES = (LevelEvent.Kind.PROMOTED, LevelEvent.Kind.DEMOTED, LevelEvent.Kind.RETIRED)


@dataclass(frozen=True)
class Requirement:
    """One condition of a step's rule for one person: what it asks (`label`),
    whether it is met and, if not, the line saying what is still missing."""

    key: str  # tier | course | hours | points | tenure
    label: str
    met: bool
    missing: str = ""


@dataclass(frozen=True)
class StepProgress:
    """A person's next step up the ladder: the rule, each requirement met or not,
    and whether the step is taken automatically or applied for and reviewed.
    `qualified` means every requirement is met (an applied step still needs the
    application); `missing` lists the Chinese lines of what is still needed,
    the application last."""

    from_level: str
    level: str
    rule: LevelRule
    requirements: list[Requirement] = field(default_factory=list)

    @property
    def qualified(self) -> bool:
        return all(requirement.met for requirement in self.requirements)

    @property
    def automatic(self) -> bool:
        return not (self.rule.needs_application or self.rule.needs_review)

    @property
    def level_label(self) -> str:
        return str(Level(self.level).label)

    @property
    def process_line(self) -> str:
        """How the step is taken once qualified ("" for an automatic one)."""
        if self.rule.needs_application:
            return _("需本人申请并经审核")
        if self.rule.needs_review:
            return _("需经管理员审核")
        return ""

    @property
    def missing(self) -> list[str]:
        lines = [r.missing for r in self.requirements if not r.met]
        if self.process_line:
            lines.append(self.process_line)
        return lines

    @property
    def reasons(self) -> list[str]:
        """The met requirements, for a promotion's 依据."""
        return [r.label for r in self.requirements if r.met]


@dataclass
class Facts:
    """What the rules look at for one person, loaded in a constant number of
    queries."""

    level: str
    tiers: set[str]
    course_ids: set[int]
    hours: Decimal
    earned: int
    since: datetime


def _number(value: Decimal) -> str:
    value = Decimal(value)
    return f"{value:f}".rstrip("0").rstrip(".") if "." in f"{value:f}" else f"{value}"


def months_before(moment: datetime, months: int) -> datetime:
    """The same moment `months` calendar months earlier (the day clamped to the
    month's end): tenure of N months means "since on or before this"."""
    year, month = divmod(moment.month - 1 - months, 12)
    year, month = moment.year + year, month + 1
    for day in range(moment.day, 0, -1):
        try:
            return moment.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _valid_completions():
    return Certificate.objects.of_kind(Certificate.Kind.COMPLETION).valid_on(
        timezone.localdate()
    )


def active_rules() -> dict[str, LevelRule]:
    """The active rules by level, with their named courses (two queries)."""
    return {
        rule.level: rule
        for rule in LevelRule.objects.filter(is_active=True).prefetch_related(
            "required_courses"
        )
    }


def load_facts(person: User) -> Facts:
    """The person's valid completion certificates, hours, points earned and the
    start of their time at the current level (three queries)."""
    tiers, course_ids = set(), set()
    for tier, course_id in (
        _valid_completions()
        .filter(holder=person)
        .values_list(
            "enrollment__training_class__course__tier",
            "enrollment__training_class__course_id",
        )
    ):
        tiers.add(tier)
        course_ids.add(course_id)
    account = (
        PointAccount.objects.filter(person=person).values("hours", "earned").first()
    )
    last_move = (
        LevelEvent.objects.filter(person=person, to_level=person.level, kind__in=MOVES)
        .order_by("-created_at", "-pk")
        .values_list("created_at", flat=True)
        .first()
    )
    return Facts(
        level=person.level,
        tiers=tiers,
        course_ids=course_ids,
        hours=account["hours"] if account else Decimal("0"),
        earned=account["earned"] if account else 0,
        since=last_move or person.date_joined,
    )


def progress(
    rule: LevelRule, facts: Facts, *, now: datetime | None = None
) -> StepProgress:
    """Each requirement of `rule` against the facts (no queries: the rule's
    named courses are prefetched)."""
    now = now or timezone.now()
    requirements = []
    if rule.required_tier:
        tier = Tier(rule.required_tier).label
        requirements.append(
            Requirement(
                "tier",
                _("持有%(tier)s结业证书") % {"tier": tier},
                rule.required_tier in facts.tiers,
                _("需完成%(tier)s（获得结业证书）") % {"tier": tier},
            )
        )
    for course in rule.required_courses.all():
        requirements.append(
            Requirement(
                "course",
                _("完成《%(course)s》") % {"course": course.title},
                course.pk in facts.course_ids,
                _("需完成《%(course)s》（获得结业证书）") % {"course": course.title},
            )
        )
    if rule.min_service_hours:
        short = rule.min_service_hours - facts.hours
        requirements.append(
            Requirement(
                "hours",
                _("累计服务 %(hours)s 小时")
                % {"hours": _number(rule.min_service_hours)},
                short <= 0,
                _("还差 %(hours)s 小时服务") % {"hours": _number(short)},
            )
        )
    if rule.min_points_earned:
        short = rule.min_points_earned - facts.earned
        requirements.append(
            Requirement(
                "points",
                _("累计获得 %(points)s 积分") % {"points": rule.min_points_earned},
                short <= 0,
                _("还差 %(points)s 积分（累计获得）") % {"points": short},
            )
        )
    if rule.min_months_at_previous:
        previous = Level.values[Level.rank(rule.level) - 1]
        months = rule.min_months_at_previous
        met = facts.level == previous and facts.since <= months_before(now, months)
        requirements.append(
            Requirement(
                "tenure",
                _("在%(level)s等级满 %(months)s 个月")
                % {"level": Level(previous).label, "months": months},
                met,
                _("需在%(level)s等级满 %(months)s 个月")
                % {"level": Level(previous).label, "months": months},
            )
        )
    return StepProgress(
        from_level=facts.level, level=rule.level, rule=rule, requirements=requirements
    )


def _level_above(level: str) -> str | None:
    rank = Level.rank(level)
    return Level.values[rank + 1] if rank + 1 < len(Level.values) else None


def next_step(
    person: User, *, rules: dict[str, LevelRule] | None = None
) -> StepProgress | None:
    """The step above the person's level with each requirement met or not and
    the lines of what is missing; None at the top or when that step's rule is
    switched off. Constant queries (five; three when `rules` is passed)."""
    above = _level_above(person.level)
    if above is None:
        return None
    rules = active_rules() if rules is None else rules
    rule = rules.get(above)
    if rule is None:
        return None
    return progress(rule, load_facts(person))


def meets_rule(person: User, rule: LevelRule) -> bool:
    """Whether the person meets every requirement of `rule` (application and
    review aside)."""
    return progress(rule, load_facts(person)).qualified


def _promote(person_id: int, step: StepProgress) -> Promotion | None:
    """Take an automatic step: a Promotion (automatic, effective) and the level
    change, in one transaction; nothing when the level already moved (the
    conditional UPDATE in change_level refuses it, and the row rolls back)."""
    now = timezone.now()
    with transaction.atomic(durable=True):
        person = User.objects.get(pk=person_id)
        try:
            with transaction.atomic():
                promotion = Promotion.objects.create(
                    person=person,
                    from_level=step.from_level,
                    to_level=step.level,
                    status=Promotion.Status.EFFECTIVE,
                    source=Promotion.Source.AUTOMATIC,
                    reasons=step.reasons,
                    decided_at=now,
                    effective_at=now,
                    created_at=now,
                )
                change_level(
                    person,
                    from_level=step.from_level,
                    to_level=step.level,
                    kind=LevelEvent.Kind.PROMOTED,
                    actor=None,
                    note=_("自动晋级：%(reasons)s")
                    % {"reasons": "；".join(step.reasons)},
                    promotion=promotion,
                )
        except (ValidationError, IntegrityError):
            return None
    return promotion


def evaluate_person(
    person: User | int, *, rules: dict[str, LevelRule] | None = None
) -> list[Promotion]:
    """Check the person against each step above their level, in order, and take
    every automatic step whose rule is met (each exactly once, however the
    signals and the nightly job race). A step applied for or reviewed is not
    opened here: the person applies."""
    person_id = person if isinstance(person, int) else person.pk
    rules = active_rules() if rules is None else rules
    person = User.objects.filter(pk=person_id, is_active=True).first()
    if person is None:
        return []
    facts = load_facts(person)
    made = []
    while True:
        above = _level_above(facts.level)
        rule = rules.get(above) if above else None
        if rule is None:
            return made
        step = progress(rule, facts)
        if not step.automatic or not step.qualified:
            return made
        promotion = _promote(person_id, step)
        if promotion is None:
            # Someone else moved the level meanwhile: they did the work.
            return made
        made.append(promotion)
        # A promotion changes the level and when it began, nothing else the
        # rules look at: the next step is checked without reloading.
        facts = replace(facts, level=step.level, since=promotion.effective_at)


def evaluate_after_commit(person_id: int) -> None:
    """Queue a rule check of the person once the current transaction commits
    (a service record approved, a certificate issued)."""
    from django_q.tasks import async_task

    transaction.on_commit(
        lambda: async_task(
            "volunteers.tasks.evaluate_person_task",
            person_id,
            task_name=f"evaluate-level-{person_id}",
        )
    )


def qualifying_ids(
    rule: LevelRule,
    *,
    now: datetime | None = None,
    among: Collection[int] | None = None,
) -> list[int]:
    """The people one step below `rule.level` who meet it (of `among`, or of
    everyone), in one query (certificates per tier and course, hours, points
    earned and the latest move into the level, as subqueries and joins)."""
    now = now or timezone.now()
    below = Level.values[Level.rank(rule.level) - 1]
    people = User.objects.filter(is_active=True, level=below)
    if among is not None:
        people = people.filter(pk__in=among)
    valid = _valid_completions().filter(holder=OuterRef("pk"))
    if rule.required_tier:
        people = people.filter(
            Exists(
                valid.filter(
                    enrollment__training_class__course__tier=rule.required_tier
                )
            )
        )
    for course in rule.required_courses.all():
        people = people.filter(
            Exists(valid.filter(enrollment__training_class__course_id=course.pk))
        )
    if rule.min_service_hours:
        people = people.filter(point_account__hours__gte=rule.min_service_hours)
    if rule.min_points_earned:
        people = people.filter(point_account__earned__gte=rule.min_points_earned)
    if rule.min_months_at_previous:
        last_move = (
            LevelEvent.objects.filter(
                person=OuterRef("pk"), to_level=below, kind__in=MOVES
            )
            .order_by("-created_at", "-pk")
            .values("created_at")[:1]
        )
        people = people.annotate(
            since=Coalesce(Subquery(last_move), F("date_joined"))
        ).filter(since__lte=months_before(now, rule.min_months_at_previous))
    return list(people.order_by("pk").values_list("pk", flat=True))


def evaluate_people(person_ids: Collection[int] | None = None) -> int:
    """For each automatic step, bottom up, find who qualifies among `person_ids`
    (None: everyone) in one query, then promote only them (each through
    `evaluate_person`, which re-checks and climbs further): the holders of a bulk
    issue's chunk at once, or the nightly check of everyone. Returns the number
    of promotions made."""
    rules = active_rules()
    made = 0
    for level in Level.values[1:]:
        rule = rules.get(level)
        if rule is None or rule.needs_application or rule.needs_review:
            continue
        for person_id in qualifying_ids(rule, among=person_ids):
            made += len(evaluate_person(person_id, rules=rules))
    return made


def evaluate_everyone() -> int:
    """The nightly check (it also catches the holders of a bulk chunk whose worker
    was killed before the chunk announced its certificates)."""
    return evaluate_people(None)


# --- A level's basis revoked, and leaving a level -------------------------------


def _rests_on(person: User, certificate: Certificate, rules) -> bool:
    tier = certificate.enrollment.training_class.course.tier
    course_id = certificate.enrollment.training_class.course_id
    others = _valid_completions().filter(holder=person).exclude(pk=certificate.pk)
    for rule in rules:
        if Level.rank(rule.level) > Level.rank(person.level):
            continue
        needs_tier = rule.required_tier == tier
        needs_course = any(c.pk == course_id for c in rule.required_courses.all())
        if (
            needs_tier
            and not others.filter(
                enrollment__training_class__course__tier=tier
            ).exists()
        ):
            return True
        if (
            needs_course
            and not others.filter(
                enrollment__training_class__course_id=course_id
            ).exists()
        ):
            return True
    return False


@transaction.atomic(durable=True)
def flag_level(person: User, certificate: Certificate) -> LevelReview | None:
    """A completion certificate was revoked: if the person's level (or a step
    below it) rested on it and no other valid certificate stands in for it,
    open a LevelReview (one per certificate) and write a flagged LevelEvent.
    Never demotes: an administrator keeps or demotes."""
    person = User.objects.select_for_update().get(pk=person.pk)
    certificate = Certificate.objects.select_related(
        "enrollment__training_class__course"
    ).get(pk=certificate.pk)
    if (
        certificate.kind != Certificate.Kind.COMPLETION
        or person.level == Level.RESIDENT
    ):
        return None
    rules = LevelRule.objects.prefetch_related("required_courses")
    if not _rests_on(person, certificate, rules):
        return None
    reason = _("所依据的证书 %(number)s 已被撤销") % {"number": certificate.number}
    try:
        with transaction.atomic():
            review = LevelReview.objects.create(
                person=person,
                level=person.level,
                certificate=certificate,
                reason=reason,
            )
    except IntegrityError:
        return None  # Already flagged for this certificate.
    LevelEvent.objects.create(
        person=person,
        kind=LevelEvent.Kind.FLAGGED,
        from_level=person.level,
        to_level=person.level,
        actor=None,
        note=reason[:200],
    )
    return review


def user_manages_levels(user: User) -> bool:
    """Administrators (管理员) and superusers retire, demote and resolve level
    reviews; nobody else."""
    return user_is_school_admin(user)


def _require_admin(actor: User, person_id: int) -> None:
    """Administrators only, and never on their own level."""
    if not user_manages_levels(actor):
        raise PermissionDenied(_("只有管理员可以调整等级。"))
    if actor.pk == person_id:
        raise ValidationError(
            _("不能调整自己的等级，请由其他管理员处理。"), code="own_level"
        )


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("请填写原因。"), code="no_reason")
    return reason


def _leave(
    person: User, *, to_level: str, kind: str, actor: User, reason: str
) -> LevelEvent:
    """Move the person down (inside the caller's transaction): withdraw their
    open promotions above the new level and close their open reviews."""
    now = timezone.now()
    event = change_level(
        person,
        from_level=person.level,
        to_level=to_level,
        kind=kind,
        actor=actor,
        note=reason,
    )
    Promotion.objects.open().filter(person=person).update(
        status=Promotion.Status.WITHDRAWN, decided_by=actor, decided_at=now
    )
    LevelReview.objects.filter(person=person, resolved_at__isnull=True).update(
        resolved_by=actor, resolved_at=now, resolution_note=reason[:200]
    )
    return event


@transaction.atomic(durable=True)
def retire(person: User, *, actor: User, reason: str) -> LevelEvent:
    """退出: a volunteer who leaves the ladder stops being a volunteer and is a
    resident (居民) again; administrators only, with a reason. Their open
    promotions are withdrawn and open reviews closed."""
    _require_admin(actor, person.pk)
    reason = _require_reason(reason)
    person = User.objects.select_for_update().get(pk=person.pk)
    if person.level == Level.RESIDENT:
        raise ValidationError(_("该人员已是居民，无需退出。"), code="resident")
    return _leave(
        person,
        to_level=Level.RESIDENT,
        kind=LevelEvent.Kind.RETIRED,
        actor=actor,
        reason=reason,
    )


@transaction.atomic(durable=True)
def demote(person: User, *, to_level: str, actor: User, reason: str) -> LevelEvent:
    """降级 to a lower level: administrators only, with a reason."""
    _require_admin(actor, person.pk)
    reason = _require_reason(reason)
    person = User.objects.select_for_update().get(pk=person.pk)
    if to_level not in Level.values or Level.rank(to_level) >= Level.rank(person.level):
        raise ValidationError(_("只能降到比当前更低的等级。"), code="not_lower")
    return _leave(
        person,
        to_level=to_level,
        kind=LevelEvent.Kind.DEMOTED,
        actor=actor,
        reason=reason,
    )


def _open_review(review: LevelReview) -> LevelReview:
    review = LevelReview.objects.select_for_update().get(pk=review.pk)
    if review.resolved_at is not None:
        raise ValidationError(_("该复核已处理。"), code="resolved")
    return review


@transaction.atomic(durable=True)
def keep_level(review: LevelReview, *, actor: User, note: str = "") -> LevelReview:
    """复核通过: the level stands; the review closes with a cleared LevelEvent."""
    _require_admin(actor, review.person_id)
    review = _open_review(review)
    now = timezone.now()
    review.resolved_by, review.resolved_at = actor, now
    review.resolution_note = (note or "").strip()[:200] or _("保留等级")
    review.save(update_fields=["resolved_by", "resolved_at", "resolution_note"])
    person = review.person
    LevelEvent.objects.create(
        person=person,
        kind=LevelEvent.Kind.CLEARED,
        from_level=person.level,
        to_level=person.level,
        actor=actor,
        note=review.resolution_note,
    )
    return review


@transaction.atomic(durable=True)
def demote_from_review(
    review: LevelReview, *, to_level: str, actor: User, reason: str
) -> LevelEvent:
    """Resolve a review by demoting, with a reason (administrators only)."""
    _require_admin(actor, review.person_id)
    reason = _require_reason(reason)
    review = _open_review(review)
    person = User.objects.select_for_update().get(pk=review.person_id)
    if to_level not in Level.values or Level.rank(to_level) >= Level.rank(person.level):
        raise ValidationError(_("只能降到比当前更低的等级。"), code="not_lower")
    return _leave(
        person,
        to_level=to_level,
        kind=LevelEvent.Kind.DEMOTED,
        actor=actor,
        reason=reason,
    )


def flag_level_for(certificate_id: int) -> LevelReview | None:
    """`flag_level` for the holder of a revoked certificate, by its id (the
    revocation signal's receiver queues this)."""
    certificate = Certificate.objects.filter(pk=certificate_id).first()
    if certificate is None or certificate.holder_id is None:
        return None
    return flag_level(User(pk=certificate.holder_id), certificate)
