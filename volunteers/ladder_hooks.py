"""Wagtail admin registrations for the ladder (ladder): imported by
wagtail_hooks.

- 等级规则 (LevelRuleViewSet): administrators edit what each step needs; put in
  the app's 志愿服务 menu group by volunteers.wagtail_hooks.
- 等级复核与调整 (namespace level_admin, administrators only; a 404 to anyone
  else, as the other ladder pages do): the queue of levels flagged by a revoked
  certificate, to keep or demote; people above 居民 with their level history,
  to retire (退出, back to 居民) or demote, with a reason. Every change is a POST
  through volunteers.ladder.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import include, path, reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView

from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet

from school.models import Level, User
from volunteers import ladder
from volunteers.models import LevelEvent, LevelReview, LevelRule

PAGE_SIZE = 50


class LevelRuleViewSet(ModelViewSet):
    """等级规则: per step, the certificates (a tier or named courses), hours,
    points earned and tenure it needs, and whether it is applied for, reviewed
    and publicly noticed. A step switched off (启用) is reached by nobody."""

    model = LevelRule
    icon = "list-ol"
    menu_label = gettext_lazy("等级规则")
    menu_order = 600
    name = "volunteer_level_rules"
    url_prefix = "volunteers/level-rules"
    add_to_admin_menu = False
    copy_view_enabled = False
    inspect_view_enabled = False
    form_fields = [
        "level",
        "required_tier",
        "required_courses",
        "min_service_hours",
        "min_points_earned",
        "min_months_at_previous",
        "needs_application",
        "needs_review",
        "notice_days",
        "is_active",
    ]
    list_display = [
        "level",
        "required_tier",
        "min_service_hours",
        "min_points_earned",
        "min_months_at_previous",
        "needs_review",
        "is_active",
    ]
    ordering = ["level"]


# --- forms ---------------------------------------------------------------------------


def _lower_levels(level: str) -> list[tuple[str, str]]:
    return [(value, label) for value, label in Level.choices][: Level.rank(level)]


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("原因"),
        max_length=200,
        error_messages={"required": gettext_lazy("请填写原因。")},
    )


class DemoteForm(ReasonForm):
    to_level = forms.ChoiceField(label=gettext_lazy("降至"), choices=Level.choices)

    def __init__(self, *args, level: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_level"].choices = _lower_levels(level)


class ResolveForm(forms.Form):
    KEEP, DEMOTE = "keep", "demote"
    action = forms.ChoiceField(
        choices=[(KEEP, gettext_lazy("保留等级")), (DEMOTE, gettext_lazy("降级"))]
    )
    to_level = forms.ChoiceField(
        label=gettext_lazy("降至"), choices=Level.choices, required=False
    )
    note = forms.CharField(
        label=gettext_lazy("处理说明"), max_length=200, required=False
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("action") == self.DEMOTE and not cleaned.get("note", "").strip():
            raise ValidationError(_("降级须填写原因。"))
        return cleaned


def _say_errors(request: HttpRequest, form: forms.Form) -> None:
    for errors in form.errors.values():
        messages.error(request, "；".join(errors))


def check_manager(user: User) -> None:
    """A 404 for anyone who does not manage levels, as if the page did not
    exist."""
    if not ladder.user_manages_levels(user):
        raise Http404


# --- pages ---------------------------------------------------------------------------


class ManagerMixin(WagtailAdminTemplateMixin):
    header_icon = "user"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        check_manager(request.user)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]


class ReviewQueueView(ManagerMixin, TemplateView):
    """等级复核: levels flagged because a certificate they rested on was revoked,
    oldest first, to keep or demote."""

    template_name = "volunteers/admin/ladder_reviews.html"
    page_title = gettext_lazy("等级复核")

    def get_context_data(self, **kwargs):
        reviews = (
            LevelReview.objects.filter(resolved_at__isnull=True)
            .select_related("person__org_unit", "certificate")
            .order_by("created_at", "pk")
        )
        rows = [(review, _lower_levels(review.person.level)) for review in reviews]
        return super().get_context_data(rows=rows, **kwargs)


class PeopleView(ManagerMixin, TemplateView):
    """等级调整: people above 居民 (search by name or phone), each linking to
    their level history and the retire / demote forms."""

    template_name = "volunteers/admin/ladder_people.html"
    page_title = gettext_lazy("等级调整")

    def get_context_data(self, **kwargs):
        query = self.request.GET.get("q", "").strip()
        people = (
            User.objects.exclude(level=Level.RESIDENT)
            .select_related("org_unit")
            .order_by("real_name", "pk")
        )
        if query:
            people = people.filter(Q(real_name__icontains=query) | Q(phone=query))
        page = Paginator(people, PAGE_SIZE).get_page(self.request.GET.get("p"))
        return super().get_context_data(page=page, query=query, **kwargs)


class PersonView(ManagerMixin, TemplateView):
    """One person's level and its history, with 退出 and 降级 forms."""

    template_name = "volunteers/admin/ladder_person.html"
    page_title = gettext_lazy("等级调整")

    def get_context_data(self, **kwargs):
        person = get_object_or_404(
            User.objects.select_related("org_unit"), pk=self.kwargs["pk"]
        )
        events = (
            LevelEvent.objects.filter(person=person)
            .select_related("actor")
            .order_by("-created_at", "-pk")[:100]
        )
        return super().get_context_data(
            person=person,
            events=events,
            lower_levels=_lower_levels(person.level),
            own=person.pk == self.request.user.pk,
            **kwargs,
        )


