"""The trainee's side of learning: 我的学习, enrolment, withdrawal, lessons and
quizzes. Thin views: authenticate, fetch through an access helper, call the
service, redirect. Every change is a POST; no GET changes anything."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from wagtail.models import Page

from courses import selectors, services
from courses.feedback import feedback_due
from courses.forms import QuizForm
from courses.models import Enrollment, LessonPage, TrainingClass
from courses.selectors.schedule import not_started_notice
from school.models import User

QUIZ_FIELD_ID = "quiz-%s"


# Access helpers: the object, or 404 alike for "does not exist" and "not yours".


def get_own_enrollment(user: User, pk: int) -> Enrollment:
    """The user's own enrolment with this id."""
    if not user.is_authenticated:
        raise Http404
    try:
        return Enrollment.objects.select_related("training_class__course").get(
            pk=pk, trainee=user
        )
    except Enrollment.DoesNotExist:
        raise Http404 from None


def get_enrollment_for_course(user: User, course: Page) -> Enrollment:
    """The user's live enrolment in a class of this course (学习中 first)."""
    enrollment = selectors.enrollment_for_course(user, course)
    if enrollment is None:
        raise Http404
    return enrollment


def get_live_lesson(pk: int) -> tuple[LessonPage, Page]:
    """A published lesson of a published course, with its course."""
    lesson = get_object_or_404(LessonPage.objects.live(), pk=pk)
    course = lesson.get_parent()
    if course is None or not course.live:
        raise Http404
    return lesson, course


def _next_url(request: HttpRequest) -> str | None:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


def _refused(request: HttpRequest, error: ValidationError) -> None:
    messages.error(request, "；".join(error.messages))


def _completed_message(course: Page) -> str:
    return _("恭喜！您已完成《%(course)s》的全部学习要求，已结业。") % {
        "course": course.title
    }


# Pages.


@login_required
@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    """我的学习, with the sessions and classes the trainee may rate now."""
    return render(
        request,
        "courses/dashboard.html",
        {
            **selectors.dashboard_context(request.user, request),
            "feedback_due": feedback_due(request.user),
        },
    )


def serve_lesson(request: HttpRequest, lesson: LessonPage) -> HttpResponse:
    """A lesson, served for LessonPage.serve. Visitors log in first; someone not
    enrolled in the course is told how to enrol and sees neither the lesson nor its
    quiz; an enrolled trainee sees the lesson, the progress and the quiz form."""
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    course = lesson.get_parent()
    enrollment = selectors.enrollment_for_course(request.user, course)
    starts_notice = (
        not_started_notice(enrollment.training_class.starts_on)
        if enrollment is not None
        else ""
    )
    if (
        enrollment is None
        or enrollment.status == Enrollment.Status.PENDING
        or starts_notice
    ):
        # Not enrolled, awaiting approval, or the class has not started yet: the
        # lesson stays closed, neither its body nor its quiz shown.
        context = lesson.get_context(request)
        context.update(
            access="locked",
            course=course,
            enrollment=enrollment,
            starts_notice=starts_notice,
        )
        return TemplateResponse(request, lesson.get_template(request), context)
    return _render_lesson(request, lesson, course=course, enrollment=enrollment)


def _render_lesson(
    request: HttpRequest,
    lesson: LessonPage,
    *,
    course: Page,
    enrollment: Enrollment,
    quiz_form: QuizForm | None = None,
) -> HttpResponse:
    context = lesson.get_context(request)
    context.update(
        selectors.lesson_context(
            lesson, course=course, enrollment=enrollment, request=request
        )
    )
    summary = context["quiz_summary"]
    if summary is not None and summary.passed:
        quiz_form = None  # a passed quiz is closed
    elif quiz_form is None and summary is not None and summary.left:
        quiz_form = QuizForm(context["quiz"], auto_id=QUIZ_FIELD_ID)
    context.update(
        access="enrolled",
        quiz_form=quiz_form,
        quiz_result=_just_submitted(request, summary),
    )
    return TemplateResponse(request, lesson.get_template(request), context)


def _just_submitted(request: HttpRequest, summary) -> object | None:
    """The attempt submit_quiz redirected here to show (?attempt=<number>), if it
    is the trainee's latest: its result is shown by the quiz and takes focus."""
    last = summary.last if summary is not None else None
    number = request.GET.get("attempt", "")
    if last is not None and number.isdecimal() and int(number) == last.number:
        return last
    return None


# Actions: POST only.


