"""课后评价: who may rate what, giving (and for 7 days editing) a rating, and the
reads built on ratings — what a trainee may rate now, an instructor's own figures
and a session's summary without names, and the administrators' satisfaction report.

Only attendees rate: a session (a class session or any other bookable session,
such as a community activity's) once it has ended, if the person's mark for it is
present or late; a class once it has ended (or the trainee's enrolment completed),
if the trainee attended one of its sessions or completed. One rating per trainee
per session and per class is kept by the database (courses.models.Feedback's
unique constraints), so a double submit still leaves one row.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from courses.models import (
    AttendanceRecord,
    BookableSession,
    ClassSession,
    Enrollment,
    Feedback,
    TrainingClass,
)
from school.models import User
from school.permissions import user_is_school_admin

SATISFIED_FROM = 4  # 满意: a 4 or a 5
# 我的学习 reminds a trainee of what they may rate for this long after it ended;
# the rating itself stays open (the link is on the page of the session or class).
DUE_FOR = timedelta(days=30)
COMMENT_MAX = 1000


# --- who may rate ----------------------------------------------------------------


def _attended(trainee: User) -> "Q":
    return Q(
        trainee=trainee,
        status__in=[AttendanceRecord.Status.PRESENT, AttendanceRecord.Status.LATE],
    )


def session_feedback_refusal(session: BookableSession, trainee: User) -> str | None:
    """Why the person may not rate this session (of a class or not), or None: it
    must have been held and ended, and their mark for it must be present or
    late."""
    if session.cancelled_at is not None:
        return _("该场次已取消，不能评价。")
    if timezone.now() < session.ends_at:
        return _("场次结束后才能评价。")
    attended = AttendanceRecord.objects.filter(
        _attended(trainee), session_id=session.pk
    ).exists()
    if not attended:
        return _("只有出勤（含迟到）的人员才能评价该场次。")
    return None


def class_feedback_refusal(training_class: TrainingClass, trainee: User) -> str | None:
    """Why the trainee may not rate this class, or None: the trainee completed
    it, or attended one of its sessions and the class has ended."""
    completed = Enrollment.objects.filter(
        training_class=training_class,
        trainee=trainee,
        status=Enrollment.Status.COMPLETED,
    ).exists()
    if completed:
        return None
    if timezone.localdate() <= training_class.ends_on:
        return _("培训班结业后才能评价。")
    attended = AttendanceRecord.objects.filter(
        _attended(trainee),
        session__classsession__training_class=training_class,
        session__cancelled_at__isnull=True,
    ).exists()
    if not attended:
        return _("只有参加过该培训班的学员才能评价。")
    return None


def feedback_refusal(
    target: BookableSession | TrainingClass, trainee: User
) -> str | None:
    """Why the person may not rate this session or class, or None."""
    if isinstance(target, TrainingClass):
        return class_feedback_refusal(target, trainee)
    return session_feedback_refusal(target, trainee)


def existing_feedback(
    target: BookableSession | TrainingClass, trainee: User
) -> Feedback | None:
    """The person's rating of this session or class, if given."""
    if not isinstance(target, TrainingClass):
        return Feedback.objects.filter(trainee=trainee, session_id=target.pk).first()
    return Feedback.objects.filter(
        trainee=trainee, training_class=target, session__isnull=True
    ).first()


def is_editable(feedback: Feedback, at: datetime | None = None) -> bool:
    """A rating may be changed for `Feedback.EDITABLE_FOR` after it was given."""
    return (at or timezone.now()) < feedback.editable_until


# --- giving ----------------------------------------------------------------------


def _class_of(session: BookableSession) -> int | None:
    """The class of a class session (its rating names it too); None for another
    session, such as a community activity's."""
    if isinstance(session, ClassSession):
        return session.training_class_id
    return (
        ClassSession.objects.filter(pk=session.pk)
        .values_list("training_class_id", flat=True)
        .first()
    )


def _clean(score, comment: str) -> tuple[int, str]:
    try:
        score = int(score)
    except (TypeError, ValueError):
        score = 0
    if not 1 <= score <= 5:
        raise ValidationError({"score": _("请选择 1 到 5 分。")})
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise ValidationError(
            {"comment": _("意见和建议不能超过 %(max)s 字。") % {"max": COMMENT_MAX}}
        )
    return score, comment


