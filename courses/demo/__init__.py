"""Demo courses for `manage.py seed_demo`: each school's catalogue, 70 training
classes, and enrolments of the demo trainees made through courses.services.

Idempotent like school.demo: pages are looked up by slug under their parent,
classes by (course, number), and a class that already has enrolments is left
alone, so seeding twice leaves the same data. Runs after school.demo (the
schools, the practice sites and the demo accounts must exist).
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from wagtail.models import Page

from courses import selectors, services
from courses.blocks import correct_answers
from courses.demo.attendance import seed_attendance
from courses.demo.content import Course
from courses.demo.loader import demo_courses
from courses.demo.sessions import seed_sessions
from courses.models import (
    ClassLevel,
    CourseIndexPage,
    CoursePage,
    Enrollment,
    EnrollmentEvent,
    LessonPage,
    LessonProgress,
    QuizAttempt,
    Tier,
    TrainingClass,
)
from school import demo as school_demo
from school.models import Level, OrgUnit, PracticeSite, SchoolPage, User

CATALOGUE_SLUG = "courses"
# Weeks between two runs of the same course, by tier.
CLASS_SPACING = {Tier.BASIC: 8, Tier.SPECIALIST: 12, Tier.LEADERSHIP: 16}
ONLINE_CAPACITY = {Tier.BASIC: 100, Tier.SPECIALIST: 50, Tier.LEADERSHIP: 30}
# The demo trainee (13800000004): one course finished, one under way, one just begun.
DEMO_TRAINEE_COURSES = [
    ("gongyi-linian", "all"),
    ("fuwu-liyi", 1),
    ("wangge-gongzuo-guifan", 0),
]
# In each past class, this many trainees (the first by phone) studied to the end:
# each completion runs every lesson and quiz through the services, which is what
# seed_demo spends most of its time on.
COMPLETERS_PER_PAST_CLASS = 1


def seed(options: dict[str, Any]) -> str:
    """Seed the demo catalogue, classes and enrolments; return a one-line summary."""
    instructor = User.objects.filter(phone=school_demo.DEMO_ACCOUNTS[1].phone).first()
    admin = User.objects.filter(phone=school_demo.DEMO_ACCOUNTS[0].phone).first()
    courses = seed_catalogue(author=instructor, publisher=admin)
    seed_classes(courses, instructor=instructor)
    enrolled = seed_enrollments(courses, admin=admin)
    sessions, bookings = seed_sessions(
        admin=admin, instructor=instructor, communities=_communities_with_trainees()
    )
    marks, ratings = seed_attendance(marker=instructor or admin)
    return (
        f"课程 {len(courses)} 门，培训班 {TrainingClass.objects.count()} 期，"
        f"新增报名 {enrolled} 人次，新增实践场次 {sessions} 个、预约 {bookings} 人次，"
        f"新增出勤记录 {marks} 条、课后评价 {ratings} 条"
    )


# --- pages ----------------------------------------------------------------------


def _publish(page: Page, *, author: User | None, publisher: User | None) -> None:
    page.save_revision(user=author).publish(user=publisher)


def _child(parent: Page, model: type[Page], slug: str) -> Page | None:
    return model.objects.child_of(parent).filter(slug=slug).first()


@transaction.atomic
def seed_catalogue(
    *, author: User | None, publisher: User | None
) -> dict[str, CoursePage]:
    """Each school's "课程" index with its courses and their lessons, published
    with a revision. Returns the courses by slug."""
    indexes = {}
    for school in SchoolPage.objects.all():
        index = _child(school, CourseIndexPage, CATALOGUE_SLUG)
        if index is None:
            index = school.add_child(
                instance=CourseIndexPage(
                    title="课程",
                    slug=CATALOGUE_SLUG,
                    intro=(
                        f"{school.display_name or school.title}的全部课程，分为基础通识班、"
                        "专项技能班和领导力提升班三个层级。"
                    ),
                    owner=publisher,
                )
            )
            _publish(index, author=publisher, publisher=publisher)
        indexes[school.kind] = index

    courses: dict[str, CoursePage] = {}
    for spec in demo_courses():  # prerequisites come before the courses needing them
        index = indexes[spec.school]
        course = _child(index, CoursePage, spec.slug)
        if course is None:
            course = _create_course(
                index,
                spec,
                prerequisites=[courses[slug] for slug in spec.prerequisites],
                author=author,
                publisher=publisher,
            )
        courses[spec.slug] = course
    return courses


def _create_course(
    index: CourseIndexPage,
    spec: Course,
    *,
    prerequisites: list[CoursePage],
    author: User | None,
    publisher: User | None,
) -> CoursePage:
    course = CoursePage(
        title=spec.title,
        slug=spec.slug,
        tier=spec.tier,
        summary=spec.summary,
        objectives="\n".join(spec.objectives),
        study_hours=spec.study_hours,
        minimum_level=spec.minimum_level,
        is_featured=spec.is_featured,
        attendance_threshold=spec.attendance_threshold,
        owner=author,
    )
    course.prerequisites.set(prerequisites)  # kept in memory until the page is saved
    index.add_child(instance=course)
    _publish(course, author=author, publisher=publisher)
    for lesson in spec.lessons:
        page = course.add_child(
            instance=LessonPage(
                title=lesson.title,
                slug=lesson.slug,
                body=lesson.body,
                is_required=lesson.required,
                estimated_minutes=lesson.minutes,
                owner=author,
            )
        )
        _publish(page, author=author, publisher=publisher)
    return course


# --- training classes -----------------------------------------------------------


@dataclass(frozen=True)
class ClassPlan:
    number: int
    level: str
    starts_on: date
    ends_on: date
    enrol_opens_at: datetime
    enrol_closes_at: datetime
    online: bool


def _at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _level(tier: str, number: int) -> str:
    if tier == Tier.LEADERSHIP:
        return ClassLevel.PROVINCIAL if number % 2 else ClassLevel.CITY
    if tier == Tier.SPECIALIST:
        if number == 1:
            return ClassLevel.PROVINCIAL
        return ClassLevel.CITY if number % 2 == 0 else ClassLevel.DISTRICT
    return ClassLevel.CITY if number % 3 == 0 else ClassLevel.DISTRICT


def class_plans(spec: Course, today: date) -> list[ClassPlan]:
    """The course's runs, numbered 1..n in date order, the latest starting
    `spec.latest` days from today. District classes with a practice site in mind
    meet there; the rest are online: four weeks of self-study, enrolment open from
    three weeks before the start until the end. A class at a site runs for a day
    or three, and enrolment closes two days before it starts."""
    plans = []
    spacing = timedelta(weeks=CLASS_SPACING[spec.tier])
    for number in range(1, spec.classes + 1):
        starts_on = (
            today + timedelta(days=spec.latest) - (spec.classes - number) * (spacing)
        )
        level = _level(spec.tier, number)
        under_way = starts_on <= today
        online = (
            level != ClassLevel.DISTRICT
            or (not spec.site_keyword and number % 2 == 1)
            or (number == spec.classes and under_way)
        )
        if online:
            ends_on = starts_on + timedelta(days=27)
            opens, closes = _at(starts_on - timedelta(days=21), 9), _at(ends_on, 18)
        else:
            days = 1 if spec.tier == Tier.BASIC else 3
            ends_on = starts_on + timedelta(days=days - 1)
            opens = _at(starts_on - timedelta(days=30), 9)
            closes = _at(starts_on - timedelta(days=2), 18)
        plans.append(
            ClassPlan(number, level, starts_on, ends_on, opens, closes, online)
        )
    return plans


@transaction.atomic
def seed_classes(courses: dict[str, CoursePage], *, instructor: User | None) -> None:
    """Create each course's missing training classes; existing ones stay as they are."""
    today = timezone.localdate()
    sites = list(PracticeSite.objects.filter(is_active=True).order_by("pk"))
    existing = set(TrainingClass.objects.values_list("course_id", "number"))
    for course_index, spec in enumerate(demo_courses()):
        course = courses[spec.slug]
        matching = [s for s in sites if spec.site_keyword in s.name] or sites
        for plan in class_plans(spec, today):
            if (course.pk, plan.number) in existing:
                continue
            site = (
                None
                if plan.online or not sites
                else matching[(course_index + plan.number) % len(matching)]
            )
            capacity = ONLINE_CAPACITY[spec.tier]
            if site is not None:
                capacity = min(capacity, site.capacity)
            training_class = TrainingClass.objects.create(
                course=course,
                number=plan.number,
                level=plan.level,
                capacity=capacity,
                enrol_opens_at=plan.enrol_opens_at,
                enrol_closes_at=plan.enrol_closes_at,
                starts_on=plan.starts_on,
                ends_on=plan.ends_on,
                requires_approval=(
                    spec.tier == Tier.LEADERSHIP or plan.level == ClassLevel.PROVINCIAL
                ),
                practice_site=site,
            )
            if instructor is not None:
                training_class.instructors.add(instructor)


