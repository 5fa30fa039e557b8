"""Tags for the learning pages. The ones drawn once per course card or per
enrolment are built in Python rather than from included templates: fifty of them
then cost about as much as one template include."""

import html
from urllib.parse import quote

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.text import Truncator
from django.utils.translation import gettext as _

register = template.Library()


def format_html(format_string: str, *args) -> SafeString:
    """django.utils.html.format_html, escaping as its conditional_escape does but
    without checking every argument for lazy strings first: a third of the cost,
    for tags drawn up to fifty times a page. Measured (tests/bench/test_courses.py):
    with Django's, 我的学习 of fifty enrolments takes ~53 × the bare view, not ~35."""
    return SafeString(format_string.format(*map(_escape, args)))


def _escape(value) -> str:
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def _words(context, key, make):
    # Translated once per page, not once per card.
    words = context.render_context.get(key)
    if words is None:
        words = context.render_context[key] = make()
    return words


def _progress_words():
    return _("《%(label)s》学习进度"), _("学习进度"), _("已完成 %(percent)s%%")


@register.simple_tag(takes_context=True)
def progress_bar(context, percent: int, label: str = "") -> SafeString:
    """An accessible progress bar: its role, value, text and what it measures."""
    named, unnamed, done = _words(context, progress_bar, _progress_words)
    return format_html(
        '<div class="progress"><div class="progress__track" role="progressbar" '
        'aria-valuemin="0" aria-valuemax="100" aria-valuenow="{}" '
        'aria-valuetext="{}" aria-label="{}">'
        # An SVG's width attribute rather than style="width: …": the
        # Content-Security-Policy allows no inline styles on the front end.
        '<svg class="progress__bar" viewBox="0 0 100 1" preserveAspectRatio="none" '
        'aria-hidden="true" focusable="false"><rect width="{}" height="1"/></svg>'
        "</div>"
        '<span class="progress__text" aria-hidden="true">{}%</span></div>',
        percent,
        done % {"percent": percent},
        named % {"label": label} if label else unnamed,
        percent,
        percent,
    )


def _card_words():
    # The withdrawal URL is reversed once, with a slot for each card's enrolment.
    withdraw_url = reverse("courses:withdraw", args=[0]).replace("/0/", "/{}/")
    return (
        _("线上"),
        _("报名申请正在审核中。"),
        _("继续学习"),
        _("开始学习"),
        _("退出该班"),
        withdraw_url + "?next=" + quote(reverse("courses:dashboard")),
        _("实践场次预约"),
    )


@register.simple_tag(takes_context=True)
def learning_card(context, row) -> SafeString:
    """One enrolment on 我的学习 (a selectors.LearningRow): course, class, status,
    progress and the lesson to resume."""
    online, pending, resume, start, withdraw, withdraw_url, sessions = _words(
        context, learning_card, _card_words
    )
    if row.course_url:
        title = format_html('<a href="{}">{}</a>', row.course_url, row.course_title)
    else:
        title = row.course_title
    if row.status == "pending":
        progress = format_html('<p class="card__meta">{}</p>', pending)
    else:
        progress = progress_bar(context, row.progress.percent, row.course_title)
        if row.attendance_note:
            progress += format_html(
                '<p class="card__meta progress-note">{}</p>', row.attendance_note
            )
    next_lesson = row.progress.next_lesson
    if row.completed_label:
        action = format_html('<p class="card__meta">{}</p>', row.completed_label)
    elif row.starts_notice:
        action = format_html('<p class="notice class-starts">{}</p>', row.starts_notice)
    elif next_lesson is not None:
        action = format_html(
            '<a class="button button--small" href="{}">{}：{}</a>',
            next_lesson.url,
            resume if row.progress.done_ids else start,
            next_lesson.title,
        )
    else:
        action = SafeString("")
    if row.sessions_url:
        action += format_html(
            ' <a class="button button--ghost button--small" href="{}">{}'
            '<span class="visually-hidden">：{}</span></a>',
            row.sessions_url,
            sessions,
            row.course_title,
        )
    if row.status in ("active", "pending"):
        # To a page that says what is lost and asks to confirm.
        action += format_html(
            ' <a class="button button--ghost button--small" href="{}">{}'
            '<span class="visually-hidden">：{}</span></a>',
            withdraw_url.format(row.enrollment_id),
            withdraw,
            row.course_title,
        )
    return format_html(
        '<li class="card learning-card"><div class="learning-card__head">'
        '<h3 class="card__title">{}</h3>'
        '<span class="status status--{}">{}</span></div>'
        '<p class="card__meta">{} · {} · {}</p>{}{}</li>',
        title,
        row.status,
        row.status_label,
        row.class_label,
        row.dates_label,
        row.site_name or online,
        progress,
        action,
    )


