"""State changes of learning: enrolment, approval, withdrawal, progress, quizzes,
completion. Every seat moves through a conditional UPDATE, never check-then-write."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from courses import selectors
from courses.blocks import QuizFeedback, correct_answers
from courses.models import (
    CoursePage,
    Enrollment,
    EnrollmentEvent,
    LessonPage,
    LessonProgress,
    QuizAttempt,
    QuizAttemptGrant,
    TrainingClass,
)
from courses.permissions import class_refusal, course_refusal
from courses.selectors.lesson import granted_attempts
from courses.selectors.schedule import not_started_notice
from courses.sessions import release_class_bookings
from courses.signals import enrollment_completed
from school import roles
from school.models import OrgUnit, User

Status = Enrollment.Status
Kind = EnrollmentEvent.Kind


def _take_seats(training_class: TrainingClass, count: int = 1) -> bool:
    """Take `count` seats if that many are free, in one conditional UPDATE."""
    return (
        TrainingClass.objects.filter(
            pk=training_class.pk, seats_taken__lte=F("capacity") - count
        ).update(seats_taken=F("seats_taken") + count)
        == 1
    )


def _release_seat(training_class: TrainingClass) -> None:
    TrainingClass.objects.filter(pk=training_class.pk, seats_taken__gt=0).update(
        seats_taken=F("seats_taken") - 1
    )


def _record(enrollment: Enrollment, kind: str, actor: User | None, note: str = ""):
    return EnrollmentEvent.objects.create(
        enrollment=enrollment, kind=kind, actor=actor, note=note[:200]
    )


def _check_course_rules(course: CoursePage, trainee: User) -> None:
    standing = selectors.standing_for(trainee)
    refusal = course_refusal(course, standing, list(course.prerequisites.all()))
    if refusal:
        raise ValidationError(refusal)


@transaction.atomic(durable=True)
def enroll_trainee(
    training_class: TrainingClass, *, trainee: User, actor: User
) -> Enrollment:
    """A trainee enrols (or an administrator enrols them) in a class.

    Refused, with the reason in Chinese, when the window is closed, the class is
    full, the trainee lacks a prerequisite or the level, or is already enrolled.
    A class that requires approval takes a request instead of a seat.
    """
    # Lock the class row first (PostgreSQL; SQLite's BEGIN IMMEDIATE already
    # serialises writers). Without it, a request for an approval class, which takes
    # no seat, inserts its row while bulk_enroll holds the class: the insert's
    # foreign-key check waits for bulk_enroll, whose insert of the same trainee waits
    # for the request — a deadlock. Seat-taking enrolments queue on this row anyway
    # (the seat UPDATE locks it until commit), so this costs them nothing, and a
    # double click now meets the first click's row instead of the unique index.
    training_class = (
        TrainingClass.objects.select_for_update(no_key=True, of=("self",))
        .select_related("course")
        .get(pk=training_class.pk)
    )
    standing = selectors.standing_for(trainee)
    refusal = class_refusal(training_class, standing)
    if refusal:
        raise ValidationError(refusal)
    _check_course_rules(training_class.course, trainee)

    needs_approval = training_class.requires_approval and actor.pk == trainee.pk
    if not needs_approval and not _take_seats(training_class):
        raise ValidationError(_("名额已满"))
    try:
        with transaction.atomic():
            enrollment = Enrollment.objects.create(
                training_class=training_class,
                trainee=trainee,
                status=Status.PENDING if needs_approval else Status.ACTIVE,
            )
    except IntegrityError as error:
        # A second click from the same trainee, racing the first.
        raise ValidationError(_("您已报名该班")) from error
    _record(enrollment, Kind.REQUESTED if needs_approval else Kind.ENROLLED, actor)
    return enrollment


def _locked(enrollment: Enrollment) -> Enrollment:
    # of=("self",): lock the enrolment only. A bare select_for_update() with
    # select_related locks the joined class row too, so on PostgreSQL every lesson
    # completed and every quiz submitted would queue behind (and hold up) every
    # enrolment in the same class. Seats move by conditional UPDATE regardless.
    return (
        Enrollment.objects.select_for_update(of=("self",))
        .select_related("training_class")
        .get(pk=enrollment.pk)
    )


def _locked_pending(enrollment: Enrollment) -> Enrollment:
    enrollment = _locked(enrollment)
    if enrollment.status != Status.PENDING:
        raise ValidationError(_("只能审核待审核的报名。"))
    return enrollment


def _decided(
    enrollment: Enrollment, status: str, kind: str, actor: User, note: str = ""
) -> Enrollment:
    """A pending request answered: its new status and the event that says who."""
    enrollment.status = status
    enrollment.save(update_fields=["status"])
    _record(enrollment, kind, actor, note)
    return enrollment


@transaction.atomic(durable=True)
def approve_enrollment(enrollment: Enrollment, *, actor: User) -> Enrollment:
    """An administrator accepts a pending request; it takes a seat if one is free."""
    enrollment = _locked_pending(enrollment)
    if not _take_seats(enrollment.training_class):
        raise ValidationError(_("名额已满，无法通过审核。"))
    return _decided(enrollment, Status.ACTIVE, Kind.APPROVED, actor)


@transaction.atomic(durable=True)
def reject_enrollment(
    enrollment: Enrollment, *, actor: User, note: str = ""
) -> Enrollment:
    """An administrator turns a pending request down, with a reason for the trainee."""
    enrollment = _locked_pending(enrollment)
    return _decided(enrollment, Status.REJECTED, Kind.REJECTED, actor, note)


@transaction.atomic(durable=True)
def withdraw_enrollment(
    enrollment: Enrollment, *, actor: User, note: str = ""
) -> Enrollment:
    """The trainee (or an administrator) withdraws; a held seat is freed at once."""
    enrollment = _locked(enrollment)
    if enrollment.status not in (Status.PENDING, Status.ACTIVE):
        raise ValidationError(_("已结业或已退出的报名不能再退出。"))
    held_seat = enrollment.holds_seat
    enrollment.status = Status.WITHDRAWN
    enrollment.save(update_fields=["status"])
    if held_seat:
        _release_seat(enrollment.training_class)
    _record(enrollment, Kind.WITHDRAWN, actor, note)
    release_class_bookings(
        enrollment, actor=actor, note=note or _("已退出培训班，预约自动取消")
    )
    return enrollment


@dataclass(frozen=True)
class BulkEnrolment:
    enrolled: list[User]
    already: list[User]
    ineligible: list[tuple[User, str]]
    no_seat: list[User]


def plan_bulk_enrolment(
    training_class: TrainingClass, *, org_unit: OrgUnit
) -> BulkEnrolment:
    """Who bulk_enroll would enrol now, and who it would leave out and why, without
    changing anything: the administrator confirms these counts first."""
    course = training_class.course
    prerequisites = list(course.prerequisites.all())
    # Trainees only: instructors, site hosts and administrators live in the same
    # communities and grids, and must not take seats because of their address.
    people = list(
        User.objects.filter(
            is_active=True,
            org_unit__path__startswith=org_unit.path,
            groups__name=roles.TRAINEE,
        ).order_by("org_unit__path", "phone")
    )
    live = set(
        Enrollment.objects.live()
        .filter(training_class=training_class, trainee__in=people)
        .values_list("trainee_id", flat=True)
    )
    standings = selectors.standings_for(people)
    already, ineligible, candidates = [], [], []
    for person in people:
        if person.pk in live:
            already.append(person)
            continue
        refusal = course_refusal(course, standings[person.pk], prerequisites)
        if refusal:
            ineligible.append((person, refusal))
        else:
            candidates.append(person)
    free = training_class.capacity - training_class.seats_taken
    enrolled, no_seat = candidates[: max(free, 0)], candidates[max(free, 0) :]
    return BulkEnrolment(enrolled, already, ineligible, no_seat)


@transaction.atomic(durable=True)
def bulk_enroll(
    training_class: TrainingClass, *, org_unit: OrgUnit, actor: User
) -> BulkEnrolment:
    """Enrol every active trainee of a street, community or grid (and the units under
    it), as far as seats go. The enrolment window and approval do not apply (an
    administrator is acting); prerequisites and level do. Everyone left out is
    reported with the reason."""
    training_class = (
        TrainingClass.objects.select_for_update(no_key=True, of=("self",))
        .select_related("course")
        .get(pk=training_class.pk)
    )
    if not training_class.is_active:
        raise ValidationError(_("该班已停办"))
    plan = plan_bulk_enrolment(training_class, org_unit=org_unit)
    enrolled = plan.enrolled
    if enrolled and not _take_seats(training_class, len(enrolled)):
        raise ValidationError(_("名额已变化，请重试。"))
    now = timezone.now()
    enrollments = Enrollment.objects.bulk_create(
        [
            Enrollment(
                training_class=training_class,
                trainee=person,
                status=Status.ACTIVE,
                created_at=now,
            )
            for person in enrolled
        ]
    )
    EnrollmentEvent.objects.bulk_create(
        [
            EnrollmentEvent(
                enrollment=enrollment,
                kind=Kind.ENROLLED,
                actor=actor,
                note=_("按单位批量报名：%(unit)s") % {"unit": org_unit.name},
                created_at=now,
            )
            for enrollment in enrollments
        ]
    )
    return plan


def _check_class_started(enrollment: Enrollment) -> None:
    # Lessons and quizzes open on the class's start date (the lesson page says when).
    notice = not_started_notice(enrollment.training_class.starts_on)
    if notice:
        raise ValidationError(notice, code="class_not_started")


def _lesson_of(enrollment: Enrollment, lesson: LessonPage) -> LessonPage:
    course = enrollment.training_class.course
    if not lesson.live or not lesson.path.startswith(course.path):
        raise ValidationError(_("该课时不属于此课程。"))
    return lesson


@transaction.atomic(durable=True)
def complete_lesson(enrollment: Enrollment, lesson: LessonPage, *, actor: User) -> bool:
    """The trainee marks a lesson as studied. Returns True when this completed the
    whole enrolment."""
    enrollment = _locked(enrollment)
    if enrollment.status not in (Status.ACTIVE, Status.COMPLETED):
        raise ValidationError(_("报名审核通过后才能学习。"))
    _check_class_started(enrollment)
    _lesson_of(enrollment, lesson)
    if (
        lesson.quiz is not None
        and not QuizAttempt.objects.filter(
            enrollment=enrollment, lesson=lesson, passed=True
        ).exists()
    ):
        raise ValidationError(
            _("请先通过本课时的测验，再标记为已学完。"), code="quiz_not_passed"
        )
    # A completed enrolment still records progress (an optional lesson read after
    # completing, a lesson revisited); it only cannot complete a second time.
    LessonProgress.objects.get_or_create(enrollment=enrollment, lesson=lesson)
    enrollment.last_lesson = lesson
    enrollment.save(update_fields=["last_lesson"])
    if enrollment.status == Status.COMPLETED:
        return False
    return _complete_if_done(enrollment, actor=actor)


def score_quiz(quiz, answers: dict[str, list[int]]) -> int:
    """Percentage of questions answered exactly right (every correct choice, no
    wrong one). `answers` maps "q<index>" to the chosen choice indexes."""
    questions = list(quiz["questions"])
    right = sum(
        set(answers.get(name, [])) == set(correct)
        for name, correct in correct_answers(quiz).items()
    )
    return round(100 * right / len(questions)) if questions else 0


def _choice_indexes(value) -> list[int] | None:
    """The chosen indexes as ints (form posts send "0", "2"), or None when the value
    is not a list of whole numbers, so bad input is refused instead of crashing."""
    if not isinstance(value, list | tuple):
        return None
    indexes = []
    for item in value:
        if isinstance(item, str) and item.strip().isdecimal():
            item = int(item)
        if not isinstance(item, int) or isinstance(item, bool):
            return None
        indexes.append(item)
    return indexes


def _clean_answers(quiz, answers: dict[str, list[int]]) -> dict[str, list[int]]:
    cleaned = {}
    for index, question in enumerate(quiz["questions"]):
        given = _choice_indexes(answers.get(f"q{index}", []))
        if given is None:
            raise ValidationError(_("第 %(n)s 题的选项无效。") % {"n": index + 1})
        chosen = sorted(set(given))
        if not chosen:
            raise ValidationError(_("第 %(n)s 题还没有作答。") % {"n": index + 1})
        if any(i < 0 or i >= len(question["choices"]) for i in chosen):
            raise ValidationError(_("第 %(n)s 题的选项无效。") % {"n": index + 1})
        if len(chosen) > 1 and not question["multiple"]:
            raise ValidationError(_("第 %(n)s 题是单选题。") % {"n": index + 1})
        cleaned[f"q{index}"] = chosen
    return cleaned


@transaction.atomic(durable=True)
def submit_quiz(
    enrollment: Enrollment,
    lesson: LessonPage,
    *,
    answers: dict[str, list[int]],
    actor: User,
) -> QuizAttempt:
    """Score one attempt at a lesson's quiz; refuse once it is passed (passing
    closes it) or the attempts, the quiz's own and any granted, are used up.
    The enrolment row is locked first, so racing attempts never pass the limit."""
    enrollment = _locked(enrollment)
    if enrollment.status not in (Status.ACTIVE, Status.COMPLETED):
        raise ValidationError(_("报名审核通过后才能作答。"))
    _check_class_started(enrollment)
    _lesson_of(enrollment, lesson)
    quiz = lesson.quiz
    if quiz is None:
        raise ValidationError(_("该课时没有测验。"))
    cleaned = _clean_answers(quiz, answers)
    attempts = QuizAttempt.objects.filter(enrollment=enrollment, lesson=lesson)
    if attempts.filter(passed=True).exists():
        raise ValidationError(_("您已通过本测验，无需再作答。"), code="passed")
    used = attempts.count()
    allowed = attempts_allowed(quiz, enrollment=enrollment, lesson=lesson)
    if used >= allowed:
        raise ValidationError(
            _("已用完全部 %(n)s 次作答机会。") % {"n": allowed}, code="used_up"
        )
    score = score_quiz(quiz, cleaned)
    attempt = QuizAttempt.objects.create(
        enrollment=enrollment,
        lesson=lesson,
        number=used + 1,
        score=score,
        passed=score >= quiz["pass_mark"],
        answers=cleaned,
    )
    if enrollment.status == Status.ACTIVE:
        _complete_if_done(enrollment, actor=actor)
    return attempt


def attempts_allowed(quiz, *, enrollment: Enrollment, lesson: LessonPage) -> int:
    """The quiz's own attempts plus those granted to this enrolment for it."""
    return quiz["max_attempts"] + granted_attempts(enrollment, lesson)


