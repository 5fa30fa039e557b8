"""Wagtail admin for training classes: the list, the form, and per class the roster,
pending requests, bulk enrolment and quiz results (views in courses.admin_views).

Administrators (courses.change_trainingclass) see and manage every class; an
instructor holds courses.view_trainingclass and sees only the classes they teach.
Both rules live in TrainingClassPermissionPolicy, so the menu, the list, the
buttons and the views all ask the same question."""

import json
from itertools import chain

from django import forms
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MinValueValidator
from django.db.models import Max, Q
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.ui.tables import BooleanColumn, Column
from wagtail.admin.views.generic.models import CreateView, IndexView
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy

import django_filters

from courses import admin_views
from courses.models import CoursePage, Tier, TrainingClass
from courses.permissions import user_can_manage_enrollments, user_teaches_or_authors
from courses.session_viewsets import BookingViewSet, ClassSessionViewSet
from school import roles
from school.models import PracticeSite, User
from school.selectors import school_of_page


class TrainingClassPermissionPolicy(ModelPermissionPolicy):
    """Model permissions say what a role may do with classes at all. Whoever may not
    change classes (an instructor, who may only view) gets only the classes they
    teach or whose course they author: every other class is out of their list and
    a 404 in every view."""

    def sees_every_class(self, user) -> bool:
        return user.is_active and (
            user.is_superuser or user.has_perm("courses.change_trainingclass")
        )

    def user_has_permission_for_instance(self, user, action, instance):
        if not self.user_has_permission(user, action):
            return False
        return self.sees_every_class(user) or user_teaches_or_authors(user, instance)

    def instances_user_has_any_permission_for(self, user, actions):
        classes = super().instances_user_has_any_permission_for(user, actions)
        if self.sees_every_class(user):
            return classes
        taught = TrainingClass.objects.filter(instructors=user).values("pk")
        return classes.filter(Q(pk__in=taught) | Q(course__owner=user))

    def users_with_any_permission_for_instance(self, actions, instance):
        everyone = self.users_with_any_permission(["change"]).values("pk")
        return (
            self.users_with_any_permission(actions)
            .filter(
                Q(pk__in=everyone)
                | Q(taught_classes=instance)
                | Q(pk=instance.course.owner_id)
            )
            .distinct()
        )


class TrainingClassFilterSet(WagtailFilterSet):
    tier = django_filters.ChoiceFilter(
        label=_("培训层级"),
        field_name="course__tier",
        choices=Tier.choices,
        empty_label=_("全部"),
        widget=forms.RadioSelect,
    )

    class Meta:
        model = TrainingClass
        fields = ["level", "tier", "is_active", "requires_approval"]


class CourseChoiceField(forms.ModelChoiceField):
    """Courses named with their school, since both schools may teach a course of
    the same title: 《公益理念》 · 网格学校 · 基础通识班."""

    def label_from_instance(self, course):
        school = school_of_page(course)
        parts = [f"《{course.title}》"]
        if school is not None:
            parts.append(school.title)
        parts.append(str(course.get_tier_display()))
        return " · ".join(parts)


def next_class_number(course: CoursePage) -> int:
    """The 期数 a new class of this course would take: one after its last."""
    last = TrainingClass.objects.filter(course=course).aggregate(last=Max("number"))
    return (last["last"] or 0) + 1


