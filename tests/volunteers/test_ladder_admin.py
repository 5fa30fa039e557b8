"""The ladder's admin pages: the level review queue (keep or demote), retiring
and demoting a person — administrators only (a 404 for anyone else, nothing
changed by a GET) — and a level that the user admin shows but never edits."""

from django.urls import reverse

import pytest

from certificates import services as certificate_services
from courses.models import Tier
from school.models import Level
from tests.certificates.factories import completed_enrollment
from tests.courses.factories import CoursePageFactory, TrainingClassFactory
from tests.factories import UserFactory
from volunteers import ladder
from volunteers.models import LevelEvent, LevelReview


@pytest.fixture
def flagged(trainee, course_index, certificate_template, school_admin):
    """The trainee became a volunteer on a basic certificate, since revoked:
    their level waits for review."""
    course = CoursePageFactory(parent=course_index, tier=Tier.BASIC)
    enrollment = completed_enrollment(TrainingClassFactory(course=course), trainee)
    basis = certificate_services.issue_certificate(
        enrollment, template=certificate_template, deliver=False
    )
    ladder.evaluate_person(trainee)
    certificate_services.revoke_certificate(basis, actor=school_admin, reason="错发")
    trainee.refresh_from_db()
    return ladder.flag_level_for(basis.pk)


def test_an_administrator_sees_the_review_queue(client, school_admin, flagged):
    client.force_login(school_admin)

    page = client.get(reverse("level_admin:reviews"))

    assert page.status_code == 200
    content = page.content.decode()
    assert "张三" in content
    assert reverse("level_admin:resolve", args=[flagged.pk]) in content


@pytest.mark.parametrize("name", ["reviews", "people"])
def test_the_ladder_pages_are_a_404_to_anyone_but_administrators(
    client, trainee, coordinator, name
):
    for someone in (trainee, coordinator):
        client.force_login(someone)
        assert client.get(reverse(f"level_admin:{name}")).status_code in (302, 404)


def test_an_administrator_keeps_a_flagged_level_by_post(
    client, school_admin, flagged, trainee
):
    client.force_login(school_admin)
    url = reverse("level_admin:resolve", args=[flagged.pk])

    assert client.get(url).status_code == 405
    response = client.post(url, {"action": "keep", "note": "已核实"})

    assert response.status_code == 302
    flagged.refresh_from_db()
    assert flagged.resolved_by == school_admin
    trainee.refresh_from_db()
    assert trainee.level == Level.VOLUNTEER


def test_demoting_from_a_review_needs_a_reason(client, school_admin, flagged, trainee):
    client.force_login(school_admin)
    url = reverse("level_admin:resolve", args=[flagged.pk])

    client.post(url, {"action": "demote", "to_level": Level.RESIDENT, "note": ""})
    trainee.refresh_from_db()
    assert trainee.level == Level.VOLUNTEER

    client.post(
        url, {"action": "demote", "to_level": Level.RESIDENT, "note": "证书撤销"}
    )
    trainee.refresh_from_db()
    assert trainee.level == Level.RESIDENT
    assert not LevelReview.objects.filter(resolved_at__isnull=True).exists()


def test_a_coordinator_posting_to_the_ladder_gets_a_404_and_changes_nothing(
    client, coordinator, flagged, trainee
):
    client.force_login(coordinator)

    posts = [
        (reverse("level_admin:resolve", args=[flagged.pk]), {"action": "keep"}),
        (reverse("level_admin:retire", args=[trainee.pk]), {"reason": "x"}),
        (
            reverse("level_admin:demote", args=[trainee.pk]),
            {"to_level": Level.RESIDENT, "reason": "x"},
        ),
    ]
    for url, data in posts:
        # Without admin access the admin sends them to log in; with it, a 404.
        assert client.post(url, data).status_code in (302, 404)
    trainee.refresh_from_db()
    assert trainee.level == Level.VOLUNTEER
    flagged.refresh_from_db()
    assert flagged.resolved_at is None


def test_an_administrator_retires_a_person_with_a_reason(
    client, school_admin, flagged, trainee
):
    client.force_login(school_admin)
    page = client.get(reverse("level_admin:person", args=[trainee.pk]))
    assert page.status_code == 200
    url = reverse("level_admin:retire", args=[trainee.pk])

    client.post(url, {"reason": ""})
    trainee.refresh_from_db()
    assert trainee.level == Level.VOLUNTEER

    response = client.post(url, {"reason": "搬离社区"})

    assert response.status_code == 302
    trainee.refresh_from_db()
    assert trainee.level == Level.RESIDENT
    assert LevelEvent.objects.filter(
        person=trainee, kind=LevelEvent.Kind.RETIRED, actor=school_admin
    ).exists()


def test_an_administrator_demotes_a_talent_to_volunteer(client, school_admin):
    person = UserFactory(level=Level.TALENT)
    client.force_login(school_admin)

    client.post(
        reverse("level_admin:demote", args=[person.pk]),
        {"to_level": Level.VOLUNTEER, "reason": "长期未参加服务"},
    )

    person.refresh_from_db()
    assert person.level == Level.VOLUNTEER


def test_an_administrator_cannot_change_their_own_level(client, school_admin):
    from school.models import User

    User.objects.filter(pk=school_admin.pk).update(level=Level.TALENT)
    client.force_login(school_admin)

    client.post(
        reverse("level_admin:retire", args=[school_admin.pk]), {"reason": "试试"}
    )

    school_admin.refresh_from_db()
    assert school_admin.level == Level.TALENT


def test_the_user_admin_shows_the_level_but_does_not_change_it(client, trainee, grid):
    superuser = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(superuser)
    url = reverse("wagtailusers_users:edit", args=[trainee.pk])

    page = client.get(url)
    assert page.status_code == 200
    assert page.context["form"].fields["level"].disabled

    client.post(
        url,
        {
            "phone": trainee.phone,
            "real_name": trainee.real_name,
            "email": "",
            "org_unit": grid.pk,
            "level": Level.MANAGER,
            "password1": "",
            "password2": "",
            "is_active": "on",
        },
    )
    trainee.refresh_from_db()
    assert trainee.level == Level.RESIDENT