def _apply(request: HttpRequest, back: str, change, done: str) -> HttpResponse:
    try:
        change()
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    except PermissionDenied:
        raise Http404 from None
    else:
        messages.success(request, done)
    return redirect(back)


@require_POST
def retire(request: HttpRequest, pk: int) -> HttpResponse:
    """退出: the person leaves the ladder and is a 居民 again (a reason required)."""
    check_manager(request.user)
    person = get_object_or_404(User, pk=pk)
    form = ReasonForm(request.POST)
    back = reverse("level_admin:person", args=[pk])
    if not form.is_valid():
        _say_errors(request, form)
        return redirect(back)
    return _apply(
        request,
        back,
        lambda: ladder.retire(
            person, actor=request.user, reason=form.cleaned_data["reason"]
        ),
        _("%(name)s 已退出，等级改为居民。") % {"name": person.real_name},
    )


@require_POST
def demote(request: HttpRequest, pk: int) -> HttpResponse:
    """降级 to a lower level, with a reason."""
    check_manager(request.user)
    person = get_object_or_404(User, pk=pk)
    form = DemoteForm(request.POST, level=person.level)
    back = reverse("level_admin:person", args=[pk])
    if not form.is_valid():
        _say_errors(request, form)
        return redirect(back)
    to_level = form.cleaned_data["to_level"]
    return _apply(
        request,
        back,
        lambda: ladder.demote(
            person,
            to_level=to_level,
            actor=request.user,
            reason=form.cleaned_data["reason"],
        ),
        _("%(name)s 已降为%(level)s。")
        % {"name": person.real_name, "level": Level(to_level).label},
    )


@require_POST
def resolve(request: HttpRequest, pk: int) -> HttpResponse:
    """Resolve a flagged level: keep it, or demote with a reason."""
    check_manager(request.user)
    review = get_object_or_404(LevelReview.objects.select_related("person"), pk=pk)
    form = ResolveForm(request.POST)
    back = reverse("level_admin:reviews")
    if not form.is_valid():
        _say_errors(request, form)
        return redirect(back)
    name = review.person.real_name
    note = form.cleaned_data["note"]
    if form.cleaned_data["action"] == ResolveForm.KEEP:
        return _apply(
            request,
            back,
            lambda: ladder.keep_level(review, actor=request.user, note=note),
            _("已保留 %(name)s 的等级。") % {"name": name},
        )
    to_level = form.cleaned_data["to_level"]
    if Level.rank(to_level or review.person.level) >= Level.rank(review.person.level):
        messages.error(request, _("请选择比当前更低的等级。"))
        return redirect(back)
    return _apply(
        request,
        back,
        lambda: ladder.demote_from_review(
            review, to_level=to_level, actor=request.user, reason=note
        ),
        _("%(name)s 已降为%(level)s。")
        % {"name": name, "level": Level(to_level).label},
    )


urlpatterns = [
    path("", ReviewQueueView.as_view(), name="reviews"),
    path("reviews/<int:pk>/resolve/", resolve, name="resolve"),
    path("people/", PeopleView.as_view(), name="people"),
    path("people/<int:pk>/", PersonView.as_view(), name="person"),
    path("people/<int:pk>/retire/", retire, name="retire"),
    path("people/<int:pk>/demote/", demote, name="demote"),
]


class LevelAdminMenuItem(MenuItem):
    def is_shown(self, request):
        return ladder.user_manages_levels(request.user)


@hooks.register("register_admin_urls")
def register_level_admin_urls():
    return [
        path(
            "levels/",
            include((urlpatterns, "level_admin"), namespace="level_admin"),
        )
    ]


@hooks.register("register_volunteers_menu_item")
def register_level_reviews_menu_item():
    return LevelAdminMenuItem(
        gettext_lazy("等级复核"),
        reverse_lazy("level_admin:reviews"),
        name="level-reviews",
        icon_name="warning",
        order=740,
    )


@hooks.register("register_volunteers_menu_item")
def register_level_people_menu_item():
    return LevelAdminMenuItem(
        gettext_lazy("等级调整"),
        reverse_lazy("level_admin:people"),
        name="level-people",
        icon_name="user",
        order=730,
    )
