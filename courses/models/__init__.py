"""Learning and the classroom: courses and lessons (pages), training classes,
enrolments, lesson progress and quiz attempts."""

from .classes import ClassLevel, Enrollment, EnrollmentEvent, TrainingClass
from .learning import LessonProgress, QuizAttempt, QuizAttemptGrant
from .pages import CourseIndexPage, CoursePage, LessonPage, Tier

__all__ = [
    "ClassLevel",
    "CourseIndexPage",
    "CoursePage",
    "Enrollment",
    "EnrollmentEvent",
    "LessonPage",
    "LessonProgress",
    "QuizAttempt",
    "QuizAttemptGrant",
    "Tier",
    "TrainingClass",
]
