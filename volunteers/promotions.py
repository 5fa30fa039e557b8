"""Promotions that need people: a volunteer's application for a step whose rule
asks for one, an administrator's review (approve / reject with a reason), the
public notice 公示 during which anyone logged in may object, the resolution of
objections, and the hourly end of notices that ran their course, which changes
the level and, for 社区主理人, issues the letter of appointment (聘书) once.

Every status move is a conditional UPDATE on the status the caller saw, so two
administrators, an objection racing the end of the notice, or two runs of the
hourly job cannot both move the same promotion. The promotion row keeps who
decided, when and why; objections keep who resolved them and how; the level
change writes its LevelEvent (volunteers.levels.change_level).

A dismissed objection gives the notice back the time it was held: the notice
resumes and its end moves later by the length of the hold (from the first
objection of the hold to the last resolution), so the public always gets the
full period without an objection pending.
"""

import logging
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from certificates.models import Certificate
from certificates.services import issue_document
from certificates.snapshots import PRINT_LANGUAGE, add_months, date_label
from school.models import Level, SchoolPage, User
from school.permissions import user_is_school_admin
from volunteers import ladder, notifications
from volunteers.levels import change_level
from volunteers.models import LevelEvent, LevelRule, Objection, Promotion

logger = logging.getLogger(__name__)

Status = Promotion.Status
APPOINTMENT = Certificate.Kind.APPOINTMENT
# A community manager's letter of appointment runs for this many months; the
# verify page shows it expired after (the level itself does not lapse).
APPOINTMENT_TERM_MONTHS = 36
STATEMENT_MAX = 1000
REASON_MAX = 200


# --- who may ------------------------------------------------------------------------


def user_decides_promotions(user: User) -> bool:
    """Administrators (管理员) and superusers review promotions and resolve
    objections; coordinators and volunteers do not."""
    return user_is_school_admin(user)


def _require_decider(actor: User, promotion: Promotion) -> None:
    """Administrators only, and never on their own promotion."""
    if not user_decides_promotions(actor):
        raise PermissionDenied
    if actor.pk == promotion.person_id:
        raise ValidationError(_("不能审核自己的晋级，请由其他管理员处理。"))


def issuing_school() -> SchoolPage | None:
    """The Volunteer Academy, which appoints community managers."""
    return (
        SchoolPage.objects.filter(kind=SchoolPage.Kind.VOLUNTEER_ACADEMY)
        .order_by("path")
        .first()
    )


# --- applying ---------------------------------------------------------------------


def rule_for(level: str) -> LevelRule | None:
    """The active rule of a level, if any."""
    return LevelRule.objects.filter(level=level, is_active=True).first()


def next_level(person: User) -> str | None:
    """The step above the person's level (None at the top)."""
    rank = Level.rank(person.level)
    values = list(Level.values)
    return values[rank + 1] if rank + 1 < len(values) else None


def step_progress(person: User, rule: LevelRule):
    """The person against `rule`: each requirement met or not (ladder.progress)."""
    return ladder.progress(rule, ladder.load_facts(person))


def missing_for(person: User, rule: LevelRule) -> list[str]:
    """What the person still lacks for `rule`, in words (empty: they meet it)."""
    step = step_progress(person, rule)
    return [r.missing for r in step.requirements if not r.met]


@transaction.atomic(durable=True)
def apply_for_level(person: User, *, to_level: str, statement: str) -> Promotion:
    """Apply for the next step when its rule asks for an application: the rule's
    other requirements must be met already (refused with what is missing), and
    one application per step is open at a time (a database constraint). The
    promotion waits for an administrator's review."""
    statement = (statement or "").strip()
    if to_level != next_level(person):
        raise ValidationError(_("只能申请比当前等级高一级的等级。"))
    rule = rule_for(to_level)
    if rule is None or not rule.needs_application:
        raise ValidationError(_("该等级无须申请，满足条件后自动晋级。"))
    if not statement:
        raise ValidationError(_("请填写申请说明：您的服务经历和今后的打算。"))
    if len(statement) > STATEMENT_MAX:
        raise ValidationError(
            _("申请说明不能超过 %(max)d 字。") % {"max": STATEMENT_MAX}
        )
    missing = missing_for(person, rule)
    if missing:
        raise ValidationError(
            _("暂时还不能申请：%(missing)s。满足条件后再来申请。")
            % {"missing": "；".join(missing)}
        )
    try:
        with transaction.atomic():
            return Promotion.objects.create(
                person=person,
                from_level=person.level,
                to_level=to_level,
                status=Status.PENDING_REVIEW,
                source=Promotion.Source.APPLICATION,
                statement=statement,
                reasons=reasons_for(person, rule),
            )
    except IntegrityError:
        raise ValidationError(
            _("您已有一份该等级的申请正在处理中，请在“我的申请”查看进度。")
        ) from None


