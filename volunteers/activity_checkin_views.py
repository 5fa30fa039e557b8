"""Attendance, check-in, feedback and helpers of a community activity's session:
the organiser's (and the space staff's) roster, card scanning, rotating code and
helpers pages, and the signed-up resident's self check-in and rating. Thin views
over courses.attendance, courses.checkin, courses.feedback and
volunteers.activities; every change is a POST, no GET changes anything."""

import re

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from courses import checkin
from courses import feedback as ratings
from courses.attendance_views import RosterPage, roster_page
from courses.checkin_views import CardCodeForm, SessionCodeForm
from courses.feedback_views import FeedbackForm
from courses.models import AttendanceRecord, Booking
from courses.selectors.bookings import time_label
from school.models import User, normalise_phone
from volunteers import activities, services
from volunteers.models import Activity, ActivitySession, ServiceRecord

Status = AttendanceRecord.Status
_ATTENDED = (Status.PRESENT, Status.LATE)
# Activities whose sessions are run: approved ones, and cancelled ones for the
# sessions held before the cancellation.
_RUN_STATUSES = (Activity.Status.APPROVED, Activity.Status.CANCELLED)
MAX_HELPERS = 100


# Access helpers: the session, or 404 alike for "does not exist" and "not yours".


def _session(pk: int) -> ActivitySession | None:
    return (
        ActivitySession.objects.select_related(
            "activity__space__community", "activity__organiser"
        )
        .filter(pk=pk, activity__status__in=_RUN_STATUSES)
        .first()
    )


def session_run_by(user: User, pk: int) -> ActivitySession:
    """A session of an approved (or since cancelled) activity the user runs: its
    organiser or its space's staff."""
    session = _session(pk)
    if session is None or not activities.user_runs(user, session.activity):
        raise Http404
    return session


def session_booked_by(user: User, pk: int) -> ActivitySession:
    """A session of an approved (or since cancelled) activity the user holds a
    booking of (confirmed or waitlisted)."""
    session = _session(pk)
    if (
        session is None
        or not user.is_authenticated
        or not Booking.objects.live().filter(session_id=pk, trainee=user).exists()
    ):
        raise Http404
    return session


def _messages_of(error: ValidationError) -> str:
    return "；".join(error.messages)


def _form_errors(form: forms.Form) -> str:
    return "；".join(error for errors in form.errors.values() for error in errors)


def _context(session: ActivitySession, **extra) -> dict:
    return {
        "session": session,
        "activity": session.activity,
        "time_label": time_label(session.starts_at, session.ends_at),
        **extra,
    }


# The roster (点名).


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def roster(request: HttpRequest, pk: int) -> HttpResponse:
    """The roster of an activity session, for the people who run it."""
    session = session_run_by(request.user, pk)
    return roster_page(
        request,
        session,
        RosterPage(
            template="volunteers/activity_roster.html",
            # The space's staff call residents on the day; the organiser, a
            # resident too, sees phones masked.
            full_phones=activities.user_staffs(request.user, session.activity.space),
            saved_url=reverse("activity_checkin:roster", args=[session.pk]),
            context=_context(session),
        ),
    )


# Scanning cards.


