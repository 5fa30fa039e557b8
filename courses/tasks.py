"""django-q2 entry points: each takes IDs, loads, calls one service, and is safe to
run twice."""

from courses import attendance, booking, notices, services


def send_booking_notice_task(event_id: int) -> bool:
    return notices.send_booking_notice(event_id)


def send_session_reminders_task() -> int:
    return notices.send_session_reminders()


def release_due_quotas_task() -> int:
    return booking.release_due_quotas()


def attendance_changed_task(enrollment_ids: list[int]) -> int:
    """Completion first: an enrolment that completes is not warned."""
    completed = services.complete_after_attendance(enrollment_ids)
    attendance.warn_absences(enrollment_ids)
    return completed
