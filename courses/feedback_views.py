"""课后评价 pages: a trainee rates a session or a class they attended (GET shows
the form, POST saves), and an instructor reads their own ratings without names.
Thin views: fetch through an access helper, call courses.feedback, redirect."""

import csv

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe
from django.views.generic import TemplateView

from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from courses import feedback as ratings
from courses.models import ClassSession, TrainingClass
from school.models import User

SCORE_CHOICES = [
    (5, gettext_lazy("5 分 · 非常满意")),
    (4, gettext_lazy("4 分 · 满意")),
    (3, gettext_lazy("3 分 · 一般")),
    (2, gettext_lazy("2 分 · 不满意")),
    (1, gettext_lazy("1 分 · 非常不满意")),
]


class FeedbackForm(forms.Form):
    score = forms.TypedChoiceField(
        label=gettext_lazy("评分"),
        choices=SCORE_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("请选择 1 到 5 分。")},
    )
    comment = forms.CharField(
        label=gettext_lazy("意见和建议（选填）"),
        required=False,
        max_length=ratings.COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


# Access helpers: the session or class, or 404 alike for "does not exist" and
# "not yours to rate".


def get_session_to_rate(user: User, pk: int) -> ClassSession:
    """A session the user attended and may rate (or has rated)."""
    session = (
        ClassSession.objects.select_related("training_class__course", "practice_site")
        .filter(pk=pk)
        .first()
    )
    if (
        session is None
        or not user.is_authenticated
        or ratings.session_feedback_refusal(session, user)
    ):
        raise Http404
    return session


def get_class_to_rate(user: User, pk: int) -> TrainingClass:
    """A class the user attended or completed and may rate (or has rated)."""
    training_class = (
        TrainingClass.objects.select_related("course").filter(pk=pk).first()
    )
    if (
        training_class is None
        or not user.is_authenticated
        or ratings.class_feedback_refusal(training_class, user)
    ):
        raise Http404
    return training_class


def _give(request: HttpRequest, target, *, heading: str, when: str) -> HttpResponse:
    given = ratings.existing_feedback(target, request.user)
    editable = given is None or ratings.is_editable(given)
    if request.method == "POST" and editable:
        form = FeedbackForm(request.POST)
        if form.is_valid():
            try:
                ratings.give_feedback(
                    target,
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
                return redirect("courses:dashboard")
    elif request.method == "POST":
        messages.error(request, _("评价提交 7 天后不能再修改。"))
        return redirect(request.path)
    else:
        initial = {"score": given.score, "comment": given.comment} if given else {}
        form = FeedbackForm(initial=initial)
    return render(
        request,
        "courses/feedback_give.html",
        {
            "form": form,
            "heading": heading,
            "when": when,
            "given": given,
            "editable": editable,
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def give_session(request: HttpRequest, pk: int) -> HttpResponse:
    """Rate a session the trainee attended."""
    session = get_session_to_rate(request.user, pk)
    heading = str(session.training_class)
    if session.title:
        heading = f"{heading} · {session.title}"
    when = date_format(timezone.localtime(session.starts_at), "Y-m-d H:i")
    return _give(request, session, heading=heading, when=f"{when} · {session.place}")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def give_class(request: HttpRequest, pk: int) -> HttpResponse:
    """Rate a class the trainee attended or completed."""
    training_class = get_class_to_rate(request.user, pk)
    when = _("%(start)s 至 %(end)s") % {
        "start": training_class.starts_on.isoformat(),
        "end": training_class.ends_on.isoformat(),
    }
    return _give(request, training_class, heading=str(training_class), when=when)


@login_required
@require_safe
def mine(request: HttpRequest) -> HttpResponse:
    """我的评价: an instructor's ratings per class and session, without names."""
    return render(
        request,
        "courses/feedback_mine.html",
        {"taught": ratings.taught_feedback(request.user)},
    )


# --- the administrators' report (Wagtail admin, registered in feedback_hooks) ---


class ReportFilterForm(forms.Form):
    since = forms.DateField(
        label=gettext_lazy("评价日期从"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    until = forms.DateField(
        label=gettext_lazy("至"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            raise ValidationError(_("开始日期不能晚于结束日期。"))
        return data


def _csv_response(report: ratings.SatisfactionReport, filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # so that Excel reads the Chinese as UTF-8
    writer = csv.writer(response)
    writer.writerow([_("维度"), _("名称"), _("评价数"), _("平均分"), _("满意率（%）")])

    def row(section: str, summary: ratings.FeedbackSummary) -> list:
        return [
            section,
            summary.label,
            summary.count,
            "" if summary.average is None else summary.average,
            "" if summary.satisfaction is None else summary.satisfaction,
        ]

    writer.writerow(row(_("全部"), report.overall))
    for section, summaries in report.sections():
        for summary in summaries:
            writer.writerow(row(section, summary))
    return response


class SatisfactionReportView(WagtailAdminTemplateMixin, TemplateView):
    """满意率 per class, course, instructor and site, for a period; CSV with
    ?export=csv. Administrators only (404 for everyone else)."""

    template_name = "courses/admin/feedback_report.html"
    page_title = gettext_lazy("课后评价满意率")
    header_icon = "pick"

    def dispatch(self, request, *args, **kwargs):
        if not ratings.user_can_read_feedback_report(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        form = ReportFilterForm(request.GET or None)
        since = until = None
        if form.is_bound and form.is_valid():
            since, until = form.cleaned_data["since"], form.cleaned_data["until"]
        report = ratings.satisfaction_report(since=since, until=until)
        if request.GET.get("export") == "csv" and (
            not form.is_bound or form.is_valid()
        ):
            period = "-".join(d.isoformat() for d in (since, until) if d) or "all"
            return _csv_response(report, f"feedback-{period}.csv")
        query = request.GET.copy()
        query["export"] = "csv"
        return self.render_to_response(
            self.get_context_data(form=form, report=report, csv_query=query.urlencode())
        )
