"""Certificate admin pages beyond Wagtail's generic ones: a certificate's detail
with revoke / reinstate, and per training class the bulk issue, the manual issue,
the ZIP of its PDFs and each background batch's progress (a page and the JSON it
polls).

Who may do what is asked of the permission policies registered for Certificate
and CertificateBatch (certificates.viewsets): a user without the permission gets
Wagtail's "no permission" redirect before anything is read or changed. Objects
come through the access helpers below, so an unknown id, or a batch asked for
under another class, is a 404. The URLs live under the certificate viewsets,
so Wagtail already requires admin access."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST
from django.views.generic import TemplateView

from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.models import InspectView
from wagtail.admin.widgets.button import HeaderButton
from wagtail.permissions import policy_registry

from certificates import selectors, services
from certificates.forms_admin import (
    BulkIssueForm,
    ManualIssueForm,
    ReinstateForm,
    RevokeForm,
)
from certificates.models import Certificate, CertificateBatch
from courses.models import TrainingClass
from school.models import User

Batch = CertificateBatch

# --- who may -------------------------------------------------------------------


def user_may(user: User, model, action: str) -> bool:
    """Whether the permission policy registered for `model` allows `action`."""
    return policy_registry.get_by_type(model).user_has_permission(user, action)


def require(user: User, model, action: str) -> None:
    if not user_may(user, model, action):
        raise PermissionDenied


def user_may_issue(user: User) -> bool:
    """Bulk issue (starting a batch) or manual issue: the 按班级签发 pages."""
    return user_may(user, Batch, "start") or user_may(user, Certificate, "issue")


def require_issuer(user: User) -> None:
    if not user_may_issue(user):
        raise PermissionDenied


# --- access helpers ----------------------------------------------------------------


def get_certificate(user: User, pk: int, action: str = "view") -> Certificate:
    """The certificate, if the user may `action` certificates; unknown is a 404."""
    require(user, Certificate, action)
    return get_object_or_404(
        Certificate.objects.select_related("template", "school", "holder"), pk=pk
    )


def get_training_class(pk: int) -> TrainingClass:
    return get_object_or_404(TrainingClass.objects.select_related("course"), pk=pk)


def get_batch(training_class: TrainingClass, batch_pk: int) -> CertificateBatch:
    """A batch of this class; another class's batch is a 404 like an unknown one."""
    return get_object_or_404(
        Batch.objects.select_related("template", "requested_by"),
        pk=batch_pk,
        training_class=training_class,
    )


# --- URLs --------------------------------------------------------------------------


def class_url(training_class_id: int) -> str:
    return reverse("certificate_classes:issue", args=[training_class_id])


def batch_url(batch: CertificateBatch) -> str:
    return reverse(
        "certificate_classes:batch", args=[batch.training_class_id, batch.pk]
    )


def class_certificates_url(training_class_id: int) -> str:
    query = urlencode({"training_class": training_class_id})
    return f"{reverse('issued_certificates:index')}?{query}"


def inspect_url(certificate: Certificate) -> str:
    return reverse("issued_certificates:inspect", args=[certificate.pk])


# --- a certificate -------------------------------------------------------------------

# What the snapshot prints, in the order of the certificate.
SNAPSHOT_ROWS = [
    ("holder_name", gettext_lazy("持证人")),
    ("course_title", gettext_lazy("课程")),
    ("tier_label", gettext_lazy("培训层级")),
    ("class_label", gettext_lazy("班级")),
    ("class_level_label", gettext_lazy("班级级别")),
    ("study_hours", gettext_lazy("学时")),
    ("starts_on_label", gettext_lazy("开班日期")),
    ("ends_on_label", gettext_lazy("结业日期")),
    ("school_name", gettext_lazy("签发学校")),
    ("issued_on_label", gettext_lazy("签发日期")),
    ("valid_until_label", gettext_lazy("有效期至")),
    ("heading", gettext_lazy("证书标题")),
    ("body", gettext_lazy("证书正文")),
    ("footer_note", gettext_lazy("页脚说明")),
]


class CertificateInspectView(InspectView):
    """A certificate as issued: its frozen content, where it stands, its events, and
    the forms to revoke or reinstate it (each with a reason)."""

    template_name = "certificates/admin/certificate_inspect.html"
    page_title = gettext_lazy("证书详情")

    def get_object(self, queryset=None):
        return get_certificate(self.request.user, self.pk)

    def get_context_data(self, **kwargs):
        certificate = self.object
        snapshot = certificate.snapshot
        may_revoke = user_may(self.request.user, Certificate, "revoke")
        return super().get_context_data(
            certificate=certificate,
            standing=Certificate.Standing(certificate.standing()),
            snapshot_rows=[
                (label, snapshot.get(key) or "—") for key, label in SNAPSHOT_ROWS
            ],
            signatories=snapshot.get("signatories") or [],
            events=certificate.events.select_related("actor"),
            revoke_form=RevokeForm() if may_revoke else None,
            reinstate_form=ReinstateForm() if may_revoke else None,
            class_url=(
                class_url(certificate.enrollment.training_class_id)
                if certificate.enrollment_id
                else None
            ),
            **kwargs,
        )