def reasons_for(person: User, rule: LevelRule) -> list[str]:
    """What the promotion rests on, as listed on the public notice: the
    requirements the person meets (no personal data beyond them)."""
    with translation.override(PRINT_LANGUAGE):
        return [str(reason) for reason in step_progress(person, rule).reasons]


# --- review -----------------------------------------------------------------------


def _move(promotion: Promotion, frm: str, **values) -> bool:
    """Move the promotion out of `frm` if it is still there; whether it moved."""
    moved = Promotion.objects.filter(pk=promotion.pk, status=frm).update(**values)
    if moved:
        for field, value in values.items():
            setattr(promotion, field, value)
    return bool(moved)


@transaction.atomic
def approve_promotion(promotion: Promotion, *, actor: User) -> Promotion:
    """Approve a promotion waiting for review (administrators only, never their
    own): it enters public notice for the rule's notice days, or takes effect at
    once when the rule has none. Joins the caller's transaction (recruitment
    selects applicants inside its own use case)."""
    _require_decider(actor, promotion)
    now = timezone.now()
    rule = rule_for(promotion.to_level)
    notice_days = rule.notice_days if rule is not None else 0
    values = {"decided_by": actor, "decided_at": now}
    if notice_days:
        values |= {
            "status": Status.IN_NOTICE,
            "notice_starts_at": now,
            "notice_ends_at": now + timedelta(days=notice_days),
        }
    else:
        values |= {"status": Status.EFFECTIVE, "effective_at": now}
    if not _move(promotion, Status.PENDING_REVIEW, **values):
        raise ValidationError(_("该晋级已被处理，请刷新后查看。"))
    if not notice_days:
        _take_effect(promotion, actor=actor)
    else:
        notifications.promotion_in_notice(promotion)
    return promotion


@transaction.atomic(durable=True)
def reject_promotion(promotion: Promotion, *, actor: User, reason: str) -> Promotion:
    """Reject a promotion waiting for review, with a reason the applicant sees
    (administrators only, never their own)."""
    _require_decider(actor, promotion)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("请填写未通过的原因，申请人会看到它。"))
    moved = _move(
        promotion,
        Status.PENDING_REVIEW,
        status=Status.REJECTED,
        decided_by=actor,
        decided_at=timezone.now(),
        reject_reason=reason[:REASON_MAX],
    )
    if not moved:
        raise ValidationError(_("该晋级已被处理，请刷新后查看。"))
    notifications.promotion_rejected(promotion)
    return promotion


# --- objections -------------------------------------------------------------------


def open_objections() -> QuerySet:
    return Objection.objects.filter(resolution="")


@transaction.atomic(durable=True)
def lodge_objection(promotion: Promotion, *, objector: User, reason: str) -> Objection:
    """Object to a promotion in public notice (anyone logged in but the person,
    with a reason; one open objection each): the promotion is held until an
    administrator resolves it."""
    if not objector.is_authenticated:
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("请填写异议理由。"))
    if objector.pk == promotion.person_id:
        raise ValidationError(_("不能对自己的晋级提出异议。"))
    promotion.refresh_from_db(fields=["status", "notice_ends_at"])
    now = timezone.now()
    in_notice = promotion.status == Status.IN_NOTICE and (
        promotion.notice_ends_at is None or promotion.notice_ends_at > now
    )
    if not (in_notice or promotion.status == Status.ON_HOLD):
        raise ValidationError(_("该晋级不在公示期内，不能再提出异议。"))
    try:
        with transaction.atomic():
            objection = Objection.objects.create(
                promotion=promotion, objector=objector, reason=reason, created_at=now
            )
    except IntegrityError:
        raise ValidationError(
            _("您对该晋级的异议正在处理中，请等待管理员处理结果。")
        ) from None
    # Held from now; already held by someone else's objection is fine. The end
    # of the notice must not pass between the check above and this hold.
    if promotion.status == Status.IN_NOTICE and not _move(
        promotion, Status.IN_NOTICE, status=Status.ON_HOLD
    ):
        promotion.refresh_from_db(fields=["status"])
        if promotion.status != Status.ON_HOLD:
            raise ValidationError(_("该晋级不在公示期内，不能再提出异议。"))
    notifications.objection_lodged(objection)
    return objection


