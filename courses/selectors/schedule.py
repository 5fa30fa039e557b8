"""A class's dates as a trainee meets them: lessons open on the class's start
date, and a course that needs attendance says so beside its progress."""

from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from courses.models import Enrollment


def day_label(day: date) -> str:
    """A date as a Chinese notice prints it: 2026年12月10日."""
    return _("%(year)s年%(month)s月%(day)s日") % {
        "year": day.year,
        "month": day.month,
        "day": day.day,
    }


def class_has_started(starts_on: date, today: date | None = None) -> bool:
    """Whether a class starting on `starts_on` has started by the school's local
    date: its lessons and quizzes open on the start date, not before."""
    return starts_on <= (today or timezone.localdate())


def not_started_notice(starts_on: date, today: date | None = None) -> str:
    """What a trainee is told while their class has not started, else ""."""
    if class_has_started(starts_on, today):
        return ""
    return _("本班 %(date)s 开课，届时即可开始学习") % {"date": day_label(starts_on)}


def attendance_note(threshold: int, status: str) -> str:
    """Beside the progress of a course that needs attendance to complete (an
    active enrolment only): the lessons alone will not complete it, so a trainee
    at 100 % knows what is still to come. Else ""."""
    if not threshold or status != Enrollment.Status.ACTIVE:
        return ""
    return _("还需出勤率 %(threshold)s%%，出勤记录将在实践教学后计入") % {
        "threshold": threshold
    }
