"""What a certificate prints, frozen at issue.

The snapshot is plain JSON. Everything the PDF and the verification page show comes
from it, never from the live course, template or user, so later edits change
nothing already issued. Later additions (attended hours from the attendance
records, say) are new optional keys: a certificate without them prints as before.
"""

import calendar
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import Storage, default_storage, storages
from django.utils import timezone, translation

from certificates.models import CertificateTemplate
from courses.models import Enrollment
from school.models import SchoolPage

SNAPSHOT_VERSION = 1
PRINT_LANGUAGE = "zh-hans"


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the last day of a shorter month."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def valid_until_for(template: CertificateTemplate, issued_on: date) -> date | None:
    if not template.validity_months:
        return None
    return add_months(issued_on, template.validity_months)


def date_label(day: date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def hours_label(hours: Decimal) -> str:
    return f"{hours.normalize():f}"


# Images printed on issued certificates are copied here (in the private storage),
# named by their content: replacing or deleting the original later changes nothing.
FROZEN_IMAGES = "certificate-images/"


def frozen_image(image) -> str | None:
    """The name of a content-named copy of `image` in the private storage, made
    on first use (a school's seal is copied once, not once per certificate)."""
    if image is None:
        return None
    storage = storages["private"]
    name = f"{FROZEN_IMAGES}{image.get_file_hash()}{Path(image.file.name).suffix}"
    if not storage.exists(name):
        with image.open_file() as original:
            original.seek(0)
            name = storage.save(name, ContentFile(original.read()))
    return name


def image_storage(name: str) -> Storage:
    """Where an image a snapshot names is read from: frozen copies in the private
    storage; the live image in the default storage for a template's preview."""
    return storages["private"] if name.startswith(FROZEN_IMAGES) else default_storage


def _image_name(image, *, frozen: bool) -> str | None:
    if image is None:
        return None
    return frozen_image(image) if frozen else image.file.name


def _signatories(
    template: CertificateTemplate, school: SchoolPage | None, *, frozen: bool
) -> list[dict]:
    signatories = [
        {
            "name": block.value["name"],
            "title": block.value["title"],
            "seal": _image_name(block.value.get("seal"), frozen=frozen),
        }
        for block in template.signatories
    ]
    if not signatories and school is not None and school.principal_name:
        signatories = [{"name": school.principal_name, "title": "校长", "seal": None}]
    return signatories


def study_period(
    *, class_starts_on: date, enrolled_on: date, completed_on: date, issued_on: date
) -> tuple[date, date]:
    """The period a certificate prints: from the class's start, or the enrolment
    if later, to the completion, never after the certificate's own date. A start
    after that end (a completion marked by hand before the class began) collapses
    to the end: one day."""
    ends_on = min(completed_on, issued_on)
    starts_on = min(max(class_starts_on, enrolled_on), ends_on)
    return starts_on, ends_on


def build_snapshot(
    enrollment: Enrollment,
    template: CertificateTemplate,
    *,
    school: SchoolPage,
    number: str,
    issued_on: date,
    valid_until: date | None,
) -> dict:
    """What a new certificate prints, from the enrolment as it is now. The study
    period is the one the trainee actually studied (study_period)."""
    training_class = enrollment.training_class
    course = training_class.course
    completed_on = (
        timezone.localdate(enrollment.completed_at)
        if enrollment.completed_at
        else issued_on
    )
    starts_on, ends_on = study_period(
        class_starts_on=training_class.starts_on,
        enrolled_on=timezone.localdate(enrollment.created_at),
        completed_on=completed_on,
        issued_on=issued_on,
    )
    with translation.override(PRINT_LANGUAGE):
        values = {
            "holder_name": enrollment.trainee.real_name,
            "course_title": course.title,
            "tier": course.tier,
            "tier_label": str(course.get_tier_display()),
            "class_number": training_class.number,
            "class_label": f"第 {training_class.number} 期",
            "class_level": training_class.level,
            "class_level_label": str(training_class.get_level_display()),
            "study_hours": hours_label(course.study_hours),
            "starts_on": starts_on.isoformat(),
            "starts_on_label": date_label(starts_on),
            "ends_on": ends_on.isoformat(),
            "ends_on_label": date_label(ends_on),
            "completed_on": completed_on.isoformat(),
            "school_name": school.display_name or school.title,
        }
    return {
        "version": SNAPSHOT_VERSION,
        **values,
        **printed_by_template(
            template,
            school=school,
            values=values,
            number=number,
            issued_on=issued_on,
            valid_until=valid_until,
        ),
        "template_id": template.pk,
        "template_revision_id": template.latest_revision_id,
    }


def printed_by_template(
    template: CertificateTemplate,
    *,
    school: SchoolPage | None,
    values: dict,
    number: str,
    issued_on: date,
    valid_until: date | None,
    frozen: bool = True,
) -> dict:
    """The part of a snapshot the template and the school decide: texts, images,
    signatories, number and dates. `values` are the trainee's and the course's.
    Images are frozen copies, except in a preview (`frozen=False`)."""
    return {
        "number": number,
        "issued_on": issued_on.isoformat(),
        "issued_on_label": date_label(issued_on),
        "valid_until": valid_until.isoformat() if valid_until else None,
        "valid_until_label": date_label(valid_until),
        "layout": str(template.layout),
        "heading": template.heading,
        "body": template.fill_body(values),
        "footer_note": template.footer_note,
        "background": _image_name(template.background_image, frozen=frozen),
        "seal": _image_name(school.seal_image, frozen=frozen) if school else None,
        "signatories": _signatories(template, school, frozen=frozen),
    }


def document_snapshot(
    content: dict,
    *,
    kind: str,
    school: SchoolPage,
    number: str,
    issued_on: date,
    valid_until: date | None,
) -> dict:
    """The snapshot of a document of another kind than a completion: the content
    its app built (holder_name, heading, what it attests), with what the issuing
    school decides added: its name, its frozen seal, the number and the dates.
    The layout is the kind's own (templates/certificates/pdf/<kind>.html) unless
    the content names one."""
    return {
        "version": SNAPSHOT_VERSION,
        "layout": kind,
        "school_name": school.display_name or school.title,
        "seal": frozen_image(school.seal_image),
        "signatories": [],
        **content,
        "kind": kind,
        "number": number,
        "issued_on": issued_on.isoformat(),
        "issued_on_label": date_label(issued_on),
        "valid_until": valid_until.isoformat() if valid_until else None,
        "valid_until_label": date_label(valid_until),
    }
