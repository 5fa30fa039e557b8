"""How the catalogue, a lesson and 我的学习 scale, against a bare Django view.

One world for the module, built once inside a transaction that is rolled back at
the end: the Grid School's catalogue holds 1,000 courses, the Volunteer Academy's
10, each course with a cover image and a current class; 50 of the Grid School's
courses have three lessons (the last ending in a quiz). One trainee is enrolled in
one class, another in 50 with progress and passed quizzes.

Creating a thousand pages through Page.save takes minutes (full_clean, search and
reference indexing, an audit log row each), so the pages are inserted in bulk, with
treebeard paths computed here: live, without revisions, not in the search index
(none of which the pages measured read).
"""

import io
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.files.images import ImageFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import F
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from wagtail.images import get_image_model
from wagtail.models import Page

import pytest
from PIL import Image as PILImage

from courses.models import (
    ClassLevel,
    CourseIndexPage,
    CoursePage,
    Enrollment,
    LessonPage,
    LessonProgress,
    QuizAttempt,
    Tier,
    TrainingClass,
)
from school import demo
from school.models import Level, SchoolPage, User
from tests.bench.conftest import medians_ms
from tests.bench.urls import HELLO_PATH
from tests.courses.factories import quiz_body

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.bench.urls")]

BIG_CATALOGUE = 1_000
SMALL_CATALOGUE = 10
COURSES_WITH_LESSONS = 50
RUNS, WARMUP = 40, 8
COVER_FILE_PREFIX = "bench-cover-"

LESSON_TEXT = (
    "<p>网格员每天应在网格内巡查，重点看楼道堆物、消防通道占用、电动车违规充电、"
    "高空坠物隐患、井盖缺失和违规搭建等问题。发现问题当场拍照、定位、记录，"
    "能当场劝导解决的当场解决。</p>"
)


@dataclass(frozen=True)
class World:
    big_index: CourseIndexPage
    small_index: CourseIndexPage
    lesson: LessonPage
    one_enrollment: User
    fifty_enrollments: User


def _cover_images(count: int) -> list:
    Image = get_image_model()
    images = []
    for index in range(count):
        buffer = io.BytesIO()
        PILImage.new("RGB", (960, 540), (40 * index, 120, 160)).save(buffer, "PNG")
        images.append(
            Image.objects.create(
                title=f"封面{index}",
                file=ImageFile(buffer, name=f"{COVER_FILE_PREFIX}{index}.png"),
            )
        )
    return images


def bulk_add_children(parent: Page, pages: list[Page]) -> list[Page]:
    """Insert `pages` as the last children of `parent`, live: the Page rows in one
    INSERT, then each page's own row (save_base(raw=True) saves only that table),
    then their parental many-to-many rows. Treebeard paths are computed as
    add_child would; the parent's numchild is brought up to date."""
    model = type(pages[0])
    content_type = ContentType.objects.get_for_model(model)
    depth = parent.depth + 1
    now = timezone.now()
    for step, page in enumerate(pages, start=parent.numchild + 1):
        page.depth, page.numchild = depth, 0
        page.path = model._get_path(parent.path, depth, step)
        page.url_path = f"{parent.url_path}{page.slug}/"
        page.content_type = content_type
        page.locale_id = parent.locale_id
        page.draft_title = page.title
        page.live, page.has_unpublished_changes = True, False
        page.first_published_at = page.last_published_at = now
    base_fields = [f.attname for f in Page._meta.concrete_fields]
    rows = Page.objects.bulk_create(
        [Page(**{name: getattr(page, name) for name in base_fields}) for page in pages]
    )
    for page, row in zip(pages, rows, strict=True):
        page.pk = page.page_ptr_id = row.pk
        page.save_base(raw=True, force_insert=True)
    Prerequisite = CoursePage.prerequisites.through
    if model is CoursePage:
        Prerequisite.objects.bulk_create(
            Prerequisite(from_coursepage_id=page.pk, to_coursepage_id=required.pk)
            for page in pages
            for required in page.prerequisites.all()
        )
    Page.objects.filter(pk=parent.pk).update(numchild=F("numchild") + len(pages))
    parent.numchild += len(pages)
    return pages


