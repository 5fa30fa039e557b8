"""The letter of appointment (聘书) a community manager receives when the
promotion takes effect: one A4 landscape page naming the holder (real glyphs for
rare characters), the level, the appointing academy and the term; frozen at
issue; in the appointment number series; revocable, with the verify page saying
so."""

import re
from datetime import timedelta

from django.db import transaction
from django.test import Client
from django.utils import timezone

import pytest
import wagtail_factories

from certificates import services as certificate_services
from certificates.models import Certificate
from certificates.rendering import render_pdf
from school.models import Level, User
from tests.certificates.test_rendering import flat, printed_glyphs, read
from volunteers import promotions
from volunteers.models import Promotion

pytestmark = pytest.mark.django_db

RARE_NAME = "张𠮷䶮"
A4_LANDSCAPE_PT = (841.89, 595.28)


@pytest.fixture
def academy(volunteer_academy):
    volunteer_academy.seal_image = wagtail_factories.ImageFactory(title="学院公章")
    volunteer_academy.save()
    return volunteer_academy


@pytest.fixture
def letter(trainee, school_admin, academy) -> Certificate:
    """张三's letter: approved, the notice run out clear, the hourly job done."""
    User.objects.filter(pk=trainee.pk).update(level=Level.TALENT)
    trainee.refresh_from_db()
    promotion = Promotion.objects.create(
        person=trainee,
        from_level=Level.TALENT,
        to_level=Level.MANAGER,
        status=Promotion.Status.PENDING_REVIEW,
        source=Promotion.Source.APPLICATION,
    )
    with transaction.atomic():
        promotions.approve_promotion(promotion, actor=school_admin)
    promotions.finish_notices(now=timezone.now() + timedelta(days=8))
    promotion.refresh_from_db()
    return promotion.letter


def text_of(pdf: bytes) -> str:
    return flat("".join(page.extract_text() for page in read(pdf).pages))


def test_the_letter_is_one_landscape_page_with_holder_level_academy_and_term(letter):
    pdf = render_pdf(letter)

    reader = read(pdf)
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width), 1), round(float(box.height), 1)) == tuple(
        round(v, 1) for v in A4_LANDSCAPE_PT
    )
    text = text_of(pdf)
    snapshot = letter.snapshot
    for printed in [
        "聘书",
        "张三",
        "社区主理人",
        "测试街道志愿者培训学院",
        flat(snapshot["term_starts_on_label"]),
        flat(snapshot["term_ends_on_label"]),
        letter.number,
    ]:
        assert printed in text, printed


def test_the_letter_numbers_in_the_appointment_series_and_states_its_term(letter):
    year = timezone.localdate().year
    assert letter.kind == Certificate.Kind.APPOINTMENT
    assert re.fullmatch(rf"ZYXY-{year}-PS-000001", letter.number)
    assert letter.title == "聘书"
    assert letter.snapshot["term_years"] == 3
    assert letter.valid_until.isoformat() == letter.snapshot["term_ends_on"]


def test_a_rare_name_prints_with_real_glyphs(trainee, school_admin, academy):
    trainee.real_name = RARE_NAME
    trainee.save(update_fields=["real_name"])
    User.objects.filter(pk=trainee.pk).update(level=Level.TALENT)
    trainee.refresh_from_db()
    promotion = Promotion.objects.create(
        person=trainee,
        from_level=Level.TALENT,
        to_level=Level.MANAGER,
        status=Promotion.Status.PENDING_REVIEW,
        source=Promotion.Source.RECRUITMENT,
    )
    with transaction.atomic():
        promotions.approve_promotion(promotion, actor=school_admin)
    promotions.finish_notices(now=timezone.now() + timedelta(days=8))
    promotion.refresh_from_db()

    pdf = render_pdf(promotion.letter)

    assert RARE_NAME in text_of(pdf)
    glyphs = printed_glyphs(pdf)
    for character in RARE_NAME:
        assert all(has_outline for _, has_outline in glyphs[character]), character


def test_the_letter_is_frozen_at_issue(letter, trainee):
    trainee.real_name = "张三丰"
    trainee.save(update_fields=["real_name"])

    letter.refresh_from_db()
    assert letter.snapshot["holder_name"] == "张三"
    assert "张三丰" not in text_of(render_pdf(letter))


def test_a_revoked_letter_reads_revoked_on_the_verify_page(letter, school_admin):
    certificate_services.revoke_certificate(
        letter, actor=school_admin, reason="本人申请退出"
    )

    page = Client().get(letter.get_absolute_url()).content.decode()

    assert "已撤销" in page
    assert "社区主理人" in page
    assert "本人申请退出" not in page  # the reason is not public


def test_the_verify_page_shows_the_appointment_masked(letter):
    response = Client().get(letter.get_absolute_url())

    page = response.content.decode()
    assert response.status_code == 200
    assert "聘任职务" in page
    assert "聘期" in page
    assert "张三" not in page
