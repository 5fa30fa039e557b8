"""我的服务 and the coordinator's queue. Thin views: authenticate, fetch through an
access helper (404 alike for "missing" and "not yours"), validate, call
volunteers.services, redirect with a message. Every change is a POST."""

import mimetypes

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from school.models import User
from volunteers import ledger, services
from volunteers.forms import DecisionForm, ServiceLogForm, ServiceLogForVolunteerForm
from volunteers.models import PointEntry, PointItem, ServiceRecord
from volunteers.permissions import (
    get_record_for_viewer,
    records_decided_by,
    units_covered_by,
    user_can_decide_service_record,
    user_is_service_decider,
    volunteers_covered_by,
)

RECORDS_PER_PAGE = 20
ENTRIES_PER_PAGE = 20
QUEUE_PER_PAGE = 50


def _require_decider(user: User) -> None:
    """The queue is for coordinators with units to cover and administrators; to
    anyone else it does not exist."""
    if not user_is_service_decider(user):
        raise Http404


def _log(form: ServiceLogForm, volunteer: User, actor: User) -> ServiceRecord | None:
    data = form.cleaned_data
    try:
        return services.log_service(
            volunteer,
            item=data["item"],
            served_on=data["served_on"],
            hours=data["hours"],
            place=data["place"],
            description=data["description"],
            photo=data.get("photo"),
            actor=actor,
        )
    except ValidationError as error:
        form.add_service_error(error)
        return None


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def mine(request: HttpRequest) -> HttpResponse:
    """我的服务: log a service; my records with their status and points; my
    balance, points earned and hours; my ledger entries."""
    form = ServiceLogForm(request.POST or None, request.FILES or None)
    logged = request.method == "POST" and form.is_valid()
    if logged and _log(form, request.user, request.user) is not None:
        messages.success(request, _("服务已登记，等待协调员审核。"))
        return redirect("services:mine")
    records = Paginator(
        ServiceRecord.objects.filter(volunteer=request.user).select_related("item"),
        RECORDS_PER_PAGE,
    ).get_page(request.GET.get("page"))
    entries = Paginator(
        PointEntry.objects.filter(account__person=request.user).select_related(
            "service_record__item", "redemption"
        ),
        ENTRIES_PER_PAGE,
    ).get_page(request.GET.get("entries"))
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "volunteers/service_mine.html",
        {
            "form": form,
            "records": records,
            "entries": entries,
            "balance": ledger.balance_of(request.user),
            "is_decider": user_is_service_decider(request.user),
        },
        status=status,
    )


@login_required
@require_safe
def record(request: HttpRequest, pk: int) -> HttpResponse:
    """One service record with its trail: the volunteer's, or one the user
    covers (with 通过 / 不通过 for a decider)."""
    found = get_record_for_viewer(request.user, pk)
    return render(
        request,
        "volunteers/service_record.html",
        {
            "record": found,
            "events": found.events.select_related("actor"),
            "can_decide": found.status == ServiceRecord.Status.PENDING
            and user_can_decide_service_record(request.user, found),
        },
    )


@login_required
@require_safe
def photo(request: HttpRequest, pk: int) -> FileResponse:
    """A record's photo, from private storage, to those who may see the record."""
    found = get_record_for_viewer(request.user, pk)
    if not found.photo:
        raise Http404
    try:
        opened = found.photo.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    content_type = mimetypes.guess_type(found.photo.name)[0] or "image/jpeg"
    response = FileResponse(opened, content_type=content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_safe
def queue(request: HttpRequest) -> HttpResponse:
    """待审核: pending records of the units the user covers (administrators: all),
    filtered by unit and item, to decide many at once."""
    _require_decider(request.user)
    units = units_covered_by(request.user).order_by("path")
    pending = (
        records_decided_by(request.user)
        .pending()
        .select_related("volunteer__org_unit", "item", "logged_by")
        .order_by("served_on", "pk")
    )
    unit = units.filter(pk=_int(request.GET.get("unit"))).first()
    if unit is not None:
        pending = pending.filter(volunteer__org_unit__path__startswith=unit.path)
    item = PointItem.objects.filter(pk=_int(request.GET.get("item"))).first()
    if item is not None:
        pending = pending.filter(item=item)
    page = Paginator(pending, QUEUE_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "volunteers/service_queue.html",
        {
            "page_obj": page,
            "units": units,
            "items": PointItem.objects.order_by("category", "name"),
            "unit": unit,
            "item": item,
            "form": DecisionForm(),
        },
    )


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@login_required
@require_POST
def decide(request: HttpRequest) -> HttpResponse:
    """通过 / 不通过 for the ticked records, each in its own transaction; says how
    many were decided and why any were refused. Records outside the user's scope
    are refused as missing."""
    _require_decider(request.user)
    form = DecisionForm(request.POST)
    back = _back_to(request)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, "；".join(errors))
        return redirect(back)
    wanted = form.cleaned_data["record"]
    mine = set(
        records_decided_by(request.user)
        .filter(pk__in=wanted)
        .values_list("pk", flat=True)
    )
    if form.cleaned_data["action"] == DecisionForm.APPROVE:
        outcome = services.bulk_approve(
            [pk for pk in wanted if pk in mine], actor=request.user
        )
        done = ngettext(
            "已通过 %(count)d 条记录。", "已通过 %(count)d 条记录。", outcome.done
        )
    else:
        outcome = services.bulk_reject(
            [pk for pk in wanted if pk in mine],
            actor=request.user,
            reason=form.cleaned_data["reason"],
        )
        done = ngettext(
            "已退回 %(count)d 条记录。", "已退回 %(count)d 条记录。", outcome.done
        )
    refused = outcome.refused + [
        (pk, _("记录不存在或不在您的负责范围内。")) for pk in wanted if pk not in mine
    ]
    if outcome.done:
        messages.success(request, done % {"count": outcome.done})
    for pk, why in refused:
        messages.error(
            request, _("记录 %(pk)s 未处理：%(why)s") % {"pk": pk, "why": why}
        )
    return redirect(back)


def _back_to(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("services:queue")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def log_for(request: HttpRequest) -> HttpResponse:
    """代为登记: a coordinator logs a service for a volunteer of their units (it
    then waits in the queue like any other record)."""
    _require_decider(request.user)
    form = ServiceLogForVolunteerForm(
        request.POST or None,
        request.FILES or None,
        volunteers=volunteers_covered_by(request.user),
    )
    if request.method == "POST" and form.is_valid():
        volunteer = form.cleaned_data["phone"]
        if _log(form, volunteer, request.user) is not None:
            messages.success(
                request,
                _("已为 %(name)s 登记服务，待审核。") % {"name": volunteer.real_name},
            )
            return redirect("services:queue")
    status = 400 if request.method == "POST" else 200
    return render(
        request, "volunteers/service_log_for.html", {"form": form}, status=status
    )