def _edit(feedback: Feedback, *, score: int, comment: str, now: datetime) -> Feedback:
    if not is_editable(feedback, now):
        raise ValidationError(_("评价提交 7 天后不能再修改。"))
    if (feedback.score, feedback.comment) != (score, comment):
        feedback.score, feedback.comment, feedback.updated_at = score, comment, now
        feedback.save(update_fields=["score", "comment", "updated_at"])
    return feedback


@transaction.atomic(durable=True)
def give_feedback(
    target: BookableSession | TrainingClass,
    *,
    trainee: User,
    score: int,
    comment: str = "",
) -> Feedback:
    """Rate a session (of a class or not) or a class the person attended (1–5,
    optional comment), or change the rating within 7 days of giving it. Two
    submits at once leave one row: the second finds the first through the unique
    constraint and edits it."""
    score, comment = _clean(score, comment)
    refusal = feedback_refusal(target, trainee)
    if refusal:
        raise ValidationError(refusal)
    now = timezone.now()
    is_class = isinstance(target, TrainingClass)
    lookup = (
        {"training_class_id": target.pk, "session__isnull": True}
        if is_class
        else {"session_id": target.pk}
    )
    current = Feedback.objects.select_for_update().filter(trainee=trainee, **lookup)
    feedback = current.first()
    if feedback is not None:
        return _edit(feedback, score=score, comment=comment, now=now)
    session_id = None if is_class else target.pk
    class_id = target.pk if is_class else _class_of(target)
    try:
        # A savepoint: the loser of a race on the unique constraint goes on to
        # edit the winner's row in the same transaction.
        with transaction.atomic():
            return Feedback.objects.create(
                trainee=trainee,
                session_id=session_id,
                training_class_id=class_id,
                score=score,
                comment=comment,
                created_at=now,
                updated_at=now,
            )
    except IntegrityError:
        feedback = current.first()
        if feedback is None:
            raise
        return _edit(feedback, score=score, comment=comment, now=now)


# --- what a trainee may rate now -------------------------------------------------


@dataclass(frozen=True)
class FeedbackDue:
    """One session or class the trainee may rate and has not rated yet."""

    kind: str  # "session" or "class"
    pk: int
    title: str
    when: str
    url: str


def feedback_due(trainee: User) -> list[FeedbackDue]:
    """Sessions and classes the trainee may rate and has not, ended in the last
    `DUE_FOR` (for 我的学习), newest first: two queries whatever the number."""
    if not trainee.is_authenticated:
        return []
    now = timezone.now()
    attended = AttendanceRecord.objects.filter(_attended(trainee))
    sessions = (
        ClassSession.objects.filter(
            Exists(attended.filter(session_id=OuterRef("pk"))),
            ends_at__lte=now,
            ends_at__gte=now - DUE_FOR,
            cancelled_at__isnull=True,
        )
        .exclude(
            Exists(Feedback.objects.filter(trainee=trainee, session_id=OuterRef("pk")))
        )
        .select_related("training_class__course")
        .order_by("-ends_at", "-pk")
    )
    today = timezone.localdate()
    completed = Enrollment.objects.filter(
        trainee=trainee,
        training_class=OuterRef("pk"),
        status=Enrollment.Status.COMPLETED,
    )
    classes = (
        TrainingClass.objects.filter(
            Q(Exists(completed.filter(completed_at__gte=now - DUE_FOR)))
            | Q(
                Exists(
                    attended.filter(
                        session__classsession__training_class=OuterRef("pk"),
                        session__cancelled_at__isnull=True,
                    )
                ),
                ends_on__lt=today,
                ends_on__gte=today - DUE_FOR,
            )
        )
        .exclude(
            Exists(
                Feedback.objects.filter(
                    trainee=trainee,
                    training_class=OuterRef("pk"),
                    session__isnull=True,
                )
            )
        )
        .select_related("course")
        .order_by("-ends_on", "-pk")
    )
    due = [
        FeedbackDue(
            kind="session",
            pk=session.pk,
            title=session.title or str(session.training_class),
            when=date_format(timezone.localtime(session.starts_at), "Y-m-d H:i"),
            url=reverse("feedback:give_session", args=[session.pk]),
        )
        for session in sessions
    ]
    due += [
        FeedbackDue(
            kind="class",
            pk=training_class.pk,
            title=str(training_class),
            when=date_format(training_class.ends_on, "Y-m-d"),
            url=reverse("feedback:give_class", args=[training_class.pk]),
        )
        for training_class in classes
    ]
    return due