def _result_text(done: checkin.CheckIn) -> str:
    record = done.record
    text = _("%(name)s（%(phone)s）：%(status)s") % {
        "name": record.trainee.real_name,
        "phone": record.trainee.masked_phone,
        "status": record.get_status_display(),
    }
    if done.already:
        return _("%(result)s（此前已签到）") % {"result": text}
    if done.walked_in:
        return _("%(result)s（未报名，已现场加入）") % {"result": text}
    return text


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def scan(request: HttpRequest, pk: int) -> HttpResponse:
    """The phone page: scan a resident's card with the camera or type its code;
    each POST checks one person in and comes back for the next. A resident in
    the audience who did not sign up is seated as a walk-in if a seat is free."""
    session = session_run_by(request.user, pk)
    if request.method == "POST":
        form = CardCodeForm(request.POST)
        if not form.is_valid():
            messages.error(request, _form_errors(form))
            return redirect("activity_checkin:scan", pk=session.pk)
        try:
            done = checkin.scan_check_in(
                session,
                code=form.cleaned_data["code"],
                actor=request.user,
                rule=activities.activity_refusal,
            )
        except ValidationError as error:
            messages.error(request, _messages_of(error))
        else:
            messages.success(request, _result_text(done))
        return redirect("activity_checkin:scan", pk=session.pk)
    return render(
        request,
        "volunteers/activity_scan.html",
        _context(
            session,
            form=CardCodeForm(),
            refusal=checkin.scan_refusal(session),
            attended=checkin.attended_count(session),
            booked=session.confirmed_count,
            late_after=int(checkin.LATE_AFTER_START.total_seconds() // 60),
        ),
    )


# The rotating code on the screen.


def _code_state(session: ActivitySession) -> dict:
    now = timezone.now()
    return {
        "code": checkin.session_code(session, now),
        "seconds_left": checkin.seconds_to_next_code(now),
        "in_window": checkin.in_window(session, now),
    }


@login_required
@require_safe
def code(request: HttpRequest, pk: int) -> HttpResponse:
    """The session's current self check-in code, large, for the screen in the
    room; a small script fetches the next one as it changes."""
    session = session_run_by(request.user, pk)
    return render(
        request,
        "volunteers/activity_code.html",
        _context(
            session,
            window=checkin.window_label(session),
            period=checkin.CODE_PERIOD,
            **_code_state(session),
        ),
    )


@login_required
@never_cache
@require_safe
def code_json(request: HttpRequest, pk: int) -> JsonResponse:
    """The current code as JSON, read-only, for the screen's script."""
    session = session_run_by(request.user, pk)
    return JsonResponse(_code_state(session))


# The resident: self check-in.


def _own_record(session: ActivitySession, user: User) -> AttendanceRecord | None:
    return (
        AttendanceRecord.objects.filter(session_id=session.pk, trainee=user)
        .only("status")
        .first()
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def self_check_in(request: HttpRequest, pk: int) -> HttpResponse:
    """自助签到: a signed-up resident types the code shown in the room, inside the
    window. The GET only shows the form; the POST marks present or late."""
    session = session_booked_by(request.user, pk)
    form = SessionCodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            done = checkin.self_check_in(
                session, trainee=request.user, code=form.cleaned_data["code"]
            )
        except ValidationError as error:
            form.add_error("code", error)
        else:
            status = done.record.get_status_display()
            if done.already:
                messages.info(
                    request,
                    _("您已签到（%(status)s），无需重复签到。") % {"status": status},
                )
            else:
                messages.success(
                    request, _("签到成功：%(status)s。") % {"status": status}
                )
            return redirect("activity_checkin:self", pk=session.pk)
    record = _own_record(session, request.user)
    checked_in = record is not None and record.status in _ATTENDED
    booked = (
        Booking.objects.confirmed()
        .filter(session_id=session.pk, trainee=request.user)
        .exists()
    )
    return render(
        request,
        "volunteers/activity_self_checkin.html",
        _context(
            session,
            window=checkin.window_label(session),
            form=form,
            record=record,
            checked_in=checked_in,
            refusal=None
            if checked_in
            else checkin.self_check_in_refusal(session, request.user),
            booked=booked,
        ),
        status=400 if form.errors else 200,
    )


# Feedback.


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def give_feedback(request: HttpRequest, pk: int) -> HttpResponse:
    """An attendee rates the session (1–5, optional comment), once; the rating
    may be changed for 7 days. Before the end, or to a resident who did not
    attend, the page says why it cannot be rated."""
    session = session_booked_by(request.user, pk)
    refusal = ratings.session_feedback_refusal(session, request.user)
    given = None if refusal else ratings.existing_feedback(session, request.user)
    editable = given is None or ratings.is_editable(given)
    status = 200
    if request.method == "POST":
        form = FeedbackForm(request.POST)
        if refusal:
            messages.error(request, refusal)
            return redirect("activity_checkin:feedback", pk=session.pk)
        if not editable:
            messages.error(request, _("评价提交 7 天后不能再修改。"))
            return redirect("activity_checkin:feedback", pk=session.pk)
        if form.is_valid():
            try:
                ratings.give_feedback(
                    session,
                    trainee=request.user,
                    score=form.cleaned_data["score"],
                    comment=form.cleaned_data["comment"],
                )
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    for name, errors in error.message_dict.items():
                        form.add_error(name if name in form.fields else None, errors)
                else:
                    form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("评价已修改，谢谢！")
                    if given
                    else _("评价已提交，谢谢您的反馈！"),
                )
                return redirect("activity_checkin:feedback", pk=session.pk)
        status = 400
    else:
        initial = {"score": given.score, "comment": given.comment} if given else {}
        form = FeedbackForm(initial=initial)
    return render(
        request,
        "volunteers/activity_feedback.html",
        _context(session, form=form, given=given, editable=editable, refusal=refusal),
        status=status,
    )


@login_required
@require_safe
def feedback_summary(request: HttpRequest, pk: int) -> HttpResponse:
    """The session's ratings for the people who run it: how many, the average,
    满意率 and the comments, without names or phones."""
    session = session_run_by(request.user, pk)
    return render(
        request,
        "volunteers/activity_feedback_summary.html",
        _context(session, summary=ratings.session_feedback_summary(session)),
    )


# Helpers (协助志愿者).

_PHONE_SEPARATORS = re.compile(r"[\s,，、;；]+")


class HelpersForm(forms.Form):
    phones = forms.CharField(
        label=gettext_lazy("协助志愿者的手机号"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5, "inputmode": "tel"}),
        help_text=gettext_lazy("每行一个，或用逗号分隔。"),
        error_messages={"required": gettext_lazy("请填写至少一个手机号。")},
    )
    hours = forms.DecimalField(
        label=gettext_lazy("协助时长（小时）"),
        max_digits=3,
        decimal_places=1,
        min_value=0.1,
        max_value=24,
        error_messages={
            "required": gettext_lazy("请填写协助时长。"),
            "invalid": gettext_lazy("协助时长请填写数字，例如 2 或 1.5。"),
        },
    )

    def clean_phones(self) -> list[str]:
        phones = []
        for part in _PHONE_SEPARATORS.split(self.cleaned_data["phones"]):
            phone = normalise_phone(part)
            if phone and phone not in phones:
                phones.append(phone)
        if not phones:
            raise ValidationError(_("请填写至少一个手机号。"))
        if len(phones) > MAX_HELPERS:
            raise ValidationError(_("一次最多登记 %(max)s 人。") % {"max": MAX_HELPERS})
        return phones


