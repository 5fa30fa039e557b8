"""Reads of learning that span relations, each in a fixed number of queries.

One module per thing read: standing (enrolment facts), progress (the study record
and the progress it adds up to), catalogue, course, lesson and dashboard (the
pages a trainee sees). Every public name is importable from here:
`from courses import selectors` / `from courses.selectors import standing_for`.
"""

from courses.selectors.attendance import (
    NO_MARKS,
    AttendanceRate,
    attendance_rate,
    attendance_rates,
    rates_grouped_by,
)
from courses.selectors.bookings import (
    MyBookingRow,
    SessionRow,
    class_sessions_context,
    my_bookings,
)
from courses.selectors.catalogue import (
    CATALOG_PAGE_SIZE,
    COVER_SPEC,
    SEARCH_MAX_TERMS,
    CourseCard,
    CourseSummary,
    CourseVerdict,
    PrerequisiteRef,
    catalog_context,
    course_verdict,
    search_course_ids,
)
from courses.selectors.course import ClassRow, course_context
from courses.selectors.dashboard import CatalogueLink, LearningRow, dashboard_context
from courses.selectors.lesson import QuizSummary, lesson_context
from courses.selectors.progress import (
    NOTHING_STUDIED,
    AttemptRecord,
    CourseProgress,
    LessonLink,
    StudyRecord,
    completion_rule_holds,
    course_lessons,
    course_progress,
    course_progress_for,
    studied_and_passed,
    study_records,
)
from courses.selectors.sites import (
    Roster,
    RosterEntry,
    RunnerWeek,
    Week,
    WeekDay,
    runner_week,
    session_roster,
    sessions_run_by,
    site_week,
    week_monday,
)
from courses.selectors.standing import (
    current_classes,
    enrollment_for_course,
    standing_for,
    standings_for,
)
from courses.selectors.withdrawal import withdrawal_context

__all__ = [
    "NO_MARKS",
    "AttendanceRate",
    "attendance_rate",
    "attendance_rates",
    "rates_grouped_by",
    "CATALOG_PAGE_SIZE",
    "COVER_SPEC",
    "SEARCH_MAX_TERMS",
    "AttemptRecord",
    "CatalogueLink",
    "ClassRow",
    "CourseCard",
    "CourseProgress",
    "CourseSummary",
    "CourseVerdict",
    "LearningRow",
    "LessonLink",
    "MyBookingRow",
    "NOTHING_STUDIED",
    "PrerequisiteRef",
    "QuizSummary",
    "SessionRow",
    "StudyRecord",
    "catalog_context",
    "class_sessions_context",
    "completion_rule_holds",
    "course_context",
    "course_lessons",
    "course_progress",
    "course_progress_for",
    "course_verdict",
    "current_classes",
    "dashboard_context",
    "enrollment_for_course",
    "lesson_context",
    "my_bookings",
    "search_course_ids",
    "standing_for",
    "standings_for",
    "studied_and_passed",
    "study_records",
    "withdrawal_context",
    # sites
    "Roster",
    "RosterEntry",
    "RunnerWeek",
    "Week",
    "WeekDay",
    "runner_week",
    "session_roster",
    "sessions_run_by",
    "site_week",
    "week_monday",
]