def _quiz_words():
    return _("（多选）"), _("（单选）")


@register.simple_tag(takes_context=True)
def quiz_question(context, field, number: int) -> SafeString:
    """One question of a lesson's quiz form (a bound field of courses.forms.QuizForm):
    its choices as check boxes or radio buttons, those chosen checked, and its
    errors. Drawn from the field's choices rather than through its widget, which
    builds a context per choice."""
    multiple, single = _words(context, quiz_question, _quiz_words)
    kind = "checkbox" if field.field.multiple else "radio"
    value = field.value()
    chosen = {
        str(item)
        for item in (value if isinstance(value, (list, tuple)) else [value])
        if item is not None
    }
    choices = SafeString(
        "".join(
            format_html(
                '<label class="quiz-choice" for="{}_{}"><input type="{}" name="{}" '
                'value="{}" id="{}_{}"{}> <span>{}</span></label>',
                field.auto_id,
                index,
                kind,
                field.html_name,
                choice,
                field.auto_id,
                index,
                " checked" if str(choice) in chosen else "",
                label,
            )
            for index, (choice, label) in enumerate(field.field.choices)
        )
    )
    error_id = f"{field.auto_id}-error"
    errors = SafeString(
        "".join(
            format_html('<p class="error" id="{}">{}</p>', error_id, error)
            for error in field.errors
        )
    )
    return format_html(
        '<fieldset class="quiz-question{}"{}><legend>{}. {} '
        '<span class="quiz-question__kind">{}</span></legend>{}{}</fieldset>',
        " quiz-question--error" if errors else "",
        format_html(' aria-describedby="{}"', error_id) if errors else "",
        number,
        field.label,
        multiple if field.field.multiple else single,
        choices,
        errors,
    )


SUMMARY_LENGTH = 90


def _course_card_words():
    return _("精品课程"), _("可报名"), _("先修课程："), reverse("accounts:login")


@register.simple_tag(takes_context=True)
def course_card(context, card) -> SafeString:
    """One course in the catalogue (a selectors.CourseCard): cover, tier, title,
    summary, hours, prerequisites, class, and whether this person may enrol or
    why not."""
    featured, open_, required, login_url = _words(
        context, course_card, _course_card_words
    )
    course, verdict, cover = card.course, card.verdict, card.cover
    summary = course.summary
    if len(summary) > SUMMARY_LENGTH:
        summary = Truncator(summary).chars(SUMMARY_LENGTH)
    cover_html = tag = prerequisites = training_class = ""
    if cover:
        cover_html = format_html(
            '<img class="course-card__cover" src="{}" width="{}" height="{}" '
            'alt="" loading="lazy">',
            cover.url,
            cover.width,
            cover.height,
        )
    if course.is_featured:
        tag = format_html(' <span class="tag tag--featured">{}</span>', featured)
    if card.prerequisites:
        prerequisites = format_html(
            '<p class="card__meta">{}{}</p>', required, card.prerequisites_label
        )
    if verdict.training_class:
        training_class = format_html('<p class="card__meta">{}</p>', card.class_label)
    if verdict.may_enrol:
        eligibility = format_html('<span aria-hidden="true">✓ </span>{}', open_)
    elif verdict.state == "login":
        eligibility = format_html(
            '<a href="{}?next={}">{}</a>',
            login_url,
            quote(course.url or ""),
            verdict.reason,
        )
    else:
        eligibility = verdict.reason
    return format_html(
        '<li class="card course-card{}">{}'
        '<p class="course-card__tags"><span class="tag tag--{}">{}</span>{}</p>'
        '<h3 class="card__title"><a href="{}">{}</a></h3>'
        '<p class="course-card__summary">{}</p>'
        '<p class="card__meta">{}</p>{}{}'
        '<p class="eligibility eligibility--{}">{}</p></li>',
        " course-card--featured" if course.is_featured else "",
        cover_html,
        course.tier,
        card.tier_label,
        tag,
        course.url,
        course.title,
        summary,
        card.meta_label,
        prerequisites,
        training_class,
        verdict.state,
        eligibility,
    )
