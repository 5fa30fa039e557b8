"""Class sessions on the booking engine: the rule that only trainees enrolled in
the class book its sessions, and the use cases the trainee and the site host call.
Seats, waitlist and cut-off are the engine's (courses.booking)."""

from django.utils import timezone
from django.utils.translation import gettext as _

from courses import booking
from courses.models import Booking, ClassSession, Enrollment
from school.models import User


def holds_seat(trainee: User, class_id: int) -> bool:
    """A seat in the class (studying or completed); a pending request, a withdrawal
    or a rejection holds none."""
    return Enrollment.objects.filter(
        training_class_id=class_id,
        trainee=trainee,
        status__in=Enrollment.SEAT_STATUSES,
    ).exists()


def class_session_refusal(session: ClassSession, trainee: User) -> str | None:
    """Only a trainee holding a seat in the class books its sessions. Asked in the
    booking's transaction, it locks the enrolment: a withdrawal at the same moment
    waits for the booking and then releases it, rather than missing it."""
    seat = Enrollment.objects.select_for_update(no_key=True).filter(
        training_class_id=session.training_class_id,
        trainee=trainee,
        status__in=Enrollment.SEAT_STATUSES,
    )
    if not seat.values_list("pk", flat=True)[:1]:
        return _("您还没有报名该培训班（或报名尚未通过审核），不能预约它的场次。")
    return None


def _class_session(session) -> ClassSession:
    if isinstance(session, ClassSession):
        return session
    return ClassSession.objects.get(pk=session.pk)


def book_session(session: ClassSession, *, trainee: User, actor: User) -> Booking:
    """A trainee books a seat in a session of their class (or joins its waitlist)."""
    return booking.book(
        session, trainee=trainee, actor=actor, rule=class_session_refusal
    )


def add_walk_in(session: ClassSession, *, trainee: User, actor: User) -> Booking:
    """A site host adds a trainee of the class who came without booking: a seat,
    if one is free, whatever the cut-off."""
    return booking.book(
        session,
        trainee=trainee,
        actor=actor,
        rule=class_session_refusal,
        source=Booking.Source.WALK_IN,
    )


def session_contact(session: ClassSession) -> str:
    """Whom a trainee asks once they can no longer cancel online: the site's hosts
    (name and phone), else the school's administrators."""
    if session.practice_site_id:
        hosts = [
            f"{host.real_name}（{host.phone}）"
            for host in session.practice_site.hosts.filter(is_active=True)
        ]
        if hosts:
            return _("教学点负责人 %(hosts)s") % {"hosts": "、".join(hosts)}
    return _("培训班管理员")


def cancel_my_booking(booking_: Booking, *, trainee: User) -> Booking:
    """The trainee cancels their own booking, before the cut-off."""
    session = _class_session(booking_.session)
    return booking.cancel_booking(
        booking_, actor=trainee, contact=session_contact(session)
    )


def release_class_bookings(enrollment: Enrollment, *, actor: User, note: str) -> int:
    """A withdrawn enrolment gives up its bookings of the class's sessions still to
    come (inside the withdrawal's transaction)."""
    sessions = ClassSession.objects.filter(
        training_class_id=enrollment.training_class_id,
        ends_at__gt=timezone.now(),
        bookings__trainee_id=enrollment.trainee_id,
        bookings__status__in=Booking.LIVE_STATUSES,
    ).distinct()
    return booking.release_bookings(
        list(sessions), trainee=enrollment.trainee, actor=actor, note=note
    )
