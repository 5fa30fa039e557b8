"""seed_demo's certificates: a seal for each school, a template for each school,
and certificates for the demo trainees who completed a course. Idempotent."""

import io
import math
import shutil
import subprocess
from typing import Any

from django.core.files.images import ImageFile
from django.db import transaction

from wagtail.images import get_image_model

from PIL import Image, ImageDraw, ImageFont

from certificates import badges, services
from certificates.models import Certificate, CertificateTemplate, Layout
from courses.models import Enrollment
from school.models import SchoolPage

SEAL_SIZE = 480
SEAL_RED = (200, 30, 35, 235)
TEMPLATES = {
    SchoolPage.Kind.GRID_SCHOOL: {
        "name": "网格学校结业证书",
        "layout": Layout.CLASSIC,
        "validity_months": None,
        "footer_note": "本证书可扫描二维码或登录网格学校网站核验真伪。",
        "signatory_title": "校长",
    },
    SchoolPage.Kind.VOLUNTEER_ACADEMY: {
        "name": "志愿者培训学院结业证书（两年有效）",
        "layout": Layout.MODERN,
        "validity_months": 24,
        "footer_note": "证书有效期两年，到期前参加复训可继续持证。",
        "signatory_title": "院长",
    },
}


def seed(options: dict[str, Any]) -> str:
    templates = [seed_school(school) for school in SchoolPage.objects.order_by("path")]
    issued = seed_certificates()
    return f"证书模板 {len(templates)} 个，新签发证书 {issued} 张"


def _cjk_font(size: int):
    """A bold CJK font for the seal's lettering, if fontconfig knows one."""
    fc_match = shutil.which("fc-match")
    if fc_match:
        found = subprocess.run(  # noqa: S603 - fixed arguments, no shell
            [fc_match, "-f", "%{file}", "Noto Sans CJK SC:bold"],
            capture_output=True,
            text=True,
            timeout=20,
        ).stdout
        if found:
            try:
                return ImageFont.truetype(found, size)
            except OSError:
                pass
    return None


def seal_png(name: str) -> bytes:
    """A round red seal: a double ring, a star and the school's name."""
    image = Image.new("RGBA", (SEAL_SIZE, SEAL_SIZE), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    margin = 12
    draw.ellipse(
        (margin, margin, SEAL_SIZE - margin, SEAL_SIZE - margin),
        outline=SEAL_RED,
        width=16,
    )
    draw.ellipse((44, 44, SEAL_SIZE - 44, SEAL_SIZE - 44), outline=SEAL_RED, width=4)
    centre, outer, inner = SEAL_SIZE / 2, 70, 28
    points = []
    for index in range(10):
        radius = outer if index % 2 == 0 else inner
        angle = math.pi / 2 + index * math.pi / 5
        points.append(
            (centre + radius * math.cos(angle), centre - 20 - radius * math.sin(angle))
        )
    draw.polygon(points, fill=SEAL_RED)
    font = _cjk_font(44)
    if font is not None:
        lettering = name if len(name) <= 8 else name[-8:]
        width = draw.textlength(lettering, font=font)
        draw.text(
            (centre - width / 2, centre + 80), lettering, font=font, fill=SEAL_RED
        )
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


@transaction.atomic
def seed_school(school: SchoolPage) -> CertificateTemplate:
    badges.ensure_signing_key(school)
    if school.seal_image is None:
        school.seal_image = get_image_model().objects.create(
            title=f"{school.title}公章",
            file=ImageFile(
                io.BytesIO(seal_png(school.display_name or school.title)),
                name=f"seal-{school.certificate_prefix.lower()}.png",
            ),
        )
        school.save_revision().publish()
    spec = TEMPLATES[school.kind]
    template = CertificateTemplate.objects.filter(
        school=school, name=spec["name"]
    ).first()
    if template is None:
        template = CertificateTemplate.objects.create(
            school=school,
            name=spec["name"],
            layout=spec["layout"],
            validity_months=spec["validity_months"],
            footer_note=spec["footer_note"],
            signatories=[
                {
                    "type": "signatory",
                    "value": {
                        "name": school.principal_name,
                        "title": spec["signatory_title"],
                        "seal": None,
                    },
                }
            ],
        )
        template.save_revision(log_action=True)
    return template


def seed_certificates() -> int:
    """Every completed demo enrolment gets its certificate (rendered when first
    downloaded, or by the worker)."""
    before = Certificate.objects.count()
    completed = (
        Enrollment.objects.filter(status=Enrollment.Status.COMPLETED)
        .exclude(certificates__isnull=False)
        .select_related("training_class__course")
        .order_by("completed_at", "pk")
    )
    for enrollment in completed:
        services.issue_on_completion(enrollment.pk, deliver=False)
    return Certificate.objects.count() - before
