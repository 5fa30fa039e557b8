"""Tags for the learning pages. The two drawn once per enrolment on 我的学习 are
built in Python rather than from included templates: fifty of them then cost
about as much as one template include."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

register = template.Library()


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
        'aria-valuetext="{}" aria-label="{}"><div class="progress__bar" '
        'style="width: {}%"></div></div>'
        '<span class="progress__text" aria-hidden="true">{}%</span></div>',
        percent,
        done % {"percent": percent},
        named % {"label": label} if label else unnamed,
        percent,
        percent,
    )


def _card_words():
    return _("线上"), _("报名申请正在审核中。"), _("继续学习"), _("开始学习")


@register.simple_tag(takes_context=True)
def learning_card(context, row) -> SafeString:
    """One enrolment on 我的学习 (a selectors.LearningRow): course, class, status,
    progress and the lesson to resume."""
    online, pending, resume, start = _words(context, learning_card, _card_words)
    if row.course_url:
        title = format_html('<a href="{}">{}</a>', row.course_url, row.course_title)
    else:
        title = row.course_title
    if row.status == "pending":
        progress = format_html('<p class="card__meta">{}</p>', pending)
    else:
        progress = progress_bar(context, row.progress.percent, row.course_title)
    next_lesson = row.progress.next_lesson
    if row.completed_label:
        action = format_html('<p class="card__meta">{}</p>', row.completed_label)
    elif next_lesson is not None:
        action = format_html(
            '<a class="button button--small" href="{}">{}：{}</a>',
            next_lesson.url,
            resume if row.progress.done_ids else start,
            next_lesson.title,
        )
    else:
        action = ""
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