def _courses(count: int, covers: list, *, first: int = 0) -> list[CoursePage]:
    """Unsaved courses numbered from `first`, in the three tiers by turn; every
    leadership course requires the basic course before it."""
    tiers = Tier.values
    courses, basic = [], None
    for number in range(first, first + count):
        tier = tiers[number % 3]
        course = CoursePage(
            title=f"第{number + 1}门课程 社区服务与治理",
            slug=f"course-{number + 1}",
            tier=tier,
            summary="面向网格员和志愿者的课程，讲授政策、方法与案例。" * 2,
            objectives="理解基本概念\n掌握工作方法\n能够独立开展服务",
            study_hours=Decimal(4 + number % 8),
            is_featured=number % 10 == 0,
            minimum_level=Level.TALENT if tier == Tier.LEADERSHIP else Level.RESIDENT,
            cover_image=covers[number % len(covers)],
        )
        if tier == Tier.LEADERSHIP and basic is not None:
            course.prerequisites.set([basic])
        if tier == Tier.BASIC:
            basic = course
        courses.append(course)
    return courses


def _catalogue(
    school: SchoolPage, count: int, covers: list
) -> tuple[CourseIndexPage, list[CoursePage]]:
    (index,) = bulk_add_children(
        school, [CourseIndexPage(title="课程", slug="courses", intro="全部课程。")]
    )
    return index, bulk_add_children(index, _courses(count, covers))


def _current_classes(courses: list[CoursePage]) -> dict[int, TrainingClass]:
    """One class per course, most open for enrolment, in the three levels by turn."""
    now, today = timezone.now(), timezone.localdate()
    levels = ClassLevel.values
    classes = TrainingClass.objects.bulk_create(
        TrainingClass(
            course=course,
            number=1,
            level=levels[index % 3],
            capacity=60,
            enrol_opens_at=now - timedelta(days=7 - index % 14),
            enrol_closes_at=now + timedelta(days=7 + index % 14),
            # Under way: lessons open on the start date (the lesson page measured
            # is the real one, with its quiz).
            starts_on=today - timedelta(days=index % 14),
            ends_on=today + timedelta(days=12 + index % 14),
        )
        for index, course in enumerate(courses)
    )
    return {c.course_id: c for c in classes}


def _lessons(course: CoursePage) -> list[LessonPage]:
    bodies = [
        [{"type": "heading", "value": {"text": "巡查", "level": "h2"}}]
        + [{"type": "paragraph", "value": LESSON_TEXT}] * 3,
        [{"type": "paragraph", "value": LESSON_TEXT}] * 4,
        [{"type": "paragraph", "value": LESSON_TEXT}] * 2 + quiz_body(),
    ]
    return bulk_add_children(
        course,
        [
            # has_quiz as LessonPage.save() would set it: save_base does not.
            LessonPage(
                title=f"第{number + 1}课",
                slug=f"lesson-{number + 1}",
                body=body,
                has_quiz=any(block["type"] == "quiz" for block in body),
            )
            for number, body in enumerate(bodies)
        ],
    )


def _enrol(trainee: User, classes: list[TrainingClass], lessons: dict) -> None:
    """Enrol as the services would leave it: a seat each, progress on the first
    lesson, every tenth enrolment completed with its quiz passed."""
    now = timezone.now()
    enrollments = Enrollment.objects.bulk_create(
        Enrollment(
            training_class=training_class,
            trainee=trainee,
            status=(
                Enrollment.Status.COMPLETED
                if index % 10 == 9
                else Enrollment.Status.ACTIVE
            ),
            completed_at=now if index % 10 == 9 else None,
            created_at=now - timedelta(minutes=index),
            last_lesson=lessons[training_class.course_id][0],
        )
        for index, training_class in enumerate(classes)
    )
    TrainingClass.objects.filter(pk__in=[c.pk for c in classes]).update(seats_taken=1)
    progress, attempts = [], []
    for enrollment in enrollments:
        course_lessons = lessons[enrollment.training_class.course_id]
        studied = (
            course_lessons
            if enrollment.status == Enrollment.Status.COMPLETED
            else course_lessons[:1]
        )
        progress += [LessonProgress(enrollment=enrollment, lesson=s) for s in studied]
        if enrollment.status == Enrollment.Status.COMPLETED:
            attempts.append(
                QuizAttempt(
                    enrollment=enrollment,
                    lesson=course_lessons[-1],
                    number=1,
                    score=100,
                    passed=True,
                    answers={"q0": [0], "q1": [0, 2]},
                )
            )
    LessonProgress.objects.bulk_create(progress)
    QuizAttempt.objects.bulk_create(attempts)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        grid, academy = demo.seed_schools()
        covers = _cover_images(3)
        big_index, big = _catalogue(grid, BIG_CATALOGUE, covers)
        small_index, small = _catalogue(academy, SMALL_CATALOGUE, covers)
        classes = _current_classes(big + small)
        with_lessons = big[:COURSES_WITH_LESSONS]
        lessons = {course.pk: _lessons(course) for course in with_lessons}
        one, fifty = (
            User.objects.create_user(phone=phone, real_name=name, level=Level.VOLUNTEER)
            for phone, name in [("13900000001", "陈学员"), ("13900000002", "林学员")]
        )
        _enrol(one, [classes[with_lessons[0].pk]], lessons)
        _enrol(fifty, [classes[course.pk] for course in with_lessons], lessons)
        yield World(
            big_index=big_index,
            small_index=small_index,
            lesson=lessons[with_lessons[0].pk][-1],
            one_enrollment=one,
            fifty_enrollments=fifty,
        )
        transaction.set_rollback(True)
    # The rollbacks took the image and rendition rows, not their files.
    for folder in ("original_images", "images"):
        if default_storage.exists(folder):
            for name in default_storage.listdir(folder)[1]:
                if name.startswith(COVER_FILE_PREFIX):
                    default_storage.delete(f"{folder}/{name}")