def held_since(promotion: Promotion) -> datetime | None:
    """When the current hold began: the first objection of the last run of
    objections that overlapped in time (each lodged before the ones before it
    were all resolved)."""
    start = until = None
    now = timezone.now()
    for objection in promotion.objections.order_by("created_at", "pk"):
        ends = objection.resolved_at or now
        if start is None or objection.created_at > until:
            start, until = objection.created_at, ends
        else:
            until = max(until, ends)
    return start


@transaction.atomic(durable=True)
def resolve_objection(
    objection: Objection, *, actor: User, upheld: bool, note: str
) -> Objection:
    """Resolve an objection (administrators only, never on their own
    promotion), with a note. Upheld: the promotion is rejected. Dismissed: when
    no other objection is open, the notice resumes and ends later by the time
    it was held."""
    promotion = objection.promotion
    _require_decider(actor, promotion)
    note = (note or "").strip()
    if not note:
        raise ValidationError(_("请填写处理说明。"))
    now = timezone.now()
    resolution = (
        Objection.Resolution.UPHELD if upheld else Objection.Resolution.DISMISSED
    )
    resolved = open_objections().filter(pk=objection.pk)
    others = list(
        open_objections().filter(promotion=promotion).exclude(pk=objection.pk)
    )
    if not resolved.update(
        resolution=resolution,
        resolved_by=actor,
        resolved_at=now,
        resolution_note=note[:REASON_MAX],
    ):
        raise ValidationError(_("该异议已被处理，请刷新后查看。"))
    objection.refresh_from_db()
    notifications.objection_resolved(objection)
    if upheld:
        # The promotion falls on this objection; the others on it fall with it.
        open_objections().filter(promotion=promotion).update(
            resolution=resolution,
            resolved_by=actor,
            resolved_at=now,
            resolution_note=note[:REASON_MAX],
        )
        for other in others:
            other.refresh_from_db()
            notifications.objection_resolved(other)
        if _move(
            promotion,
            Status.ON_HOLD,
            status=Status.REJECTED,
            decided_by=actor,
            decided_at=now,
            reject_reason=(_("异议成立：%(note)s") % {"note": note})[:REASON_MAX],
        ):
            notifications.promotion_rejected(promotion)
        return objection
    if open_objections().filter(promotion=promotion).exists():
        return objection
    promotion.refresh_from_db(fields=["status", "notice_ends_at"])
    start = held_since(promotion) or now
    ends = (promotion.notice_ends_at or now) + (now - start)
    if _move(promotion, Status.ON_HOLD, status=Status.IN_NOTICE, notice_ends_at=ends):
        notifications.notice_resumed(promotion, objection)
    return objection


# --- taking effect ----------------------------------------------------------------


def letter_snapshot(promotion: Promotion, school: SchoolPage, *, on) -> dict:
    """What a letter of appointment prints: the holder, the level, the
    appointing organisation, the date and the term."""
    person = promotion.person
    ends_on = add_months(on, APPOINTMENT_TERM_MONTHS) - timedelta(days=1)
    organisation = school.display_name or school.title
    with translation.override(PRINT_LANGUAGE):
        level_label = str(Level(promotion.to_level).label)
        return {
            "heading": str(APPOINTMENT.label),
            "holder_name": person.real_name,
            "org_unit_name": person.org_unit.full_name if person.org_unit_id else "",
            "level": promotion.to_level,
            "level_label": level_label,
            "organisation": organisation,
            "appointed_on": on.isoformat(),
            "appointed_on_label": date_label(on),
            "term_starts_on": on.isoformat(),
            "term_starts_on_label": date_label(on),
            "term_ends_on": ends_on.isoformat(),
            "term_ends_on_label": date_label(ends_on),
            "term_years": APPOINTMENT_TERM_MONTHS // 12,
            "promotion_id": promotion.pk,
        }