@require_POST
def enrol(request: HttpRequest, pk: int) -> HttpResponse:
    """Enrol the logged-in trainee in a class; the service checks every rule."""
    training_class = get_object_or_404(
        TrainingClass.objects.select_related("course"), pk=pk, course__live=True
    )
    course_url = training_class.course.get_url(request)
    if not request.user.is_authenticated:
        return redirect_to_login(course_url)
    try:
        enrollment = services.enroll_trainee(
            training_class, trainee=request.user, actor=request.user
        )
    except ValidationError as error:
        messages.error(
            request,
            _("报名未成功：%(reason)s") % {"reason": "；".join(error.messages)},
        )
    else:
        if enrollment.status == Enrollment.Status.PENDING:
            messages.success(request, _("报名申请已提交，请等待管理员审核。"))
        else:
            messages.success(request, _("报名成功，现在就可以开始学习了。"))
    return redirect(course_url)


@require_http_methods(["GET", "HEAD", "POST"])
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """The trainee withdraws from one of their own classes: GET asks for
    confirmation and says what is lost (changing nothing), POST withdraws."""
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("courses:dashboard"))
    enrollment = get_own_enrollment(request.user, pk)
    if request.method != "POST":
        return _confirm_withdrawal(request, enrollment)
    try:
        services.withdraw_enrollment(enrollment, actor=request.user)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(
            request,
            _("已退出%(class)s。") % {"class": enrollment.training_class},
        )
    return redirect(_next_url(request) or "courses:dashboard")


def _confirm_withdrawal(request: HttpRequest, enrollment: Enrollment) -> HttpResponse:
    """The confirmation page of a withdrawal; one no longer live goes back to
    我的学习 with the reason."""
    if enrollment.status not in (Enrollment.Status.PENDING, Enrollment.Status.ACTIVE):
        messages.error(request, _("已结业或已退出的报名不能再退出。"))
        return redirect("courses:dashboard")
    back = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = ""
    return render(
        request,
        "courses/enrollment_withdraw.html",
        selectors.withdrawal_context(
            enrollment, request=request, back_url=back or None
        ),
    )


@require_POST
def complete_lesson(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark a lesson as studied, then go on to the next lesson, else back to the
    course. A lesson whose quiz is not passed yet is refused, back at its quiz."""
    lesson, course = get_live_lesson(pk)
    lesson_url = lesson.get_url(request)
    if not request.user.is_authenticated:
        return redirect_to_login(lesson_url)
    enrollment = get_enrollment_for_course(request.user, course)
    try:
        finished = services.complete_lesson(enrollment, lesson, actor=request.user)
    except ValidationError as error:
        _refused(request, error)
        if error.code == "quiz_not_passed":
            return redirect(f"{lesson_url}#quiz")
        return redirect(lesson_url)
    if finished:
        messages.success(request, _completed_message(course))
        return redirect("courses:dashboard")
    messages.success(request, _("已学完《%(lesson)s》。") % {"lesson": lesson.title})
    context = selectors.lesson_context(
        lesson, course=course, enrollment=enrollment, request=request
    )
    if context["next_lesson"] is not None:
        return redirect(context["next_lesson"].url)
    return redirect(course.get_url(request))


@require_POST
def submit_quiz(request: HttpRequest, pk: int) -> HttpResponse:
    """Score one attempt at a lesson's quiz. Unanswered questions show on the form;
    the result shows by the quiz (lesson_page, ?attempt=N), a failure as a failure;
    a refusal (no attempts left, already passed) comes back as a message."""
    lesson, course = get_live_lesson(pk)
    lesson_url = lesson.get_url(request)
    if not request.user.is_authenticated:
        return redirect_to_login(lesson_url)
    enrollment = get_enrollment_for_course(request.user, course)
    quiz = lesson.quiz
    if quiz is None:
        raise Http404
    form = QuizForm(quiz, request.POST, auto_id=QUIZ_FIELD_ID)
    if not form.is_valid():
        return _render_lesson(
            request, lesson, course=course, enrollment=enrollment, quiz_form=form
        )
    try:
        attempt = services.submit_quiz(
            enrollment, lesson, answers=form.answers(), actor=request.user
        )
    except ValidationError as error:
        _refused(request, error)
        return redirect(f"{lesson_url}#quiz")
    was_active = enrollment.status == Enrollment.Status.ACTIVE
    enrollment.refresh_from_db(fields=["status"])
    if was_active and enrollment.status == Enrollment.Status.COMPLETED:
        messages.success(request, _completed_message(course))
    return redirect(f"{lesson_url}?attempt={attempt.number}#quiz-result")