MAX_GRANT = 10


@transaction.atomic(durable=True)
def grant_extra_attempts(
    enrollment: Enrollment,
    lesson: LessonPage,
    *,
    extra: int,
    actor: User,
    reason: str,
) -> QuizAttemptGrant:
    """An instructor or administrator gives a trainee who has used up their attempts
    at one lesson's quiz `extra` more, saying why. The grant row records who, when
    and why; the caller has checked that `actor` may
    (permissions.user_can_grant_quiz_attempts)."""
    enrollment = _locked(enrollment)
    if enrollment.status not in (Status.ACTIVE, Status.COMPLETED):
        raise ValidationError(_("该学员不在本班学习，不能增加作答次数。"))
    _lesson_of(enrollment, lesson)
    if lesson.quiz is None:
        raise ValidationError(_("该课时没有测验。"))
    if isinstance(extra, bool) or not isinstance(extra, int):
        raise ValidationError(_("增加次数须为整数。"))
    if not 1 <= extra <= MAX_GRANT:
        raise ValidationError(
            _("每次可增加 1 至 %(n)s 次作答机会。") % {"n": MAX_GRANT}
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("请填写增加作答次数的原因。"))
    attempts = QuizAttempt.objects.filter(enrollment=enrollment, lesson=lesson)
    if attempts.filter(passed=True).exists():
        raise ValidationError(_("该学员已通过本测验，无需增加作答次数。"))
    # Extra attempts are for those who have used theirs up: so a lesson page need
    # not look for grants while the quiz's own attempts last.
    left = attempts_allowed(lesson.quiz, enrollment=enrollment, lesson=lesson) - (
        attempts.count()
    )
    if left > 0:
        raise ValidationError(
            _("该学员还有 %(n)s 次作答机会，用完后才能增加。") % {"n": left}
        )
    return QuizAttemptGrant.objects.create(
        enrollment=enrollment,
        lesson=lesson,
        extra=extra,
        actor=actor,
        reason=reason[:200],
    )