def _take_effect(promotion: Promotion, *, actor: User | None) -> None:
    """The level changes, and a community manager gets the letter once. Runs in
    the transaction that moved the promotion to effective (only its winner)."""
    person = User.objects.select_related("org_unit").get(pk=promotion.person_id)
    promotion.person = person
    change_level(
        person,
        from_level=promotion.from_level,
        to_level=promotion.to_level,
        kind=LevelEvent.Kind.PROMOTED,
        actor=actor,
        note=str(promotion.get_source_display()),
        promotion=promotion,
    )
    if promotion.to_level != Level.MANAGER:
        return
    school = issuing_school()
    if school is None:
        raise ValidationError(
            _("尚未设置志愿者培训学院，不能签发聘书。请先在后台建立学院。")
        )
    today = timezone.localdate()
    ends_on = add_months(today, APPOINTMENT_TERM_MONTHS) - timedelta(days=1)
    letter = issue_document(
        kind=APPOINTMENT,
        holder=person,
        school=school,
        snapshot=letter_snapshot(promotion, school, on=today),
        actor=actor,
        valid_until=ends_on,
        note=_("晋级 #%(pk)s") % {"pk": promotion.pk},
    )
    # The letter is bound to the promotion by its one-to-one column: a second
    # letter for the same promotion cannot be stored.
    if not Promotion.objects.filter(pk=promotion.pk, letter__isnull=True).update(
        letter=letter
    ):
        raise IntegrityError("the promotion already has its letter")
    promotion.letter = letter


def notices_due(now: datetime | None = None) -> QuerySet:
    """Promotions whose public notice ran its course with no objection open."""
    now = now or timezone.now()
    return Promotion.objects.filter(
        status=Status.IN_NOTICE, notice_ends_at__lte=now
    ).exclude(Exists(open_objections().filter(promotion=OuterRef("pk"))))


@transaction.atomic(durable=True)
def finish_notice(promotion_id: int, *, now: datetime | None = None) -> bool:
    """Make one promotion effective if its notice ended clear: whether this call
    did it. Safe to run twice at once: only the run whose conditional UPDATE
    moves the status changes the level and issues the letter."""
    now = now or timezone.now()
    moved = (
        notices_due(now)
        .filter(pk=promotion_id)
        .update(status=Status.EFFECTIVE, effective_at=now)
    )
    if not moved:
        return False
    promotion = Promotion.objects.get(pk=promotion_id)
    _take_effect(promotion, actor=None)
    return True


def finish_notices(now: datetime | None = None) -> int:
    """The hourly job: every promotion whose notice ended with no objection open
    takes effect (each in its own transaction; one that fails is logged and
    tried again next hour). Returns how many took effect."""
    now = now or timezone.now()
    finished = 0
    for promotion_id in list(notices_due(now).values_list("pk", flat=True)):
        try:
            finished += finish_notice(promotion_id, now=now)
        except Exception:
            logger.exception("Finishing the notice of promotion %s", promotion_id)
    return finished


# --- reads ------------------------------------------------------------------------


def in_public_notice() -> QuerySet:
    """Promotions on the public notice page: in notice or held by an objection."""
    return (
        Promotion.objects.filter(status__in=(Status.IN_NOTICE, Status.ON_HOLD))
        .select_related("person__org_unit")
        .order_by("notice_ends_at", "pk")
    )


def promotions_of(person: User) -> QuerySet:
    """The person's own promotions, newest first."""
    return Promotion.objects.filter(person=person).select_related("letter")


def get_promotion_for_person(user: User, pk: int) -> Promotion:
    """One of the user's own promotions, or 404 (also for someone else's)."""
    if not user.is_authenticated:
        raise Http404
    found = promotions_of(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def get_public_promotion(pk: int) -> Promotion:
    """A promotion on the public notice, or 404 (any other is not public)."""
    found = in_public_notice().filter(pk=pk).first()
    if found is None:
        raise Http404
    return found
