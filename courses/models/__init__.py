"""Learning and the classroom: courses and lessons (pages), training classes,
enrolments, lesson progress and quiz attempts; sessions and their bookings;
attendance and feedback."""

from .attendance import (
    AbsenceWarning,
    AttendanceChange,
    AttendanceRecord,
    CheckInCard,
    Feedback,
)
from .booking import (
    BookableSession,
    Booking,
    BookingEvent,
    CalendarFeed,
    SeatQuota,
)
from .classes import ClassLevel, Enrollment, EnrollmentEvent, TrainingClass
from .learning import LessonProgress, QuizAttempt, QuizAttemptGrant
from .pages import CourseIndexPage, CoursePage, LessonPage, Tier
from .sessions import ClassSession

__all__ = [
    "AbsenceWarning",
    "AttendanceChange",
    "AttendanceRecord",
    "CheckInCard",
    "Feedback",
    "BookableSession",
    "Booking",
    "BookingEvent",
    "CalendarFeed",
    "ClassSession",
    "SeatQuota",
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
