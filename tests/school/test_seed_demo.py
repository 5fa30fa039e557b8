from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command

from wagtail.models import Site

import pytest

from school import demo, roles
from school.models import OrgUnit, PracticeSite, SchoolPage, User
from tests.factories import UserFactory

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


def test_seed_demo_refuses_under_settings_that_do_not_allow_demo_data(settings):
    settings.GRIDSCHOOL_DEMO_ALLOWED = False
    with pytest.raises(CommandError) as refused:
        call_command("seed_demo", trainees=0)
    assert "生产配置" in str(refused.value)
    assert "production" in str(refused.value)
    assert "--force" in str(refused.value)
    assert not User.objects.exists()


def test_seed_demo_refuses_a_database_that_real_people_use():
    UserFactory(phone="13712345678")
    with pytest.raises(CommandError) as refused:
        call_command("seed_demo", trainees=0)
    assert "13712345678" in str(refused.value)
    assert "真实用户" in str(refused.value)
    assert "real users" in str(refused.value)
    assert not User.objects.filter(is_superuser=True).exists()


def test_a_real_person_with_a_139_number_is_not_taken_for_a_demo_trainee():
    UserFactory(phone=demo.trainee_phone(7), real_name="真实的人")
    with pytest.raises(CommandError):
        call_command("seed_demo", trainees=0)


def test_demo_trainees_alone_do_not_count_as_real_users():
    demo.seed_org_tree()
    demo.seed_trainees(5)
    assert demo.accounts_not_from_demo() == []
    call_command("seed_demo", trainees=5)
    assert demo.is_seeded()


def test_seed_demo_with_force_loads_beside_real_users(settings):
    settings.GRIDSCHOOL_DEMO_ALLOWED = False
    UserFactory(phone="13712345678")
    call_command("seed_demo", trainees=0, force=True)
    assert demo.is_seeded()


def test_seed_demo_runs_again_on_a_demo_database_someone_signed_up_to():
    call_command("seed_demo", trainees=0)
    UserFactory(phone="13712345678")  # tried the sign-up page of the demo
    call_command("seed_demo", trainees=0)
    assert User.objects.filter(is_superuser=True).count() == 1