# --- enrolments -------------------------------------------------------------------


def seed_enrollments(courses: dict[str, CoursePage], *, admin: User | None) -> int:
    """Enrolments made through courses.services, as trainees and administrators
    would make them. Returns how many enrolments were created."""
    before = Enrollment.objects.count()
    trainee = User.objects.filter(phone=school_demo.DEMO_ACCOUNTS[3].phone).first()
    if trainee is not None:
        _seed_demo_trainee(trainee, courses)
    if admin is not None:
        _seed_past_classes(admin)
    return Enrollment.objects.count() - before


def _seed_demo_trainee(trainee: User, courses: dict[str, CoursePage]) -> None:
    for slug, studied in DEMO_TRAINEE_COURSES:
        course = courses[slug]
        enrollment = (
            Enrollment.objects.live()
            .filter(trainee=trainee, training_class__course=course)
            .first()
        )
        if enrollment is None:
            training_class = (
                TrainingClass.objects.open_for_enrolment()
                .filter(course=course, requires_approval=False)
                .order_by("-number")
                .first()
            )
            if training_class is None:
                continue  # seeded long ago: nothing of this course is open now
            enrollment = services.enroll_trainee(
                training_class, trainee=trainee, actor=trainee
            )
        lessons = list(LessonPage.objects.live().child_of(course).order_by("path"))
        _study(enrollment, lessons if studied == "all" else lessons[:studied])