class TrainingClassForm(WagtailAdminModelForm):
    """A class of a live course, taught by users holding the 讲师 role. The
    database constraints are checked here first, so the administrator reads why in
    Chinese next to the field instead of a constraint name."""

    course = CourseChoiceField(label=_("课程"), queryset=CoursePage.objects.none())

    class Meta:
        model = TrainingClass
        fields = [
            "course",
            "number",
            "level",
            "capacity",
            "enrol_opens_at",
            "enrol_closes_at",
            "starts_on",
            "ends_on",
            "instructors",
            "practice_site",
            "requires_approval",
            "absence_warning_at",
            "is_active",
        ]
        widgets = {"instructors": forms.CheckboxSelectMultiple}

    class Media:
        js = ["courses/admin/class-form.js"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.instance if self.instance.pk else None
        # A class keeps its course, teachers and site even if they have since been
        # unpublished, lost the role or closed: saving must not silently drop them.
        self.fields["course"].queryset = CoursePage.objects.filter(
            Q(live=True) | Q(pk=current.course_id if current else None)
        ).order_by("title")
        self.fields["instructors"].queryset = (
            User.objects.filter(
                Q(groups__name=roles.INSTRUCTOR, is_active=True)
                | Q(pk__in=current.instructors.values("pk") if current else [])
            )
            .distinct()
            .order_by("real_name")
        )
        self.fields["practice_site"].queryset = PracticeSite.objects.filter(
            Q(is_active=True) | Q(pk=current.practice_site_id if current else None)
        ).order_by("name")
        capacity = self.fields["capacity"]
        capacity.validators.append(MinValueValidator(1, _("名额至少为 1。")))
        capacity.widget.attrs["min"] = 1
        if current is None:
            self._offer_next_numbers()
            if not self.is_bound:
                self._propose_number()

    def _offer_next_numbers(self) -> None:
        # For class-form.js: each course's next 期数, so changing the course on a
        # new class proposes its number without a round trip.
        last = dict(
            TrainingClass.objects.values_list("course")
            .annotate(last=Max("number"))
            .order_by()
        )
        next_numbers = {
            str(pk): last.get(pk, 0) + 1
            for pk in self.fields["course"].queryset.values_list("pk", flat=True)
        }
        self.fields["course"].widget.attrs["data-next-numbers"] = json.dumps(
            next_numbers
        )

    def _propose_number(self) -> None:
        # Opened from a course (?course=<id>): propose the next 期数 of it.
        try:
            course = self.fields["course"].queryset.get(pk=int(self.initial["course"]))
        except (KeyError, TypeError, ValueError, CoursePage.DoesNotExist):
            return
        self.initial["course"] = course.pk
        self.initial.setdefault("number", next_class_number(course))

    def save(self, commit=True):
        if self.instance._state.adding or not commit:
            return super().save(commit=commit)
        # Write only the form's own columns: seats_taken moves by conditional
        # UPDATEs in courses.services, and saving the copy loaded at the start of
        # this request would undo an enrolment made meanwhile.
        training_class = super().save(commit=False)
        training_class.save(
            update_fields=[name for name in self._meta.fields if name != "instructors"]
        )
        self._save_m2m()
        return training_class

    def clean(self):
        cleaned = super().clean()
        opens, closes = cleaned.get("enrol_opens_at"), cleaned.get("enrol_closes_at")
        if opens and closes and closes <= opens:
            self.add_error("enrol_closes_at", _("报名截止时间须晚于报名开始时间。"))
        starts, ends = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("结业日期不能早于开班日期。"))
        capacity = cleaned.get("capacity")
        if capacity is not None and capacity < self.instance.seats_taken:
            self.add_error(
                "capacity",
                _("已有 %(n)s 人报名，名额不能少于此数。")
                % {"n": self.instance.seats_taken},
            )
        course, number = cleaned.get("course"), cleaned.get("number")
        if (
            course
            and number
            and TrainingClass.objects.filter(course=course, number=number)
            .exclude(pk=self.instance.pk)
            .exists()
        ):
            self.add_error(
                "number",
                _("《%(course)s》已有第 %(number)s 期。")
                % {"course": course.title, "number": number},
            )
        return cleaned


def _seats(training_class: TrainingClass) -> str:
    return f"{training_class.seats_taken}/{training_class.capacity}"


def _yes_no(value: bool) -> str:
    return str(_("是") if value else _("否"))


# The class list as a spreadsheet: heading → value. Dates stay dates for XLSX.
EXPORT_COLUMNS = {
    "course": (_("课程"), lambda c: c.course.title),
    "number": (_("期数"), lambda c: c.number),
    "level": (_("班级级别"), lambda c: c.get_level_display()),
    "tier": (_("培训层级"), lambda c: c.course.get_tier_display()),
    "starts_on": (_("开班日期"), lambda c: c.starts_on),
    "ends_on": (_("结业日期"), lambda c: c.ends_on),
    "enrol_opens_at": (
        _("报名开始"),
        lambda c: timezone.localtime(c.enrol_opens_at).replace(tzinfo=None),
    ),
    "enrol_closes_at": (
        _("报名截止"),
        lambda c: timezone.localtime(c.enrol_closes_at).replace(tzinfo=None),
    ),
    "seats_taken": (_("已报名"), lambda c: c.seats_taken),
    "capacity": (_("名额"), lambda c: c.capacity),
    "instructors": (
        _("讲师"),
        lambda c: "、".join(user.real_name for user in c.instructors.all()),
    ),
    "location": (
        _("上课地点"),
        lambda c: c.practice_site.name if c.practice_site else _("线上"),
    ),
    "requires_approval": (_("报名需审核"), lambda c: _yes_no(c.requires_approval)),
    "is_active": (_("启用"), lambda c: _yes_no(c.is_active)),
}


class TrainingClassCreateView(CreateView):
    """新建培训班; ?course=<id> (from 新建下一期) picks the course and proposes
    its next 期数."""

    def get_initial(self):
        initial = super().get_initial()
        if course := self.request.GET.get("course"):
            initial["course"] = course
        return initial