def _getter(client, path: str):
    def get():
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        return response

    return get


def _queries(call) -> int:
    """Queries of one call, after a first call has warmed what a running site keeps
    warm (the site root paths in the cache, image renditions)."""
    call()
    with CaptureQueriesContext(connection) as queries:
        call()
    return len(queries)


def test_catalogue_queries_do_not_grow_with_the_courses(client, world, record_figures):
    """The same catalogue (so the same URL depth) with 10 courses, then with 990
    more; the additions are rolled back with the test."""
    client.force_login(world.fifty_enrollments)
    catalogue = _getter(client, world.small_index.url)
    ten = _queries(catalogue)
    covers = list(get_image_model().objects.all())
    more = _courses(BIG_CATALOGUE - SMALL_CATALOGUE, covers, first=SMALL_CATALOGUE)
    _current_classes(bulk_add_children(world.small_index, more))
    assert CoursePage.objects.child_of(world.small_index).count() == BIG_CATALOGUE
    thousand = _queries(catalogue)
    record_figures(
        catalog_queries_10_courses=ten, catalog_queries_1000_courses=thousand
    )
    assert ten == thousand
    assert thousand <= 20


def test_catalogue_against_a_bare_view(client, world, record_figures):
    client.force_login(world.fifty_enrollments)
    hello = _getter(client, HELLO_PATH)
    medians = medians_ms(
        {"catalog": _getter(client, world.big_index.url), "hello": hello},
        runs=RUNS,
        warmup=WARMUP,
    )
    record_figures(
        catalog_p50_ms=medians["catalog"],
        catalog_over_hello=medians["catalog"] / medians["hello"],
    )


def test_lesson_against_a_bare_view(client, world, record_figures):
    client.force_login(world.fifty_enrollments)
    lesson = _getter(client, world.lesson.url)
    assert "服务居民时应当做到？" in lesson().content.decode()  # the quiz is shown
    medians = medians_ms(
        {"lesson": lesson, "hello": _getter(client, HELLO_PATH)},
        runs=RUNS,
        warmup=WARMUP,
    )
    queries = _queries(lesson)
    record_figures(
        lesson_queries=queries,
        lesson_p50_ms=medians["lesson"],
        lesson_over_hello=medians["lesson"] / medians["hello"],
    )
    assert queries <= 15


def test_dashboard_queries_do_not_grow_with_the_enrolments(world, record_figures):
    """我的学习 of a trainee with 50 enrolments (the figure that counts) and, for
    comparison, of one with a single enrolment."""
    single, fifty = Client(), Client()
    single.force_login(world.one_enrollment)
    fifty.force_login(world.fifty_enrollments)
    dashboard_1 = _getter(single, "/learning/")
    dashboard_50 = _getter(fifty, "/learning/")
    queries_1, queries_50 = _queries(dashboard_1), _queries(dashboard_50)
    medians = medians_ms(
        {
            "dashboard_50": dashboard_50,
            "dashboard_1": dashboard_1,
            "hello": _getter(fifty, HELLO_PATH),
        },
        runs=RUNS,
        warmup=WARMUP,
    )
    record_figures(
        dashboard_queries_1_enrollment=queries_1,
        dashboard_queries_50_enrollments=queries_50,
        dashboard_p50_ms=medians["dashboard_50"],
        dashboard_over_hello=medians["dashboard_50"] / medians["hello"],
        dashboard_1_enrollment_over_hello=medians["dashboard_1"] / medians["hello"],
    )
    assert queries_1 == queries_50