def _change_standing(request: HttpRequest, pk: int, *, revoke: bool) -> HttpResponse:
    certificate = get_certificate(request.user, pk, "revoke")
    form = (RevokeForm if revoke else ReinstateForm)(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["reason"]))
        return redirect(inspect_url(certificate))
    change = services.revoke_certificate if revoke else services.reinstate_certificate
    try:
        change(certificate, actor=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        done = _("已撤销证书 %(number)s。") if revoke else _("已恢复证书 %(number)s。")
        messages.success(request, done % {"number": certificate.number})
    return redirect(inspect_url(certificate))


@require_POST
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    return _change_standing(request, pk, revoke=True)


@require_POST
def reinstate(request: HttpRequest, pk: int) -> HttpResponse:
    return _change_standing(request, pk, revoke=False)


# --- a training class ----------------------------------------------------------------


class ClassPageMixin(WagtailAdminTemplateMixin):
    """Header, breadcrumbs and sibling links of the per-class pages. `permission`
    (model, action) is what the page needs, asked before the class is looked up."""

    header_icon = "clipboard-list"
    permission: tuple[type, str] = (Batch, "start")

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        require(request.user, *self.permission)
        self.training_class = get_training_class(kwargs["pk"])

    def get_page_subtitle(self):
        return str(self.training_class)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {
                "url": reverse("certificate_classes:index"),
                "label": _("按班级签发"),
            },
            {
                "url": "",
                "label": self.get_page_title(),
                "sublabel": self.get_page_subtitle(),
            },
        ]

    def link(self, name: str, label: str, icon: str) -> HeaderButton:
        url = reverse(f"certificate_classes:{name}", args=[self.training_class.pk])
        return HeaderButton(label, url=url, icon_name=icon)

    @cached_property
    def header_buttons(self):
        user, pk = self.request.user, self.training_class.pk
        buttons = [
            HeaderButton(
                _("本班证书"), url=class_certificates_url(pk), icon_name="success"
            )
        ]
        if user_may(user, Batch, "start"):
            buttons.append(self.link("issue", _("批量签发"), "group"))
        if user_may(user, Certificate, "issue"):
            buttons.append(self.link("issue_one", _("手动签发"), "user"))
        policy = policy_registry.get_by_type(TrainingClass)
        if policy.user_has_permission_for_instance(user, "view", self.training_class):
            buttons.append(
                HeaderButton(
                    _("花名册"),
                    url=reverse("training_classes:roster", args=[pk]),
                    icon_name="list-ul",
                )
            )
        return buttons

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            training_class=self.training_class,
            may_start_batches=user_may(user, Batch, "start"),
            certificates_url=class_certificates_url(self.training_class.pk),
            **kwargs,
        )


class BulkIssueView(ClassPageMixin, TemplateView):
    """批量签发: the class's completed trainees, all ticked, with those who already
    hold the chosen template's certificate marked 已签发; issuing runs in the
    background and the page moves on to the batch's progress."""

    template_name = "certificates/admin/bulk_issue.html"
    page_title = gettext_lazy("批量签发")
    permission = (Batch, "start")

    def get(self, request, *args, **kwargs):
        form = BulkIssueForm(self.training_class, initial=self.initial())
        return self.render_to_response(self.get_context_data(form=form))

    def post(self, request, *args, **kwargs):
        form = BulkIssueForm(self.training_class, request.POST)
        if (
            form.is_valid()
            and self.other_templates(form.cleaned_data["template"])
            and not request.POST.get("confirm_second_template")
        ):
            form.add_error(
                None,
                _("本班已有学员持有其他模板的证书。如确需再签发一种证书，请勾选确认。"),
            )
        if form.is_valid():
            try:
                batch = services.start_bulk_issue(
                    self.training_class,
                    template=form.cleaned_data["template"],
                    enrollment_ids=[e.pk for e in form.cleaned_data["enrollments"]],
                    actor=request.user,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("已开始为 %(n)s 名学员签发证书。") % {"n": batch.total},
                )
                return redirect(batch_url(batch))
        return self.render_to_response(self.get_context_data(form=form))

    def initial(self) -> dict:
        initial = {"enrollments": [e.pk for e in self.enrollments]}
        if template := self.request.GET.get("template"):
            initial["template"] = template
        return initial

    @cached_property
    def enrollments(self) -> list:
        return list(selectors.completed_enrollments(self.training_class))

    def other_templates(self, template) -> list[dict]:
        """Templates other than `template` under which trainees of this class
        already hold a valid certificate, with how many hold one: issuing a second
        kind is allowed, but only knowingly."""
        if template is None:
            return []
        return list(
            Certificate.objects.filter(
                enrollment__training_class=self.training_class,
                status=Certificate.Status.VALID,
            )
            .exclude(template=template)
            .values("template__name")
            .annotate(holders=Count("enrollment", distinct=True))
            .order_by("template__name")
        )

    def chosen_template(self, form: BulkIssueForm):
        field = form.fields["template"]
        value = form["template"].value()
        try:
            return field.clean(value) if value else field.queryset.first()
        except ValidationError:
            return None

    def get_context_data(self, **kwargs):
        form = kwargs["form"]
        template = self.chosen_template(form)
        issued = {}
        if template is not None:
            issued = dict(
                Certificate.objects.filter(
                    template=template,
                    enrollment__in=[e.pk for e in self.enrollments],
                ).values_list("enrollment_id", "number")
            )
        ticked = {str(pk) for pk in (form["enrollments"].value() or [])}
        rows = [
            {
                "enrollment": enrollment,
                "checked": str(enrollment.pk) in ticked,
                "number": issued.get(enrollment.pk),
            }
            for enrollment in self.enrollments
        ]
        return super().get_context_data(
            rows=rows,
            template=template,
            has_templates=form.fields["template"].queryset.exists(),
            issued_count=len(issued),
            other_templates=self.other_templates(template),
            **kwargs,
        )


