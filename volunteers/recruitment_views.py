"""主理人招募, the volunteers' side (phone pages): the open rounds with whether I
may apply and what is still missing, the application form (POST), my
application's state and its withdrawal (POST). Someone else's application is a
404; a GET writes nothing.

The administrators' side lives in the Wagtail admin (recruitment_hooks mounts
`admin_urlpatterns`): the rounds, a new round, a round's applicants side by side
with shortlist / select buttons, and closing the round. To anyone but an
administrator each of those URLs is a 404."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)
from django.views.generic import FormView, TemplateView

from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets.button import HeaderButton

from volunteers import recruitment
from volunteers.models import RecruitmentRound, RoundApplication


class ApplicationForm(forms.Form):
    """The statement of an application to a round."""

    statement = forms.CharField(
        label=gettext_lazy("申请说明"),
        max_length=recruitment.STATEMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy(
            "简要说明您的服务经历、擅长的领域，以及成为社区主理人后想做的事（1000 字以内）。"
        ),
    )


def _private(response: HttpResponse) -> HttpResponse:
    patch_cache_control(response, private=True)
    return response


@login_required
@require_safe
def rounds(request: HttpRequest) -> HttpResponse:
    """招募: the rounds taking applications, for each whether I may apply (and
    what is missing), and my applications so far."""
    mine = {
        application.recruitment_round_id: application
        for application in RoundApplication.objects.filter(
            person=request.user
        ).select_related("recruitment_round")
    }
    listed = []
    for recruitment_round in recruitment.open_rounds():
        application = mine.get(recruitment_round.pk)
        listed.append(
            {
                "round": recruitment_round,
                "application": application,
                "eligibility": recruitment.eligibility(recruitment_round, request.user),
            }
        )
    return _private(
        render(
            request,
            "volunteers/recruitment_rounds.html",
            {
                "rounds": listed,
                "applications": sorted(
                    mine.values(), key=lambda a: a.created_at, reverse=True
                ),
            },
        )
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def apply(request: HttpRequest, pk: int) -> HttpResponse:
    """The application form of a round (GET) and the application (POST)."""
    recruitment_round = get_object_or_404(RecruitmentRound, pk=pk)
    form = ApplicationForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                application = recruitment.apply_to_round(
                    recruitment_round,
                    person=request.user,
                    statement=form.cleaned_data["statement"],
                )
            except ValidationError as error:
                form.add_error(
                    "statement" if hasattr(error, "error_dict") else None, error
                )
            else:
                messages.success(request, _("报名成功，请留意评审结果。"))
                return redirect("recruitment:application", application.pk)
        status = 400
    existing = RoundApplication.objects.filter(
        recruitment_round=recruitment_round, person=request.user
    ).first()
    return _private(
        render(
            request,
            "volunteers/recruitment_apply.html",
            {
                "round": recruitment_round,
                "form": form,
                "accepting": recruitment.is_accepting(recruitment_round),
                "eligibility": recruitment.eligibility(recruitment_round, request.user),
                "existing": existing,
            },
            status=status,
        )
    )


@login_required
@require_safe
def application(request: HttpRequest, pk: int) -> HttpResponse:
    """My application: its state, the statement, and the withdrawal while the
    round takes applications."""
    mine = recruitment.get_application_for_person(request.user, pk)
    return _private(
        render(
            request,
            "volunteers/recruitment_application.html",
            {
                "application": mine,
                "round": mine.recruitment_round,
                "can_withdraw": mine.status in recruitment.UNDECIDED
                and recruitment.is_accepting(mine.recruitment_round),
            },
        )
    )


@login_required
@require_POST
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """Withdraw my application (only mine; anyone else's is a 404)."""
    mine = recruitment.get_application_for_person(request.user, pk)
    try:
        recruitment.withdraw_application(mine, person=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("报名已撤回；报名截止前可以重新报名。"))
    return redirect("recruitment:application", mine.pk)


# --- the administrators' side, in the Wagtail admin (mounted by recruitment_hooks) ------


def check_runner(user) -> None:
    """A 404 for anyone but administrators, the same as a missing page."""
    if not recruitment.user_runs_recruitment(user):
        raise Http404


class RoundForm(forms.Form):
    """A new recruitment round."""

    title = forms.CharField(label=gettext_lazy("批次名称"), max_length=80)
    places = forms.IntegerField(label=gettext_lazy("名额"), min_value=1)
    opens_at = forms.DateTimeField(
        label=gettext_lazy("报名开始"),
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
        ),
    )
    closes_at = forms.DateTimeField(
        label=gettext_lazy("报名截止"),
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
        ),
    )
    description = forms.CharField(
        label=gettext_lazy("说明"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("报名条件、评审方式、时间安排等，志愿者报名时可见。"),
    )


class RunnerMixin(WagtailAdminTemplateMixin):
    header_icon = "group"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        check_runner(request.user)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("recruitment_admin:index"), "label": _("主理人招募")},
            {"url": "", "label": self.get_page_title()},
        ]


