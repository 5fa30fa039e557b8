"""The site host's pages (教学点): the sessions they run, a session's roster with
walk-ins and staff cancellations, and each practice site's public week and
calendar feed. Thin views: authenticate, fetch through an access helper, call the
booking service, redirect. Every change is a POST; no GET changes anything."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from courses import booking, calendars, sessions
from courses.models import Booking, ClassSession
from courses.permissions import user_can_run_session, user_sees_full_phones_of
from courses.selectors.sites import (
    local_today,
    runner_week,
    session_roster,
    site_week,
    week_monday,
)
from school.models import PracticeSite, User
from school.models.users import normalise_phone, phone_validator

# Access helpers: the object, or 404 alike for "does not exist" and "not yours".


def get_active_site(pk: int) -> PracticeSite:
    """A practice site in use; a closed one is not shown to the public."""
    return get_object_or_404(PracticeSite.objects.active(), pk=pk)


def get_session_to_run(user: User, pk: int) -> ClassSession:
    """A class session the user may run (its site's host, its instructor or an
    administrator)."""
    session = get_object_or_404(
        ClassSession.objects.select_related("training_class__course", "practice_site"),
        pk=pk,
    )
    if not user_can_run_session(user, session):
        raise Http404
    return session


def get_booking_to_cancel(user: User, pk: int) -> tuple[Booking, ClassSession]:
    """A booking of a class session the user may run, with that session."""
    found = get_object_or_404(Booking.objects.select_related("trainee"), pk=pk)
    return found, get_session_to_run(user, found.session_id)


# Forms.


class WalkInForm(forms.Form):
    """The phone number of a trainee who came without booking."""

    phone = forms.CharField(
        label=gettext_lazy("学员手机号"),
        max_length=32,
        widget=forms.TextInput(
            attrs={
                "inputmode": "tel",
                "autocomplete": "off",
                "placeholder": "13800138000",
            }
        ),
    )

    def clean_phone(self) -> str:
        phone = normalise_phone(self.cleaned_data["phone"])
        phone_validator(phone)
        return phone


class StaffCancelForm(forms.Form):
    """Why staff cancel a booking: the trainee is told."""

    reason = forms.CharField(
        label=gettext_lazy("取消原因"),
        max_length=200,
        error_messages={"required": gettext_lazy("请填写取消原因。")},
    )


def _form_errors(form: forms.Form) -> str:
    return "；".join(error for errors in form.errors.values() for error in errors)


# Pages.


@login_required
@require_safe
def mine(request: HttpRequest) -> HttpResponse:
    """我负责的场次: today's and this week's sessions at the sites the user hosts
    and of the sessions they teach (every site for an administrator)."""
    today = local_today()
    overview = runner_week(
        request.user, week_monday(request.GET.get("week"), today=today), today=today
    )
    context = {"overview": overview, "week": overview.week}
    if overview.runs_nothing:
        context["public_sites"] = PracticeSite.objects.active()
    return render(request, "courses/site_mine.html", context)


@require_safe
def week(request: HttpRequest, pk: int) -> HttpResponse:
    """A practice site's week, public: each day's sessions with the seats left.
    No one's name or phone is shown."""
    site = get_active_site(pk)
    today = local_today()
    monday = week_monday(request.GET.get("week"), today=today)
    return render(
        request,
        "courses/site_week.html",
        {"site": site, "week": site_week(site, monday, today=today)},
    )


@require_safe
def feed(request: HttpRequest, pk: int) -> HttpResponse:
    """A practice site's sessions as an iCalendar feed anyone may subscribe to."""
    site = get_active_site(pk)
    response = HttpResponse(
        calendars.site_calendar(site), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'inline; filename="site-{site.pk}.ics"'
    return response


@require_safe
def roster(request: HttpRequest, pk: int) -> HttpResponse:
    """A session's confirmed bookings and waitlist, with the walk-in form."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    session = get_session_to_run(request.user, pk)
    full_phones = user_sees_full_phones_of(request.user, session)
    return render(
        request,
        "courses/site_roster.html",
        {
            "session": session,
            "roster": session_roster(session, full_phones=full_phones),
            "full_phones": full_phones,
            "walk_in_form": WalkInForm(),
            "cancel_form": StaffCancelForm(),
            "session_over": timezone.now() >= session.ends_at,
        },
    )


# Actions: POST only.


def _roster_url(session: ClassSession) -> str:
    return reverse("sites:roster", args=[session.pk])


@require_POST
def walk_in(request: HttpRequest, pk: int) -> HttpResponse:
    """Seat a trainee of the class who came without booking, found by phone.
    Refused with the reason (not found, not enrolled, full, cancelled, ended),
    changing nothing."""
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("sites:roster", args=[pk]))
    session = get_session_to_run(request.user, pk)
    form = WalkInForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect(_roster_url(session))
    phone = form.cleaned_data["phone"]
    trainee = User.objects.filter(phone=phone, is_active=True).first()
    if trainee is None:
        messages.error(
            request,
            _(
                "没有找到手机号为 %(phone)s 的学员。请核对号码；"
                "尚未注册的学员须先注册并报名该培训班。"
            )
            % {"phone": phone},
        )
        return redirect(_roster_url(session))
    if refusal := _walk_in_refusal(session, trainee):
        messages.error(request, refusal)
        return redirect(_roster_url(session))
    try:
        sessions.add_walk_in(session, trainee=trainee, actor=request.user)
    except ValidationError as error:
        messages.error(
            request,
            _("未能现场加入%(name)s：%(reason)s")
            % {"name": trainee.real_name, "reason": "；".join(error.messages)},
        )
    else:
        messages.success(
            request,
            _("已为%(name)s现场加入，占用 1 个座位。") % {"name": trainee.real_name},
        )
    return redirect(_roster_url(session))


def _walk_in_refusal(session: ClassSession, trainee: User) -> str | None:
    """Why this trainee cannot be added, said to the host rather than to the
    trainee. The engine checks the same rules again under the session lock."""
    if sessions.class_session_refusal(session, trainee):
        return _(
            "%(name)s没有报名%(class)s（或报名尚未通过审核），不能现场加入。"
            "请联系培训班管理员为其报名后再加入。"
        ) % {"name": trainee.real_name, "class": session.training_class}
    live = Booking.objects.live().filter(session_id=session.pk, trainee=trainee).first()
    if live is not None:
        return _("%(name)s已在本场名单中（%(status)s），无需现场加入。") % {
            "name": trainee.real_name,
            "status": live.get_status_display(),
        }
    return None


@require_POST
def staff_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff cancel someone's booking, with a reason the trainee is told; a freed
    seat goes to the first on the waitlist."""
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("sites:mine"))
    found, session = get_booking_to_cancel(request.user, pk)
    form = StaffCancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect(_roster_url(session))
    first_waiting = (
        Booking.objects.waitlisted()
        .filter(session_id=session.pk)
        .select_related("trainee")
        .order_by("queue_number")
        .first()
    )
    try:
        booking.cancel_booking(
            found,
            actor=request.user,
            note=form.cleaned_data["reason"],
            by_staff=True,
        )
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
        return redirect(_roster_url(session))
    message = _("已取消%(name)s的预约，并已通知本人。") % {
        "name": found.trainee.real_name
    }
    if first_waiting is not None and first_waiting.pk != found.pk:
        first_waiting.refresh_from_db(fields=["status"])
        if first_waiting.status == Booking.Status.CONFIRMED:
            message += _("候补第 1 位%(name)s已自动转为预约。") % {
                "name": first_waiting.trainee.real_name
            }
    messages.success(request, message)
    return redirect(_roster_url(session))