def _complete_if_done(enrollment: Enrollment, *, actor: User | None) -> bool:
    """Complete the enrolment when the course's rule holds, exactly once: the status
    moves by a conditional UPDATE and the completion event is unique."""
    if not selectors.completion_rule_holds(enrollment):
        return False
    return _mark_completed(enrollment, actor=actor)


def complete_after_attendance(enrollment_ids: list[int]) -> int:
    """Complete those of the enrolments whose rule now holds (a mark or a
    correction lifted the rate); each in its own transaction, each at most once.
    How many completed."""
    completed = 0
    for enrollment in Enrollment.objects.filter(
        pk__in=enrollment_ids, status=Status.ACTIVE
    ).select_related("training_class__course"):
        with transaction.atomic():
            completed += _complete_if_done(enrollment, actor=None)
    return completed


def _mark_completed(enrollment: Enrollment, *, actor: User | None, note: str = ""):
    now = timezone.now()
    changed = Enrollment.objects.filter(pk=enrollment.pk, status=Status.ACTIVE).update(
        status=Status.COMPLETED, completed_at=now
    )
    if not changed:
        return False
    enrollment.status, enrollment.completed_at = Status.COMPLETED, now
    _record(enrollment, Kind.COMPLETED, actor, note)
    enrollment_id = enrollment.pk
    transaction.on_commit(
        lambda: enrollment_completed.send(
            sender=Enrollment, enrollment_id=enrollment_id
        )
    )
    return True


