from django.contrib.auth.models import Group
from django.core.management import call_command

from wagtail.models import Site

import pytest

from school import roles
from school.models import OrgUnit, PracticeSite, SchoolPage, User

pytestmark = pytest.mark.django_db


def _snapshot() -> dict:
    return {
        "units": OrgUnit.objects.count(),
        "sites": PracticeSite.objects.count(),
        "users": User.objects.count(),
        "schools": SchoolPage.objects.count(),
        "trainees": Group.objects.get(name=roles.TRAINEE).user_set.count(),
    }


def test_seed_demo_builds_the_schools_real_shape(capsys):
    call_command("seed_demo", trainees=50)
    assert OrgUnit.objects.of_kind(OrgUnit.Kind.DISTRICT).count() == 1
    assert OrgUnit.objects.of_kind(OrgUnit.Kind.STREET).count() >= 2
    assert OrgUnit.objects.of_kind(OrgUnit.Kind.COMMUNITY).count() == 36
    assert OrgUnit.objects.of_kind(OrgUnit.Kind.GRID).count() >= 300
    assert PracticeSite.objects.count() == 21
    grid = SchoolPage.objects.get(kind=SchoolPage.Kind.GRID_SCHOOL)
    academy = SchoolPage.objects.get(kind=SchoolPage.Kind.VOLUNTEER_ACADEMY)
    assert Site.objects.get(is_default_site=True).root_page_id == grid.pk
    assert academy.get_parent().pk == grid.pk
    for role in (roles.SCHOOL_ADMIN, roles.INSTRUCTOR, roles.SITE_HOST):
        assert Group.objects.get(name=role).user_set.exists()
    assert User.objects.filter(phone__startswith="139").count() == 50
    printed = capsys.readouterr().out
    assert "13800000001" in printed and "Gridschool-2026" in printed


def test_seed_demo_twice_leaves_the_same_data():
    call_command("seed_demo", trainees=30)
    first = _snapshot()
    call_command("seed_demo", trainees=30)
    assert _snapshot() == first


def test_demo_accounts_log_in_with_the_printed_password(client):
    call_command("seed_demo", trainees=0)
    response = client.post(
        "/accounts/login/", {"username": "13800000004", "password": "Gridschool-2026"}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(
        User.objects.get(phone="13800000004").pk
    )