def _recorded_helpers(session: ActivitySession):
    return (
        ServiceRecord.objects.filter(source_session_id=session.pk)
        .exclude(volunteer_id=session.activity.organiser_id)
        .select_related("volunteer")
        .order_by("pk")
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def helpers(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the helpers recorded for the session and the form. POST: record the
    people with these phones as helpers for these hours; each record then awaits
    a coordinator. Unknown phones are named and change nothing."""
    session = session_run_by(request.user, pk)
    default_hours = services.session_hours(session)
    form = HelpersForm(
        request.POST if request.method == "POST" else None,
        initial={"hours": default_hours},
    )
    if request.method == "POST" and form.is_valid():
        phones = form.cleaned_data["phones"]
        found = {
            person.phone: person
            for person in User.objects.filter(phone__in=phones, is_active=True)
        }
        missing = [phone for phone in phones if phone not in found]
        people = [found[phone] for phone in phones if phone in found]
        try:
            outcome = (
                activities.record_helpers(
                    session,
                    helpers=people,
                    hours=form.cleaned_data["hours"],
                    actor=request.user,
                )
                if people
                else None
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if outcome and outcome.recorded:
                messages.success(
                    request,
                    _("已登记 %(count)s 人：%(names)s。记录将由志愿服务协调员审核。")
                    % {
                        "count": len(outcome.recorded),
                        "names": "、".join(
                            r.volunteer.real_name for r in outcome.recorded
                        ),
                    },
                )
            for person, why in outcome.skipped if outcome else []:
                messages.warning(
                    request,
                    _("%(name)s（%(phone)s）未登记：%(why)s")
                    % {
                        "name": person.real_name,
                        "phone": person.masked_phone,
                        "why": why,
                    },
                )
            if missing:
                messages.error(
                    request,
                    _(
                        "以下手机号没有找到注册用户，未登记：%(phones)s。"
                        "请核对号码，或请其先注册后再登记。"
                    )
                    % {"phones": "、".join(missing)},
                )
            return redirect("activity_checkin:helpers", pk=session.pk)
    return render(
        request,
        "volunteers/activity_helpers.html",
        _context(
            session,
            form=form,
            recorded=_recorded_helpers(session),
            default_hours=default_hours,
            started=timezone.now() >= session.starts_at,
        ),
        status=400 if form.errors else 200,
    )