class RoundIndexView(RunnerMixin, TemplateView):
    """主理人招募: every round, newest first, with its applications and places."""

    template_name = "volunteers/admin/recruitment_index.html"
    page_title = gettext_lazy("主理人招募")

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    @property
    def header_buttons(self):
        return [
            HeaderButton(
                _("新建招募批次"),
                url=reverse("recruitment_admin:create"),
                icon_name="plus",
            )
        ]

    def get_context_data(self, **kwargs):
        listed = RecruitmentRound.objects.annotate(
            applied=Count(
                "applications",
                filter=~Q(applications__status=RoundApplication.Status.WITHDRAWN),
            )
        ).order_by("-opens_at", "-pk")
        return super().get_context_data(rounds=listed, now=timezone.now(), **kwargs)


class RoundCreateView(RunnerMixin, FormView):
    """Open a new round (POST title, places, opens_at, closes_at, description)."""

    template_name = "volunteers/admin/recruitment_create.html"
    page_title = gettext_lazy("新建招募批次")
    form_class = RoundForm

    def form_valid(self, form):
        try:
            created = recruitment.open_round(
                actor=self.request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(
            self.request, _("已创建招募批次“%(title)s”。") % {"title": created.title}
        )
        return redirect("recruitment_admin:round", created.pk)


class RoundDetailView(RunnerMixin, TemplateView):
    """A round's applicants side by side — unit, level, certificates, hours,
    points earned, attendance, statement — with shortlist and select buttons,
    the places taken and the close button. Queries do not grow with applicants."""

    template_name = "volunteers/admin/recruitment_round.html"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.round = get_object_or_404(RecruitmentRound, pk=kwargs["pk"])

    def get_page_title(self):
        return self.round.title

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            round=self.round,
            applicants=recruitment.applicants(self.round),
            is_closed=self.round.status == RecruitmentRound.Status.CLOSED,
            is_full=self.round.selected_count >= self.round.places,
            **kwargs,
        )


def _decide(request: HttpRequest, pk: int, action, done: str) -> HttpResponse:
    check_runner(request.user)
    chosen = get_object_or_404(RoundApplication.objects.select_related("person"), pk=pk)
    try:
        action(chosen, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done % {"name": chosen.person.real_name})
    return redirect("recruitment_admin:round", chosen.recruitment_round_id)


@require_POST
def shortlist_application(request: HttpRequest, pk: int) -> HttpResponse:
    """入围: put the application on the shortlist."""
    return _decide(request, pk, recruitment.shortlist, _("%(name)s 已入围。"))


@require_POST
def select_application(request: HttpRequest, pk: int) -> HttpResponse:
    """入选: take one of the round's places; the person enters public notice."""
    return _decide(request, pk, recruitment.select, _("%(name)s 已入选，进入公示。"))


@require_POST
def close_round(request: HttpRequest, pk: int) -> HttpResponse:
    """End the round: the undecided applications become 未入选."""
    check_runner(request.user)
    recruitment_round = get_object_or_404(RecruitmentRound, pk=pk)
    try:
        turned_down = recruitment.close_round(recruitment_round, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("招募已结束，%(count)s 份未入选。") % {"count": turned_down},
        )
    return redirect("recruitment_admin:round", pk)


admin_urlpatterns = [
    path("", RoundIndexView.as_view(), name="index"),
    path("new/", RoundCreateView.as_view(), name="create"),
    path("<int:pk>/", RoundDetailView.as_view(), name="round"),
    path("<int:pk>/close/", close_round, name="close"),
    path(
        "applications/<int:pk>/shortlist/",
        shortlist_application,
        name="shortlist",
    ),
    path("applications/<int:pk>/select/", select_application, name="select"),
]
