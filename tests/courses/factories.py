"""Factories for courses: pages built through wagtail-factories, classes through
factory_boy. Quiz bodies are plain StreamField data so tests see exactly what an
instructor would author."""

from datetime import timedelta

from django.utils import timezone

import factory
import wagtail_factories
from factory.django import DjangoModelFactory

from courses.models import (
    ClassLevel,
    ClassSession,
    CourseIndexPage,
    CoursePage,
    LessonPage,
    Tier,
    TrainingClass,
)


def paragraph_body(text: str = "本课介绍志愿服务的基本理念。") -> list[dict]:
    return [{"type": "paragraph", "value": f"<p>{text}</p>"}]


def quiz_body(*, pass_mark: int = 60, max_attempts: int = 2) -> list[dict]:
    """A paragraph and a two-question quiz: question 1 single choice (answer 0),
    question 2 multiple choice (answers 0 and 2)."""
    return [
        *paragraph_body("服务礼仪的要点。"),
        {
            "type": "quiz",
            "value": {
                "title": "课后测验",
                "pass_mark": pass_mark,
                "max_attempts": max_attempts,
                "questions": [
                    {
                        "prompt": "志愿服务的基本原则包括？",
                        "multiple": False,
                        "choices": [
                            {"text": "自愿、无偿", "is_correct": True},
                            {"text": "强制、有偿", "is_correct": False},
                        ],
                    },
                    {
                        "prompt": "服务居民时应当做到？",
                        "multiple": True,
                        "choices": [
                            {"text": "耐心倾听", "is_correct": True},
                            {"text": "随意承诺", "is_correct": False},
                            {"text": "尊重隐私", "is_correct": True},
                        ],
                    },
                ],
            },
        },
    ]


class CourseIndexPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = CourseIndexPage

    title = "课程"
    intro = "网格学校的全部课程。"


class CoursePageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = CoursePage

    title = factory.Sequence(lambda n: f"课程{n}")
    tier = Tier.BASIC
    summary = "课程简介。"
    objectives = "理解志愿服务\n掌握服务礼仪"
    study_hours = 4


class LessonPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = LessonPage

    title = factory.Sequence(lambda n: f"课时{n}")
    body = factory.LazyFunction(paragraph_body)


class TrainingClassFactory(DjangoModelFactory):
    """An open class under way: it started two days ago, runs until ten days from
    now, and (rolling enrolment) takes trainees from yesterday until a week from
    now."""

    class Meta:
        model = TrainingClass

    number = factory.Sequence(lambda n: n + 1)
    level = ClassLevel.DISTRICT
    capacity = 30
    enrol_opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    enrol_closes_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=2))
    ends_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=10))


class ClassSessionFactory(DjangoModelFactory):
    """A session three days from now, 19:00-21:00 local time, 20 seats, booking
    until the day before; online unless given a practice_site."""

    class Meta:
        model = ClassSession

    training_class = factory.SubFactory(TrainingClassFactory)
    seats = 20
    starts_at = factory.LazyFunction(
        lambda: (
            timezone.localtime().replace(hour=19, minute=0, second=0, microsecond=0)
            + timedelta(days=3)
        )
    )
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=2))
    booking_closes_at = factory.LazyAttribute(lambda o: o.starts_at - timedelta(days=1))
    meeting_url = factory.LazyAttribute(
        lambda o: "" if o.practice_site else "https://meeting.example.cn/123"
    )
    practice_site = None
