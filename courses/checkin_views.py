"""Check-in pages: a trainee's card (QR and digits, printable, resettable), the
staff phone page that scans or takes typed card codes for a session, the
instructor's screen with the session's rotating code, and the trainee's self
check-in form. Thin views over courses.checkin; every change is a POST, no GET
changes anything (the card page writes no row, not even a first version)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

import segno

from courses import checkin
from courses.booking_views import get_session_for_trainee
from courses.models import AttendanceRecord, Booking, ClassSession
from courses.permissions import user_can_mark_attendance
from courses.selectors.bookings import time_label
from school.models import User

# Access helpers: the object, or 404 alike for "does not exist" and "not yours".


def get_session_to_check_in(user: User, pk: int) -> ClassSession:
    """A class session whose attendance the user takes (its instructors, its
    site's hosts, administrators)."""
    session = get_object_or_404(
        ClassSession.objects.select_related("training_class__course", "practice_site"),
        pk=pk,
    )
    if not user_can_mark_attendance(user, session):
        raise Http404
    return session


# Forms.


class CardCodeForm(forms.Form):
    """A card's code, typed or read from its QR by the camera."""

    code = forms.CharField(
        label=gettext_lazy("签到卡号"),
        max_length=40,
        error_messages={"required": gettext_lazy("请输入签到卡上的数字。")},
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "off",
                "autocapitalize": "off",
                "spellcheck": "false",
            }
        ),
    )


class SessionCodeForm(forms.Form):
    """The six digits shown on the screen in the room."""

    code = forms.CharField(
        label=gettext_lazy("签到码（6 位数字）"),
        max_length=20,
        error_messages={"required": gettext_lazy("请输入现场屏幕上的 6 位签到码。")},
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "pattern": "[0-9 ]*",
            }
        ),
    )


def _errors(form: forms.Form) -> str:
    return "；".join(error for errors in form.errors.values() for error in errors)


def _qr_svg(code: str, label: str) -> SafeString:
    """The card's QR code as inline SVG (the digits alone, in numeric mode)."""
    svg = segno.make_qr(code, error="m").svg_inline(
        scale=4, border=4, svgclass="checkin-card__qr", omitsize=True
    )
    # segno writes only our digits and its own path into the markup.
    return mark_safe(  # noqa: S308
        svg.replace(
            "<svg ", str(format_html('<svg role="img" aria-label="{}" ', label)), 1
        )
    )


# The trainee's card.


@login_required
@require_safe
def card(request: HttpRequest) -> HttpResponse:
    """我的签到卡: the personal code as a QR and as digits, for the phone or to
    print. Reads the card's version; writes nothing."""
    code = checkin.card_code(request.user)
    return render(
        request,
        "courses/checkin_card.html",
        {
            "grouped": checkin.group_digits(code),
            "qr": _qr_svg(code, _("签到二维码")),
        },
    )


@login_required
@require_POST
def card_reset(request: HttpRequest) -> HttpResponse:
    """The person replaces their own card; the old printed code stops working."""
    checkin.reset_card(request.user, actor=request.user)
    messages.success(
        request, _("签到卡已重置，旧卡已作废。请使用（或打印）新的签到卡。")
    )
    return redirect("checkin:card")


# Staff: scanning cards.


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
        return _("%(result)s（未预约，已现场加入）") % {"result": text}
    return text


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def scan(request: HttpRequest, pk: int) -> HttpResponse:
    """The staff phone page: scan a card with the camera or type its code; each
    POST checks one person in (present or late by the clock) and comes back here
    for the next."""
    session = get_session_to_check_in(request.user, pk)
    if request.method == "POST":
        form = CardCodeForm(request.POST)
        if not form.is_valid():
            messages.error(request, _errors(form))
            return redirect("checkin:scan", pk=session.pk)
        try:
            done = checkin.scan_check_in(
                session, code=form.cleaned_data["code"], actor=request.user
            )
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
        else:
            messages.success(request, _result_text(done))
        return redirect("checkin:scan", pk=session.pk)
    return render(
        request,
        "courses/checkin_scan.html",
        {
            "session": session,
            "time_label": time_label(session.starts_at, session.ends_at),
            "form": CardCodeForm(),
            "refusal": checkin.scan_refusal(session),
            "attended": checkin.attended_count(session),
            "booked": session.confirmed_count,
            "late_after": int(checkin.LATE_AFTER_START.total_seconds() // 60),
        },
    )


# Staff: the rotating code on the screen.


def _code_state(session: ClassSession) -> dict:
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
    session = get_session_to_check_in(request.user, pk)
    return render(
        request,
        "courses/checkin_code.html",
        {
            "session": session,
            "time_label": time_label(session.starts_at, session.ends_at),
            "window": checkin.window_label(session),
            "period": checkin.CODE_PERIOD,
            **_code_state(session),
        },
    )


@login_required
@never_cache
@require_safe
def code_json(request: HttpRequest, pk: int) -> JsonResponse:
    """The current code as JSON, read-only, for the screen's script."""
    session = get_session_to_check_in(request.user, pk)
    return JsonResponse(_code_state(session))


# The trainee: self check-in.


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def self_check_in(request: HttpRequest, pk: int) -> HttpResponse:
    """自助签到: a booked trainee types the code on the screen, inside the window.
    The GET only shows the form; the POST marks present or late."""
    session = get_session_for_trainee(request.user, pk)
    form = SessionCodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            done = checkin.self_check_in(
                session, trainee=request.user, code=form.cleaned_data["code"]
            )
        except ValidationError as error:
            form.add_error("code", error)
        else:
            if done.already:
                messages.info(
                    request,
                    _("您已签到（%(status)s），无需重复签到。")
                    % {"status": done.record.get_status_display()},
                )
            else:
                messages.success(
                    request,
                    _("签到成功：%(status)s。")
                    % {"status": done.record.get_status_display()},
                )
            return redirect("checkin:self", pk=session.pk)
    record = (
        AttendanceRecord.objects.filter(session_id=session.pk, trainee=request.user)
        .only("status")
        .first()
    )
    checked_in = record is not None and record.status in _ATTENDED
    booked = (
        Booking.objects.confirmed()
        .filter(session_id=session.pk, trainee=request.user)
        .exists()
    )
    return render(
        request,
        "courses/checkin_self.html",
        {
            "session": session,
            "time_label": time_label(session.starts_at, session.ends_at),
            "window": checkin.window_label(session),
            "form": form,
            "record": record,
            "checked_in": checked_in,
            "refusal": None
            if checked_in
            else checkin.self_check_in_refusal(session, request.user),
            "booked": booked,
        },
        status=400 if form.errors else 200,
    )


_ATTENDED = (AttendanceRecord.Status.PRESENT, AttendanceRecord.Status.LATE)
