"""The attendance roster (点名): the phone page on which a session's instructor, its
site's host or an administrator marks every confirmed booking in one form, and the
history of the session's marks. Thin views: authenticate, fetch through the access
helper, call courses.attendance.mark_roster, redirect. Only a POST saves."""

from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from courses import attendance
from courses.models import AttendanceRecord, BookableSession, ClassSession
from courses.permissions import user_can_mark_attendance, user_sees_full_phones_of
from courses.selectors.attendance import (
    attendance_history,
    attendance_roster,
    session_rate,
)
from school.models import User

Status = AttendanceRecord.Status

# Each row's radio group is posted as mark-<booking id>.
MARK_PREFIX = "mark-"
# The 全部出勤 button without JavaScript: the form comes back with every row set
# to 出勤 and nothing saved, ready for the exceptions.
PRESET = "preset"


def get_session_to_mark(user: User, pk: int) -> ClassSession:
    """A class session whose attendance the user may take (its instructors, its
    site's hosts, administrators); a 404 alike for missing and not theirs."""
    session = get_object_or_404(
        ClassSession.objects.select_related("training_class__course", "practice_site"),
        pk=pk,
    )
    if not user_can_mark_attendance(user, session):
        raise Http404
    return session


def _posted_marks(request: HttpRequest) -> dict[int, str]:
    """booking id -> status as posted; a malformed name is not a booking id."""
    marks = {}
    for name, value in request.POST.items():
        if not name.startswith(MARK_PREFIX):
            continue
        booking_id = name.removeprefix(MARK_PREFIX)
        if not booking_id.isdigit() or len(booking_id) > 18:
            raise ValidationError(_("出勤名单格式有误，请刷新页面后重新提交。"))
        marks[int(booking_id)] = value
    return marks


@dataclass(frozen=True)
class RosterPage:
    """How one kind of session shows its roster: the template, whether the viewer
    sees phones whole, where a save returns to, and what else the page says."""

    template: str
    full_phones: bool
    saved_url: str
    context: dict = field(default_factory=dict)


def _render(
    request: HttpRequest,
    session: BookableSession,
    page: RosterPage,
    *,
    chosen: dict[int, str] | None = None,
    all_present: bool = False,
    reason: str = "",
    error: ValidationError | None = None,
) -> HttpResponse:
    rows = attendance_roster(session.pk, full_phones=page.full_phones)
    chosen = chosen or {}
    if all_present:
        chosen = {row.booking_id: Status.PRESENT for row in rows}
    session_over = timezone.now() >= session.ends_at
    return render(
        request,
        page.template,
        {
            **page.context,
            "session": session,
            # What each row's radio group shows: the posted choice when the form
            # comes back, else the current mark, else 出勤.
            "rows": [
                (row, chosen.get(row.booking_id) or row.status or Status.PRESENT)
                for row in rows
            ],
            "statuses": Status.choices,
            "summary": session_rate(session.pk),
            "full_phones": page.full_phones,
            "session_over": session_over,
            "has_marks": any(row.status for row in rows),
            "reason": reason,
            "errors": error.messages if error else [],
            "reason_missing": error is not None
            and any(e.code == attendance.REASON_REQUIRED for e in error.error_list),
        },
        status=400 if error else 200,
    )


def roster_page(
    request: HttpRequest, session: BookableSession, page: RosterPage
) -> HttpResponse:
    """The roster of any kind of session, for a viewer already let in: GET shows
    the form, one row per confirmed booking; POST saves every row at once (or,
    for 全部出勤 without JavaScript, shows the form with every row 出勤)."""
    if request.method != "POST":
        return _render(request, session, page)
    reason = request.POST.get("reason", "").strip()[:200]
    try:
        marks = _posted_marks(request)
    except ValidationError as error:
        return _render(request, session, page, reason=reason, error=error)
    if request.POST.get(PRESET) == Status.PRESENT:
        return _render(request, session, page, all_present=True, reason=reason)
    if not marks:
        messages.info(request, _("名单为空，没有需要保存的出勤。"))
        return redirect(page.saved_url)
    try:
        result = attendance.mark_roster(
            session, marks=marks, actor=request.user, reason=reason
        )
    except ValidationError as error:
        return _render(request, session, page, chosen=marks, reason=reason, error=error)
    if result.saved:
        messages.success(
            request,
            _("出勤已保存：新记录 %(created)s 人，修改 %(changed)s 人。")
            % {"created": result.created, "changed": result.changed},
        )
    else:
        messages.info(request, _("出勤没有变化，无需保存。"))
    return redirect(page.saved_url)


@require_http_methods(["GET", "HEAD", "POST"])
def roster(request: HttpRequest, pk: int) -> HttpResponse:
    """The roster of a class session: its instructors, its site's hosts and
    administrators."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    session = get_session_to_mark(request.user, pk)
    return roster_page(
        request,
        session,
        RosterPage(
            template="courses/attendance_roster.html",
            full_phones=user_sees_full_phones_of(request.user, session),
            saved_url=reverse("sites:attendance", args=[session.pk]),
        ),
    )


@require_safe
def history(request: HttpRequest, pk: int) -> HttpResponse:
    """Every change of the session's marks: when, who, from → to, why."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    session = get_session_to_mark(request.user, pk)
    return render(
        request,
        "courses/attendance_history.html",
        {"session": session, "changes": attendance_history(session.pk)},
    )