def _study(enrollment: Enrollment, lessons: list[LessonPage]) -> None:
    """Finish these lessons and pass their quizzes, unless already done."""
    if enrollment.status != Enrollment.Status.ACTIVE:
        return
    trainee = enrollment.trainee
    done, passed = selectors.studied_and_passed(enrollment)
    for lesson in lessons:
        quiz = lesson.quiz  # passed first: a lesson is ticked only after its quiz
        if quiz is not None and lesson.pk not in passed:
            services.submit_quiz(
                enrollment,
                lesson,
                answers=correct_answers(quiz),
                actor=trainee,
            )
        if lesson.pk not in done:
            services.complete_lesson(enrollment, lesson, actor=trainee)


def _communities_with_trainees() -> list[OrgUnit]:
    """Communities whose trainees may be enrolled in bulk, except the one holding
    the demo accounts (who should not turn up in last year's classes)."""
    staff_paths = set(
        User.objects.filter(
            phone__in=[a.phone for a in school_demo.DEMO_ACCOUNTS]
        ).values_list("org_unit__path", flat=True)
    )
    trainee_paths = set(
        User.objects.filter(phone__startswith="139").values_list(
            "org_unit__path", flat=True
        )
    )
    return [
        community
        for community in OrgUnit.objects.of_kind(OrgUnit.Kind.COMMUNITY).order_by(
            "path"
        )
        if any(p and p.startswith(community.path) for p in trainee_paths)
        and not any(p and p.startswith(community.path) for p in staff_paths)
    ]


def _seed_past_classes(admin: User) -> None:
    """Each finished class of a course open to everyone (no prerequisite, no
    level) gets a community's trainees, enrolled in bulk by the administrator; a
    few of them completed it. Dates are then moved back to when the class ran.

    Courses with entry rules are left out: who qualifies changes as the other
    classes complete, and a second run must not find new people to enrol."""
    communities = _communities_with_trainees()
    if not communities:
        return
    order = {spec.slug: i for i, spec in enumerate(demo_courses())}
    past = (
        TrainingClass.objects.filter(
            ends_on__lt=timezone.localdate(),
            course__minimum_level=Level.RESIDENT,
            course__prerequisites__isnull=True,
        )
        .select_related("course")
        .order_by("starts_on", "pk")
    )
    for training_class in past:
        if training_class.enrollments.exists():
            continue  # seeded before
        course = training_class.course
        community = communities[
            (order.get(course.slug, 0) * 7 + training_class.number) % len(communities)
        ]
        services.bulk_enroll(training_class, org_unit=community, actor=admin)
        if course.attendance_threshold == 0:
            lessons = list(LessonPage.objects.live().child_of(course).order_by("path"))
            for enrollment in (
                training_class.enrollments.select_related("trainee")
                .filter(status=Enrollment.Status.ACTIVE)
                .order_by("trainee__phone")[:COMPLETERS_PER_PAST_CLASS]
            ):
                _study(enrollment, lessons)
        _backdate(training_class)


@transaction.atomic
def _backdate(training_class: TrainingClass) -> None:
    """Move a finished class's enrolment history to when the class ran."""
    enrolled_at = training_class.enrol_opens_at + timedelta(days=1)
    finished_at = _at(training_class.ends_on, 17)
    enrollments = Enrollment.objects.filter(training_class=training_class)
    enrollments.update(created_at=enrolled_at)
    enrollments.filter(status=Enrollment.Status.COMPLETED).update(
        completed_at=finished_at
    )
    EnrollmentEvent.objects.filter(enrollment__training_class=training_class).filter(
        ~Q(kind=EnrollmentEvent.Kind.COMPLETED)
    ).update(created_at=enrolled_at)
    EnrollmentEvent.objects.filter(
        enrollment__training_class=training_class,
        kind=EnrollmentEvent.Kind.COMPLETED,
    ).update(created_at=finished_at)
    LessonProgress.objects.filter(enrollment__training_class=training_class).update(
        completed_at=finished_at - timedelta(hours=2)
    )
    QuizAttempt.objects.filter(enrollment__training_class=training_class).update(
        submitted_at=finished_at - timedelta(hours=1)
    )