# --- figures ---------------------------------------------------------------------


def _percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part * 100) / whole).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass
class FeedbackSummary:
    """Ratings of one group (a class, a session, a course, an instructor, a site):
    how many, their average and the share of 4–5 (满意率)."""

    label: str = ""
    count: int = 0
    total: int = 0
    satisfied: int = 0
    comments: list = field(default_factory=list)

    @property
    def average(self) -> Decimal | None:
        if not self.count:
            return None
        return (Decimal(self.total) / self.count).quantize(
            Decimal("0.01"), ROUND_HALF_UP
        )

    @property
    def satisfaction(self) -> Decimal | None:
        """满意率 in percent (one decimal), None before any rating."""
        return _percent(self.satisfied, self.count)

    def add(self, *, count: int, total: int, satisfied: int) -> None:
        self.count += count
        self.total += total or 0
        self.satisfied += satisfied


SUMMARY_AGGREGATES = {
    "count": Count("pk"),
    "total": Sum("score"),
    "satisfied": Count("pk", filter=Q(score__gte=SATISFIED_FROM)),
}


def _summaries(feedback, key: str, label=None) -> dict:
    rows = feedback.order_by().values(key).annotate(**SUMMARY_AGGREGATES)
    result = {}
    for row in rows:
        summary = FeedbackSummary(label=label(row) if label else "")
        summary.add(count=row["count"], total=row["total"], satisfied=row["satisfied"])
        result[row[key]] = summary
    return result


@dataclass(frozen=True)
class Comment:
    """A comment as an instructor sees it: the score, the text and the day, and
    nothing that names the trainee."""

    score: int
    text: str
    day: date


@dataclass
class TaughtFeedback:
    """An instructor's own ratings: per class they teach and per session they
    taught, each with its comments (no names)."""

    classes: list = field(default_factory=list)  # (TrainingClass, FeedbackSummary)
    sessions: list = field(default_factory=list)  # (ClassSession, FeedbackSummary)


def _comments(feedback, key: str) -> dict:
    """Comments grouped by `key`, newest day first, and within a day by score
    and text — never in the order given, which could point at a person."""
    by_key: dict = {}
    rows = (
        feedback.exclude(comment="")
        .order_by()
        .values_list(key, "score", "comment", "created_at")
    )
    for pk, score, text, created_at in rows:
        day = timezone.localdate(created_at)
        by_key.setdefault(pk, []).append(Comment(score=score, text=text, day=day))
    for comments in by_key.values():
        comments.sort(key=lambda c: (-c.day.toordinal(), -c.score, c.text))
    return by_key


def taught_feedback(instructor: User) -> TaughtFeedback:
    """The ratings of the classes and sessions an instructor teaches, without
    who gave them: six queries whatever the number."""
    classes = list(
        TrainingClass.objects.filter(instructors=instructor)
        .filter(Exists(Feedback.objects.filter(training_class=OuterRef("pk"))))
        .select_related("course")
        .order_by("-ends_on", "-pk")
    )
    sessions = list(
        ClassSession.objects.filter(instructors=instructor)
        .filter(Exists(Feedback.objects.filter(session_id=OuterRef("pk"))))
        .select_related("training_class__course")
        .order_by("-starts_at", "-pk")
    )
    class_feedback = Feedback.objects.filter(
        training_class__in=[c.pk for c in classes], session__isnull=True
    )
    session_feedback = Feedback.objects.filter(session_id__in=[s.pk for s in sessions])
    class_sums = _summaries(class_feedback, "training_class")
    class_comments = _comments(class_feedback, "training_class")
    session_sums = _summaries(session_feedback, "session")
    session_comments = _comments(session_feedback, "session")
    result = TaughtFeedback()
    for training_class in classes:
        summary = class_sums.get(training_class.pk)
        if summary is None:
            continue  # rated only session by session
        summary.comments = class_comments.get(training_class.pk, [])
        result.classes.append((training_class, summary))
    for session in sessions:
        summary = session_sums[session.pk]
        summary.comments = session_comments.get(session.pk, [])
        result.sessions.append((session, summary))
    return result


