"""Fixtures for learning: a catalogue with courses, lessons (one with a quiz) and an
open training class. Shared by tests/courses/ and tests/e2e/."""

import pytest

from tests.courses.factories import (
    CourseIndexPageFactory,
    CoursePageFactory,
    LessonPageFactory,
    TrainingClassFactory,
    quiz_body,
)


@pytest.fixture
def course_index(grid_school):
    return CourseIndexPageFactory(parent=grid_school, title="课程", slug="courses")


@pytest.fixture
def course(course_index):
    return CoursePageFactory(parent=course_index, title="公益理念", slug="gong-yi")


@pytest.fixture
def lessons(course):
    """Two lessons; the second ends in a quiz (pass mark 60, 2 attempts)."""
    first = LessonPageFactory(parent=course, title="第一课 志愿服务是什么", slug="l1")
    second = LessonPageFactory(
        parent=course, title="第二课 服务礼仪", slug="l2", body=quiz_body()
    )
    return [first, second]


@pytest.fixture
def training_class(course):
    return TrainingClassFactory(course=course, capacity=30)
