"""Promotion pages. Front end (namespace promotions): the public notice 公示
(anyone may read; names masked; a logged-in reader may object), my application
for the next step, my applications and one of them (mine only: 404 otherwise).
Admin (namespace promotion_review, registered in promotion_hooks): 晋级审核, the
queue of promotions waiting for review with approve / reject, and 公示与异议,
the promotions in notice or held with their objections to resolve; both for
administrators only (a 404 to anyone else, as the volunteer reports do).

Thin views: fetch through an access helper, validate a form, call
volunteers.promotions, redirect with a message. Every change is a POST."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)
from django.views.generic import TemplateView

from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from certificates.models import Certificate
from certificates.views import mask_name
from school.models import Level, User
from volunteers import promotions
from volunteers.models import Objection, PointAccount, Promotion

Status = Promotion.Status


# --- forms ---------------------------------------------------------------------------


class ApplicationForm(forms.Form):
    statement = forms.CharField(
        label=gettext_lazy("申请说明"),
        max_length=promotions.STATEMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy(
            "简要写明您的服务经历、特长，以及成为社区主理人后想组织的活动。"
        ),
        error_messages={"required": gettext_lazy("请填写申请说明。")},
    )


class ObjectionForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("异议理由"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": gettext_lazy("请填写异议理由。")},
    )


class DecisionForm(forms.Form):
    APPROVE, REJECT = "approve", "reject"
    action = forms.ChoiceField(
        choices=[(APPROVE, gettext_lazy("通过")), (REJECT, gettext_lazy("不通过"))]
    )
    reason = forms.CharField(
        label=gettext_lazy("不通过的原因"),
        max_length=promotions.REASON_MAX,
        required=False,
    )


class ResolutionForm(forms.Form):
    UPHOLD, DISMISS = "uphold", "dismiss"
    outcome = forms.ChoiceField(
        choices=[
            (UPHOLD, gettext_lazy("异议成立（晋级不通过）")),
            (DISMISS, gettext_lazy("异议不成立（恢复公示）")),
        ]
    )
    note = forms.CharField(
        label=gettext_lazy("处理说明"),
        max_length=promotions.REASON_MAX,
        error_messages={"required": gettext_lazy("请填写处理说明。")},
    )


def _say_errors(request: HttpRequest, form: forms.Form) -> None:
    for errors in form.errors.values():
        messages.error(request, "；".join(errors))


# --- the public notice ---------------------------------------------------------------


def notice_row(promotion: Promotion) -> dict:
    """What the public sees of a promotion in notice: no full name, no phone."""
    person = promotion.person
    return {
        "promotion": promotion,
        "name": mask_name(person.real_name),
        "unit": person.org_unit.full_name if person.org_unit_id else "",
        "held": promotion.status == Status.ON_HOLD,
    }


@require_safe
def notice(request: HttpRequest) -> HttpResponse:
    """晋级公示: promotions in public notice (and those held by an objection),
    names masked; readable without logging in."""
    user = request.user
    objected = set()
    if user.is_authenticated:
        objected = set(
            promotions.open_objections()
            .filter(objector=user)
            .values_list("promotion_id", flat=True)
        )
    return render(
        request,
        "volunteers/promotion_notice.html",
        {
            "rows": [notice_row(p) for p in promotions.in_public_notice()],
            "objected": objected,
            "form": ObjectionForm(),
            "login_url": f"{reverse('accounts:login')}?next={reverse('promotions:notice')}",
        },
    )


@require_POST
def object_to(request: HttpRequest, pk: int) -> HttpResponse:
    """提出异议 on a promotion in notice; a visitor is sent to log in first."""
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("promotions:notice"))
    promotion = promotions.get_public_promotion(pk)
    form = ObjectionForm(request.POST)
    back = f"{reverse('promotions:notice')}#promotion-{promotion.pk}"
    if not form.is_valid():
        _say_errors(request, form)
        return redirect(back)
    try:
        promotions.lodge_objection(
            promotion, objector=request.user, reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(
            request,
            _("异议已提交。该晋级暂停公示，管理员核实处理后会恢复公示或作出决定。"),
        )
    return redirect(back)


# --- my applications -------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def apply(request: HttpRequest) -> HttpResponse:
    """申请晋级: the next step, what it still needs and, when only the
    application is missing, the form to apply."""
    user = request.user
    to_level = promotions.next_level(user)
    rule = promotions.rule_for(to_level) if to_level else None
    applicable = rule is not None and rule.needs_application
    missing = promotions.missing_for(user, rule) if applicable else []
    open_one = (
        Promotion.objects.open().filter(person=user, to_level=to_level).first()
        if applicable
        else None
    )
    form = ApplicationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not applicable:
            raise Http404
        if open_one is not None:  # a second press of 提交申请: show the first
            messages.info(request, _("您已提交过申请，这里是它的进度。"))
            return redirect("promotions:promotion", open_one.pk)
        if form.is_valid():
            try:
                promotion = promotions.apply_for_level(
                    user, to_level=to_level, statement=form.cleaned_data["statement"]
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request, _("申请已提交，请等待管理员审核。可在这里查看进度。")
                )
                return redirect("promotions:promotion", promotion.pk)
    return render(
        request,
        "volunteers/promotion_apply.html",
        {
            "to_level": to_level,
            "to_level_label": Level(to_level).label if to_level else "",
            "rule": rule,
            "applicable": applicable,
            "missing": missing,
            "open_one": open_one,
            "form": form,
        },
        status=400 if form.is_bound else 200,
    )


@login_required
@require_safe
def mine(request: HttpRequest) -> HttpResponse:
    """我的晋级申请: my promotions and where each stands."""
    return render(
        request,
        "volunteers/promotion_mine.html",
        {"promotions": promotions.promotions_of(request.user)},
    )


@login_required
@require_safe
def promotion(request: HttpRequest, pk: int) -> HttpResponse:
    """One of my promotions: its state, dates, the reason if not approved, the
    letter of appointment once effective. Someone else's is a 404."""
    found = promotions.get_promotion_for_person(request.user, pk)
    return render(
        request,
        "volunteers/promotion_detail.html",
        {"promotion": found},
    )


