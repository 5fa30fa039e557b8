"""The institution's models: people, levels, the org tree, practice sites, roles."""

from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction

import pytest

from school import roles
from school.models import Level, OrgUnit, PracticeSite, User
from tests.factories import PracticeSiteFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_user_reads_as_name_and_masked_phone(grid):
    user = UserFactory(phone="13800138000", real_name="张三", org_unit=grid)

    assert str(user) == "张三（138****8000）"
    assert user.masked_phone == "138****8000"
    assert user.get_full_name() == "张三"
    assert user.get_short_name() == "张三"


def test_a_new_user_starts_at_resident_level(grid):
    user = User.objects.create_user(
        "13800138000", "Sturdy-Lantern-77", real_name="张三", org_unit=grid
    )

    assert user.level == Level.RESIDENT
    assert not user.is_staff
    assert not user.is_superuser
    assert user.check_password("Sturdy-Lantern-77")


def test_a_superuser_gets_a_default_name_and_admin_flags(db):
    user = User.objects.create_superuser("13800138000", "Sturdy-Lantern-77")

    assert user.is_superuser
    assert user.is_staff
    assert user.real_name == "系统管理员"


def test_a_user_needs_a_phone_number(db):
    with pytest.raises(ValueError, match="phone"):
        User.objects.create_user("", "Sturdy-Lantern-77", real_name="张三")


def test_a_phone_number_belongs_to_one_user_only(trainee):
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(phone=trainee.phone)


def test_levels_are_ordered_from_resident_to_community_manager():
    assert list(Level.labels) == ["居民", "志愿者", "社区能人", "社区主理人"]
    ranks = [Level.rank(level) for level in Level.values]
    assert ranks == [0, 1, 2, 3]
    assert Level.rank(Level.RESIDENT) < Level.rank(Level.VOLUNTEER)
    assert Level.rank(Level.TALENT) < Level.rank(Level.MANAGER)


def test_an_org_units_full_name_runs_from_the_street_down(org_units):
    community, grid = org_units
    street = community.get_parent()
    district = street.get_parent()

    assert grid.full_name == "测试街道 › 桃园社区 › 第1网格"
    assert community.full_name == "测试街道 › 桃园社区"
    assert street.full_name == "测试街道"
    assert district.full_name == "测试区"
    assert str(grid) == "第1网格"


def test_people_can_be_placed_in_communities_and_grids_only(org_units):
    community, grid = org_units

    assert list(OrgUnit.objects.placeable()) == [community, grid]


def test_the_org_tree_links_each_kind_to_the_kind_below():
    assert OrgUnit.CHILD_KIND == {
        OrgUnit.Kind.DISTRICT: OrgUnit.Kind.STREET,
        OrgUnit.Kind.STREET: OrgUnit.Kind.COMMUNITY,
        OrgUnit.Kind.COMMUNITY: OrgUnit.Kind.GRID,
    }


def test_a_practice_site_with_no_seats_is_refused_by_the_database(community):
    with pytest.raises(IntegrityError), transaction.atomic():
        PracticeSiteFactory(org_unit=community, capacity=0)

    assert not PracticeSite.objects.exists()


def test_a_practice_site_with_one_seat_is_fine(community):
    site = PracticeSiteFactory(name="小教室", org_unit=community, capacity=1)

    assert str(site) == "小教室"
    assert list(PracticeSite.objects.active()) == [site]


def test_practice_sites_are_found_by_their_hosts(practice_site, site_host, trainee):
    assert list(PracticeSite.objects.hosted_by(site_host)) == [practice_site]
    assert not PracticeSite.objects.hosted_by(trainee).exists()


def permissions_of(role: str) -> set[str]:
    group = Group.objects.get(name=role)
    return {
        f"{app_label}.{codename}"
        for app_label, codename in group.permissions.values_list(
            "content_type__app_label", "codename"
        )
    }


def test_the_roles_migrations_created_every_group(db):
    names = set(Group.objects.values_list("name", flat=True))
    every_role = {
        "学员",
        "讲师",
        "教学点负责人",
        "管理员",
        "志愿服务协调员",
        "爱心商户",
    }

    assert every_role <= names
    assert set(roles.ROLE_LABELS) == every_role


def test_a_trainee_has_no_permissions(db):
    assert permissions_of(roles.TRAINEE) == set()


def test_an_administrator_manages_people_units_and_sites(db):
    permissions = permissions_of(roles.SCHOOL_ADMIN)

    assert {
        "wagtailadmin.access_admin",
        "school.add_user",
        "school.change_user",
        "school.add_orgunit",
        "school.change_orgunit",
        "school.add_practicesite",
        "school.change_practicesite",
        "school.view_traineeimport",
    } <= permissions
    # Deleting people would delete their certificates' history: nobody below a
    # superuser may.
    assert "school.delete_user" not in permissions


def test_an_instructor_enters_the_admin_but_cannot_change_sites_or_people(db):
    permissions = permissions_of(roles.INSTRUCTOR)

    assert {"wagtailadmin.access_admin", "school.view_practicesite"} <= permissions
    assert permissions.isdisjoint(
        {
            "school.add_practicesite",
            "school.change_practicesite",
            "school.add_user",
            "school.change_user",
        }
    )


def test_a_site_host_enters_the_admin_sees_sites_and_runs_their_sessions(db):
    # Which sessions and bookings: those at the sites they host (the admin's
    # permission policies narrow these model permissions).
    assert permissions_of(roles.SITE_HOST) == {
        "wagtailadmin.access_admin",
        "school.view_practicesite",
        "courses.add_classsession",
        "courses.change_classsession",
        "courses.view_classsession",
        "courses.add_booking",
        "courses.change_booking",
        "courses.view_booking",
    }


def test_role_permissions_reach_the_user(trainee, instructor, school_admin):
    assert not trainee.has_perm("wagtailadmin.access_admin")
    assert instructor.has_perm("wagtailadmin.access_admin")
    assert not instructor.has_perm("school.add_practicesite")
    assert school_admin.has_perm("school.add_user")
    assert school_admin.has_perm("school.add_practicesite")
