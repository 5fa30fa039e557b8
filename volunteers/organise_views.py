"""Proposing and reviewing community activities (namespace organise, under
/activities/organise/): 发起活动 for community managers (and space staff,
administrators), 我发起的活动 with withdrawing and cancelling, one activity's
page for its organiser and its space's staff, and 活动审批 for the staff of a
space.

Thin views: fetch through an access helper (volunteers.organise_selectors, a 404
alike for missing and not yours), validate a form, call volunteers.activities,
message and redirect. Every change is a POST."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from volunteers import activities, redemptions
from volunteers import organise_selectors as selectors
from volunteers.activity_forms import NoteForm, ProposeForm, ReasonForm
from volunteers.models import Activity, CommunitySpace

Status = Activity.Status

# The attendance pages (volunteers.activity_checkin_urls) linked from each
# session, in this order; those not (yet) wired are left out.
SESSION_LINKS = (
    ("activity_checkin:roster", gettext_lazy("点名")),
    ("activity_checkin:scan", gettext_lazy("扫码签到")),
    ("activity_checkin:code", gettext_lazy("签到码")),
    ("activity_checkin:helpers", gettext_lazy("协助志愿者")),
    ("activity_checkin:feedback_summary", gettext_lazy("反馈汇总")),
)


def session_links(session) -> list[tuple[str, str]]:
    """(label, url) of the attendance pages that exist for a session."""
    links = []
    for name, label in SESSION_LINKS:
        try:
            links.append((str(label), reverse(name, args=[session.pk])))
        except NoReverseMatch:
            continue
    return links


def _errors_text(error: ValidationError) -> str:
    return "；".join(error.messages)


def _say_form_errors(request: HttpRequest, form) -> None:
    for errors in form.errors.values():
        messages.error(request, "；".join(errors))


# --- proposing ---------------------------------------------------------------------


def _open_spaces():
    return list(
        CommunitySpace.objects.filter(is_active=True)
        .select_related("community")
        .prefetch_related("opening_hours")
        .order_by("community__path", "name")
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def propose(request: HttpRequest) -> HttpResponse:
    """发起活动: the form, every space's opening hours listed beside it; those
    who may not propose get the reason and where to go next."""
    user = request.user
    if refusal := activities.propose_refusal(user):
        return render(
            request,
            "volunteers/organise_refusal.html",
            {"refusal": refusal},
            status=403,
        )
    spaces = _open_spaces()
    rights = list(redemptions.space_rights_of(user))
    form = ProposeForm(
        request.POST if request.method == "POST" else None,
        spaces=spaces,
        rights=rights,
    )
    if request.method == "POST" and form.is_valid():
        try:
            activity = activities.propose_activity(organiser=user, **form.proposal())
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(
                request,
                _("活动申请已提交，请等待社区工作人员审批；审批结果会显示在这里。"),
            )
            return redirect("organise:activity", activity.pk)
    return render(
        request,
        "volunteers/organise_propose.html",
        {"form": form, "spaces": spaces, "rights": rights},
        status=400 if form.is_bound else 200,
    )


# --- my activities -------------------------------------------------------------------


def _with_links(activity: Activity) -> Activity:
    for session in activity.sessions.all():
        session.links = session_links(session) if activity.is_open else []
    return activity


@login_required
@require_safe
def mine(request: HttpRequest) -> HttpResponse:
    """我发起的活动: my activities, their decision and sessions, and what I may do
    with each."""
    found = [_with_links(a) for a in selectors.activities_organised_by(request.user)]
    return render(
        request,
        "volunteers/organise_mine.html",
        {
            "activities": found,
            "may_propose": activities.user_can_propose(request.user),
            "reason_form": ReasonForm(),
        },
    )


@login_required
@require_safe
def activity(request: HttpRequest, pk: int) -> HttpResponse:
    """One activity for its organiser and its space's staff: status, audience,
    basis, sessions and the trail of who did what."""
    found = _with_links(selectors.get_activity_for_runner(request.user, pk))
    return render(
        request,
        "volunteers/organise_activity.html",
        {
            "activity": found,
            "events": selectors.activity_events(found),
            "is_organiser": found.organiser_id == request.user.pk,
            "reason_form": ReasonForm(),
        },
    )


def _back_to(activity_pk: int) -> HttpResponse:
    return redirect(f"{reverse('organise:mine')}#activity-{activity_pk}")


@login_required
@require_POST
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """撤回 a pending proposal of mine."""
    found = selectors.get_activity_for_organiser(request.user, pk)
    try:
        activities.withdraw_activity(found, actor=request.user)
    except ValidationError as error:
        messages.error(request, _errors_text(error))
    else:
        messages.success(request, _("申请已撤回。如需再办，可以重新发起。"))
    return _back_to(found.pk)


@login_required
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """取消活动: an approved activity of mine, with a reason the booked residents
    are told."""
    found = selectors.get_activity_for_organiser(request.user, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写取消原因，报名的居民会收到通知。"))
        return _back_to(found.pk)
    try:
        count = activities.cancel_activity(
            found, actor=request.user, reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        messages.error(request, _errors_text(error))
    else:
        messages.success(
            request,
            _("活动已取消，已通知 %(count)s 位报名的居民。") % {"count": count},
        )
    return _back_to(found.pk)


@login_required
@require_POST
def cancel_session(request: HttpRequest, pk: int) -> HttpResponse:
    """取消此场次: one session of my activity, with a reason."""
    session = selectors.get_session_for_organiser(request.user, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写取消原因，报名的居民会收到通知。"))
        return _back_to(session.activity_id)
    try:
        count = activities.cancel_activity_session(
            session, actor=request.user, reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        messages.error(request, _errors_text(error))
    else:
        messages.success(
            request,
            _("场次已取消，已通知 %(count)s 位报名的居民。") % {"count": count},
        )
    return _back_to(session.activity_id)


# --- review --------------------------------------------------------------------------


def _with_problems(activity: Activity) -> Activity:
    """Each pending session with what would refuse it now (hours, conflicts),
    shown before the staff decide."""
    sessions = [s for s in activity.sessions.all() if not s.is_cancelled]
    activity.live_sessions = sessions
    activity.problems = activities.slot_refusals(
        activity.space,
        [activities.Slot(s.starts_at, s.ends_at) for s in sessions],
        excluding=activity,
    )
    return activity


@login_required
@require_safe
def review(request: HttpRequest) -> HttpResponse:
    """活动审批: pending activities in my spaces, oldest first, each with its
    problems; then the latest decisions."""
    selectors.check_reviewer(request.user)
    return render(
        request,
        "volunteers/organise_review.html",
        {
            "pending": [
                _with_problems(a) for a in selectors.pending_for_reviewer(request.user)
            ],
            "decided": selectors.recently_decided_for_reviewer(request.user),
            "note_form": NoteForm(),
            "reason_form": ReasonForm(),
        },
    )


def _to_review(pk: int) -> HttpResponse:
    return redirect(f"{reverse('organise:review')}#activity-{pk}")


@login_required
@require_POST
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    """通过, with an optional note; refused (nothing changed) on a conflict, own
    activity, or a space the user does not staff."""
    found = selectors.get_activity_for_reviewer(request.user, pk)
    form = NoteForm(request.POST)
    if not form.is_valid():
        _say_form_errors(request, form)
        return _to_review(found.pk)
    try:
        activities.approve_activity(
            found, actor=request.user, note=form.cleaned_data["note"]
        )
    except ValidationError as error:
        messages.error(
            request,
            _("未能通过“%(title)s”：%(why)s")
            % {"title": found.title, "why": _errors_text(error)},
        )
        return _to_review(found.pk)
    messages.success(
        request,
        _("已通过“%(title)s”，居民现在可以报名。") % {"title": found.title},
    )
    return redirect("organise:review")


@login_required
@require_POST
def reject(request: HttpRequest, pk: int) -> HttpResponse:
    """不通过, with a reason the organiser reads."""
    found = selectors.get_activity_for_reviewer(request.user, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写未通过的原因，让发起人知道如何调整。"))
        return _to_review(found.pk)
    try:
        activities.reject_activity(
            found, actor=request.user, reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        messages.error(request, _errors_text(error))
        return _to_review(found.pk)
    messages.success(
        request, _("已退回“%(title)s”，发起人会看到原因。") % {"title": found.title}
    )
    return redirect("organise:review")