@transaction.atomic
def import_questions(lesson: LessonPage, questions: list[dict], *, actor: User):
    """Append checked questions (courses.question_bank) to the lesson's quiz, in a
    new draft revision by `actor`; a lesson without a quiz gets one (pass mark 60,
    3 attempts). Built on the latest revision, so the author's unpublished edits are
    kept; nothing is published. Returns the revision."""
    lesson = LessonPage.objects.select_for_update().get(pk=lesson.pk)
    if not lesson.permissions_for_user(actor).can_edit():
        raise PermissionDenied
    lock = lesson.get_lock()
    if lock and lock.for_user(actor):
        raise ValidationError(_("该课时已被锁定，暂时不能导入。"))
    if not questions:
        raise ValidationError(_("没有可导入的题目。"))
    draft = lesson.get_latest_revision_as_object()
    body = list(draft.body.get_prep_value())
    quiz = next((block for block in body if block["type"] == "quiz"), None)
    if quiz is None:
        quiz = {
            "type": "quiz",
            "value": {
                "title": "课后测验",
                "pass_mark": 60,
                "max_attempts": 3,
                "feedback": QuizFeedback.CORRECTNESS,
                "questions": [],
            },
        }
        body.append(quiz)
    quiz["value"]["questions"] = [*quiz["value"]["questions"], *questions]
    draft.body = body
    return draft.save_revision(user=actor, log_action=True)


@transaction.atomic(durable=True)
def complete_by_hand(enrollment: Enrollment, *, actor: User, reason: str) -> Enrollment:
    """An administrator marks a studying trainee 已结业 whatever the completion rule
    says (attendance taken on paper, a lesson that would not play), with the reason
    on the completion event; certificates follow as for any completion."""
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("请填写手动结业的原因。"))
    enrollment = _locked(enrollment)
    if enrollment.status != Status.ACTIVE:
        raise ValidationError(_("只能为学习中的学员手动结业。"))
    if not _mark_completed(enrollment, actor=actor, note=reason):
        raise ValidationError(_("只能为学习中的学员手动结业。"))
    return enrollment