class TrainingClassIndexView(IndexView):
    def get_base_queryset(self):
        return (
            self.permission_policy.instances_user_has_any_permission_for(
                self.request.user, ["view", "change"]
            )
            .select_related("course", "practice_site")
            .prefetch_related("instructors")
        )

    def get_inspect_url(self, instance):
        # The roster is what "inspecting" a class means; an instructor, who may
        # not edit, lands there from the title.
        return reverse("training_classes:roster", args=[instance.pk])

    def get_list_more_buttons(self, instance):
        buttons = []
        if edit_url := self.get_edit_url(instance):
            buttons.append(
                MenuItem(_("编辑"), url=edit_url, icon_name="edit", priority=10)
            )
        if self.permission_policy.user_has_permission(self.request.user, "add"):
            next_url = reverse("training_classes:add") + f"?course={instance.course_id}"
            buttons.append(
                MenuItem(_("新建下一期"), url=next_url, icon_name="plus", priority=15)
            )
        buttons.append(
            MenuItem(
                _("花名册"),
                url=self.get_inspect_url(instance),
                icon_name="list-ul",
                priority=20,
            )
        )
        if user_can_manage_enrollments(self.request.user):
            buttons.append(
                MenuItem(
                    _("按单位批量报名"),
                    url=reverse("training_classes:bulk_enroll", args=[instance.pk]),
                    icon_name="group",
                    priority=30,
                )
            )
        buttons.append(
            MenuItem(
                _("测验成绩"),
                url=reverse("training_classes:quiz_results", args=[instance.pk]),
                icon_name="tasks",
                priority=40,
            )
        )
        if delete_url := self.get_delete_url(instance):
            buttons.append(
                MenuItem(_("删除"), url=delete_url, icon_name="bin", priority=50)
            )
        return buttons

    def to_row_dict(self, item):
        return {field: EXPORT_COLUMNS[field][1](item) for field in self.list_export}

    def get_heading(self, queryset, field):
        return str(EXPORT_COLUMNS[field][0])

    def write_csv_response(self, queryset):
        # A byte-order mark first, or Excel reads the UTF-8 Chinese as mojibake.
        response = super().write_csv_response(queryset)
        response.streaming_content = chain(
            [b"\xef\xbb\xbf"], response.streaming_content
        )
        response["Content-Type"] = "text/csv; charset=utf-8"
        return response


class TrainingClassViewSet(ModelViewSet):
    """培训班: list, filters, search by course title, export, create and edit."""

    model = TrainingClass
    name = "training_classes"
    url_prefix = "training-classes"
    index_view_class = TrainingClassIndexView
    add_view_class = TrainingClassCreateView
    icon = "clipboard-list"
    menu_label = _("培训班")
    menu_order = 100
    list_display = [
        "course",
        "number",
        "level",
        "starts_on",
        "ends_on",
        Column("seats", label=_("已报名/名额"), accessor=_seats),
        BooleanColumn("requires_approval", label=_("报名需审核")),
        BooleanColumn("is_active", label=_("启用")),
    ]
    filterset_class = TrainingClassFilterSet
    search_fields = ["course__title"]
    list_export = list(EXPORT_COLUMNS)
    export_filename = "training-classes"
    inspect_view_enabled = False
    copy_view_enabled = False

    def get_form_class(self, for_update=False):
        return TrainingClassForm

    def get_permissions_to_register(self):
        # "view" too: it is what the 讲师 role holds (the inspect view is off, so
        # Wagtail would leave it out of the group editor).
        return Permission.objects.filter(
            content_type=ContentType.objects.get_for_model(TrainingClass)
        )

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path(
                "roster/<int:pk>/",
                admin_views.TrainingClassRosterView.as_view(),
                name="roster",
            ),
            path(
                "roster/<int:pk>/export/<str:file_format>/",
                admin_views.export_roster,
                name="export_roster",
            ),
            path(
                "bulk-enroll/<int:pk>/",
                admin_views.BulkEnrollView.as_view(),
                name="bulk_enroll",
            ),
            path(
                "quiz-results/<int:pk>/",
                admin_views.QuizResultsView.as_view(),
                name="quiz_results",
            ),
            path(
                "quiz-results/<int:pk>/grant/",
                admin_views.grant_quiz_attempts,
                name="grant_quiz_attempts",
            ),
            path(
                "enrollments/<int:pk>/approve/",
                admin_views.approve_enrollment,
                name="approve_enrollment",
            ),
            path(
                "enrollments/<int:pk>/reject/",
                admin_views.reject_enrollment,
                name="reject_enrollment",
            ),
            path(
                "enrollments/<int:pk>/remove/",
                admin_views.remove_trainee,
                name="remove_trainee",
            ),
            path(
                "enrollments/<int:pk>/complete/",
                admin_views.complete_by_hand,
                name="complete_by_hand",
            ),
        ]


class CoursesViewSetGroup(ViewSetGroup):
    menu_label = _("课程")
    menu_icon = "doc-full-inverse"
    menu_order = 140
    items = (TrainingClassViewSet, ClassSessionViewSet, BookingViewSet)