# --- the admin: review queue and notices -------------------------------------------------


def check_decider(user: User) -> None:
    """A 404 for anyone who does not decide promotions, as if the page did not
    exist."""
    if not promotions.user_decides_promotions(user):
        raise Http404


def applicant_facts(people: list[User]) -> dict[int, dict]:
    """Per person: valid completion certificates, approved hours and points earned
    (three queries for the whole page)."""
    facts: dict[int, dict] = {
        p.pk: {"certificates": [], "hours": 0, "earned": 0} for p in people
    }
    certificates = (
        Certificate.objects.of_kind(Certificate.Kind.COMPLETION)
        .filter(holder__in=people, status=Certificate.Status.VALID)
        .order_by("holder_id", "issued_at")
    )
    for certificate in certificates:
        facts[certificate.holder_id]["certificates"].append(certificate)
    accounts = PointAccount.objects.filter(person__in=people).values(
        "person_id", "hours", "earned"
    )
    for account in accounts:
        facts[account["person_id"]].update(
            hours=account["hours"], earned=account["earned"]
        )
    return facts


class DeciderMixin(WagtailAdminTemplateMixin):
    header_icon = "user"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        check_decider(request.user)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]


class ReviewQueueView(DeciderMixin, TemplateView):
    """晋级审核: promotions waiting for review, oldest first, each with the
    applicant's statement, certificates, hours and points."""

    template_name = "volunteers/admin/promotion_queue.html"
    page_title = gettext_lazy("晋级审核")

    def get_context_data(self, **kwargs):
        waiting = list(
            Promotion.objects.filter(status=Status.PENDING_REVIEW)
            .select_related("person__org_unit", "recruitment_round")
            .order_by("created_at", "pk")
        )
        facts = applicant_facts([p.person for p in waiting])
        return super().get_context_data(
            rows=[(p, facts[p.person_id]) for p in waiting],
            form=DecisionForm(),
            **kwargs,
        )


class NoticeListView(DeciderMixin, TemplateView):
    """公示与异议: promotions in notice or held, with their objections; the open
    ones to resolve."""

    template_name = "volunteers/admin/promotion_notices.html"
    page_title = gettext_lazy("公示与异议")

    def get_context_data(self, **kwargs):
        listed = (
            Promotion.objects.filter(status__in=(Status.IN_NOTICE, Status.ON_HOLD))
            .select_related("person__org_unit", "decided_by")
            .prefetch_related(
                Prefetch(
                    "objections",
                    queryset=Objection.objects.select_related(
                        "objector", "resolved_by"
                    ),
                )
            )
            .order_by("-status", "notice_ends_at", "pk")
        )
        return super().get_context_data(
            promotions=listed, form=ResolutionForm(), **kwargs
        )


@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    """通过 / 不通过 (with a reason) for one promotion waiting for review."""
    check_decider(request.user)
    found = get_object_or_404(Promotion.objects.select_related("person"), pk=pk)
    form = DecisionForm(request.POST)
    back = reverse("promotion_review:queue")
    if not form.is_valid():
        _say_errors(request, form)
        return redirect(back)
    name = found.person.real_name
    try:
        if form.cleaned_data["action"] == DecisionForm.APPROVE:
            with transaction.atomic(durable=True):
                promotions.approve_promotion(found, actor=request.user)
            done = (
                _("已通过 %(name)s 的晋级，进入公示。")
                if found.status == Status.IN_NOTICE
                else _("已通过 %(name)s 的晋级，已生效。")
            )
        else:
            promotions.reject_promotion(
                found, actor=request.user, reason=form.cleaned_data["reason"]
            )
            done = _("已将 %(name)s 的晋级标记为不通过。")
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    except PermissionDenied:
        raise Http404 from None
    else:
        messages.success(request, done % {"name": name})
    return redirect(back)


@require_POST
def resolve(request: HttpRequest, pk: int) -> HttpResponse:
    """Resolve one objection: upheld (the promotion is rejected) or dismissed."""
    check_decider(request.user)
    objection = get_object_or_404(
        Objection.objects.select_related("promotion__person"), pk=pk
    )
    form = ResolutionForm(request.POST)
    back = reverse("promotion_review:notices")
    if not form.is_valid():
        _say_errors(request, form)
        return redirect(back)
    upheld = form.cleaned_data["outcome"] == ResolutionForm.UPHOLD
    try:
        promotions.resolve_objection(
            objection, actor=request.user, upheld=upheld, note=form.cleaned_data["note"]
        )
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    except PermissionDenied:
        raise Http404 from None
    else:
        messages.success(
            request,
            _("异议已处理：成立，该晋级不通过。")
            if upheld
            else _("异议已处理：不成立。"),
        )
    return redirect(back)


admin_urlpatterns = [
    path("", ReviewQueueView.as_view(), name="queue"),
    path("<int:pk>/decide/", decide, name="decide"),
    path("notices/", NoticeListView.as_view(), name="notices"),
    path("objections/<int:pk>/resolve/", resolve, name="resolve"),
]