class ManualIssueView(ClassPageMixin, TemplateView):
    """手动签发: one certificate for one trainee of the class, with a reason; a
    trainee still studying may be issued one this way (the reason says why)."""

    template_name = "certificates/admin/manual_issue.html"
    page_title = gettext_lazy("手动签发")
    permission = (Certificate, "issue")

    def get(self, request, *args, **kwargs):
        form = ManualIssueForm(self.training_class)
        return self.render_to_response(self.get_context_data(form=form))

    def post(self, request, *args, **kwargs):
        form = ManualIssueForm(self.training_class, request.POST)
        if form.is_valid():
            enrollment = form.cleaned_data["enrollment"]
            try:
                certificate = services.issue_certificate(
                    enrollment,
                    template=form.cleaned_data["template"],
                    actor=request.user,
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("已为 %(name)s 签发证书 %(number)s。")
                    % {
                        "name": enrollment.trainee.real_name,
                        "number": certificate.number,
                    },
                )
                return redirect(inspect_url(certificate))
        return self.render_to_response(self.get_context_data(form=form))


@require_POST
def start_archive(request: HttpRequest, pk: int) -> HttpResponse:
    """打包下载: queue the ZIP of the class's valid certificates."""
    require(request.user, Batch, "start")
    require(request.user, Certificate, "view")
    training_class = get_training_class(pk)
    try:
        batch = services.start_class_archive(training_class, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(class_url(training_class.pk))
    return redirect(batch_url(batch))


# --- a batch ---------------------------------------------------------------------------


def batch_state(batch: CertificateBatch) -> dict:
    """What the progress page shows and its script polls."""
    return {
        "status": batch.status,
        "status_label": batch.get_status_display(),
        "done": batch.done,
        "failed": batch.failed,
        "total": batch.total,
        "percent": batch.percent,
        "finished": batch.status in (Batch.Status.FINISHED, Batch.Status.FAILED),
    }


class BatchProgressView(ClassPageMixin, TemplateView):
    """A batch's progress: a bar that its script refreshes every second from
    `batch_status` (without JavaScript, the page reloads itself); when it has
    finished, the class's certificates and the ZIP."""

    template_name = "certificates/admin/batch_progress.html"
    permission = (Batch, "view")

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.batch = get_batch(self.training_class, kwargs["batch_pk"])

    def get_page_title(self):
        return self.batch.get_kind_display()

    def get_context_data(self, **kwargs):
        batch = self.batch
        archive_ready = (
            batch.kind == Batch.Kind.ARCHIVE
            and batch.status == Batch.Status.FINISHED
            and bool(batch.archive)
        )
        return super().get_context_data(
            batch=batch,
            state=batch_state(batch),
            status_url=reverse(
                "certificate_classes:batch_status",
                args=[self.training_class.pk, batch.pk],
            ),
            download_url=(
                reverse(
                    "certificate_classes:download",
                    args=[self.training_class.pk, batch.pk],
                )
                if archive_ready
                else ""
            ),
            **kwargs,
        )


@require_GET
def batch_status(request: HttpRequest, pk: int, batch_pk: int) -> JsonResponse:
    require(request.user, Batch, "view")
    batch = get_batch(get_training_class(pk), batch_pk)
    return JsonResponse(batch_state(batch), headers={"Cache-Control": "no-store"})


@require_GET
def download_archive(request: HttpRequest, pk: int, batch_pk: int) -> FileResponse:
    """The finished ZIP, from the private storage, as an attachment."""
    require(request.user, Batch, "view")
    require(request.user, Certificate, "view")
    training_class = get_training_class(pk)
    batch = get_batch(training_class, batch_pk)
    if batch.kind != Batch.Kind.ARCHIVE or not batch.archive:
        raise Http404
    try:
        archive = batch.archive.open("rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    filename = _("%(class)s证书.zip") % {"class": training_class}
    return FileResponse(archive, as_attachment=True, filename=filename)