def session_feedback_summary(session: BookableSession) -> FeedbackSummary:
    """The ratings of one session, with their comments and without who gave
    them (for its organiser): two queries."""
    feedback = Feedback.objects.filter(session_id=session.pk)
    summary = _summaries(feedback, "session").get(session.pk, FeedbackSummary())
    summary.comments = _comments(feedback, "session").get(session.pk, [])
    return summary


# --- the administrators' report --------------------------------------------------


@dataclass
class SatisfactionReport:
    """满意率 and averages of the ratings given in a period, overall and per
    class, course, instructor and practice site."""

    overall: FeedbackSummary
    classes: list[FeedbackSummary]
    courses: list[FeedbackSummary]
    instructors: list[FeedbackSummary]
    sites: list[FeedbackSummary]

    def sections(self) -> Iterable[tuple[str, list[FeedbackSummary]]]:
        yield _("按培训班"), self.classes
        yield _("按课程"), self.courses
        yield _("按讲师"), self.instructors
        yield _("按教学点"), self.sites


def _sorted(summaries: dict) -> list[FeedbackSummary]:
    return sorted(summaries.values(), key=lambda s: (-s.count, s.label))


def satisfaction_report(
    *, since: date | None = None, until: date | None = None
) -> SatisfactionReport:
    """Ratings of classes and their sessions given between two days (inclusive,
    either open), aggregated in the database: six queries whatever the number of
    ratings. Ratings of sessions outside a class (community activities) are their
    organisers' (session_feedback_summary), not the school's."""
    feedback = Feedback.objects.filter(training_class__isnull=False)
    if since:
        feedback = feedback.filter(created_at__date__gte=since)
    if until:
        feedback = feedback.filter(created_at__date__lte=until)

    overall = FeedbackSummary(label=_("全部"))
    row = feedback.order_by().aggregate(**SUMMARY_AGGREGATES)
    overall.add(count=row["count"], total=row["total"], satisfied=row["satisfied"])

    class_names = {
        c.pk: str(c)
        for c in TrainingClass.objects.filter(
            pk__in=feedback.values("training_class")
        ).select_related("course")
    }
    classes = _summaries(
        feedback, "training_class", lambda r: class_names[r["training_class"]]
    )
    courses = _summaries(
        feedback.annotate(course_title=F("training_class__course__title")),
        "course_title",
        lambda r: r["course_title"],
    )

    # A session's rating counts for the session's instructors; a class's rating
    # for the class's instructors.
    instructors: dict = {}
    for key, subset in (
        ("session__classsession__instructors", feedback.filter(session__isnull=False)),
        ("training_class__instructors", feedback.filter(session__isnull=True)),
    ):
        rows = (
            subset.filter(**{f"{key}__isnull": False})
            .order_by()
            .values(key, f"{key}__real_name")
            .annotate(**SUMMARY_AGGREGATES)
        )
        for row in rows:
            summary = instructors.setdefault(
                row[key], FeedbackSummary(label=row[f"{key}__real_name"])
            )
            summary.add(
                count=row["count"], total=row["total"], satisfied=row["satisfied"]
            )

    # A session's place, else the class's; a rating of neither is 线上.
    sites = _summaries(
        feedback.annotate(
            site_name=Coalesce(
                "session__classsession__practice_site__name",
                "training_class__practice_site__name",
            )
        ),
        "site_name",
        lambda r: r["site_name"] or _("线上 / 未指定教学点"),
    )
    return SatisfactionReport(
        overall=overall,
        classes=_sorted(classes),
        courses=_sorted(courses),
        instructors=_sorted(instructors),
        sites=_sorted(sites),
    )


def user_can_read_feedback_report(user: User) -> bool:
    """The satisfaction report is for administrators (the 管理员 role) and whoever
    holds courses.view_feedback."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user_is_school_admin(user) or user.has_perm("courses.view_feedback")
