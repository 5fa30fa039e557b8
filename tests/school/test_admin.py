"""The Wagtail admin, once per role: what each may open, create and change."""

import json

from django.contrib.auth.models import Group
from django.urls import reverse

import pytest

from school import roles
from school.models import Level, OrgUnit, PracticeSite, User
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Sturdy-Lantern-77"
ADMIN_HOME = "/admin/"


@pytest.fixture
def superuser(grid):
    return User.objects.create_superuser(
        "13500000001", TEST_PASSWORD, real_name="超级管理员", org_unit=grid
    )


def site_data(org_unit, **overrides) -> dict:
    data = {
        "name": "桃园社区新时代文明实践站",
        "address": "桃园路 8 号",
        "org_unit": org_unit.pk,
        "capacity": 40,
        "opening_notes": "周一至周五 9:00–17:00",
        "is_active": "on",
    }
    data.update(overrides)
    return data


def unit_data(parent, **overrides) -> dict:
    data = {"name": "第2网格", "kind": OrgUnit.Kind.GRID, "code": "TY-G2"}
    if parent is not None:
        data["parent"] = parent.pk
    data.update(overrides)
    return data


def user_data(org_unit, **overrides) -> dict:
    data = {
        "phone": "13900139000",
        "real_name": "钱七",
        "email": "",
        "org_unit": org_unit.pk,
        "level": Level.VOLUNTEER,
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        "groups": [Group.objects.get(name=roles.TRAINEE).pk],
    }
    data.update(overrides)
    return data


def form_errors(response) -> dict:
    return response.context["form"].errors


# School administrator


def test_school_admin_opens_the_admin_and_sees_the_school_menu(client, school_admin):
    client.force_login(school_admin)

    response = client.get(ADMIN_HOME)

    assert response.status_code == 200
    # The sidebar menu is JSON inside the page.
    content = response.content.decode()
    assert json.dumps("组织架构")[1:-1] in content
    assert json.dumps("现场实践教学点")[1:-1] in content


def test_school_admin_lists_practice_sites(client, school_admin, practice_site):
    client.force_login(school_admin)

    response = client.get(reverse("practicesite:index"))

    assert response.status_code == 200
    assert "桃园社区党群服务中心" in response.content.decode()


def test_school_admin_creates_a_practice_site_with_hosts(
    client, school_admin, site_host, community
):
    client.force_login(school_admin)

    response = client.post(
        reverse("practicesite:add"), site_data(community, hosts=[site_host.pk])
    )

    assert response.status_code == 302
    site = PracticeSite.objects.get(name="桃园社区新时代文明实践站")
    assert site.org_unit == community
    assert site.capacity == 40
    assert list(site.hosts.all()) == [site_host]


def test_practice_site_hosts_are_chosen_among_hosts_and_administrators(
    client, school_admin, site_host, trainee, instructor
):
    client.force_login(school_admin)

    response = client.get(reverse("practicesite:add"))

    hosts = set(response.context["form"].fields["hosts"].queryset)
    assert hosts == {site_host, school_admin}


def test_a_practice_site_without_seats_is_a_form_error(client, school_admin, community):
    client.force_login(school_admin)

    response = client.post(
        reverse("practicesite:add"), site_data(community, capacity=0)
    )

    assert response.status_code == 200
    assert "座位数至少为 1。" in " ".join(form_errors(response)["capacity"])
    assert not PracticeSite.objects.exists()


def test_school_admin_edits_a_practice_site(client, school_admin, practice_site):
    client.force_login(school_admin)

    response = client.post(
        reverse("practicesite:edit", args=[practice_site.pk]),
        site_data(
            practice_site.org_unit,
            name=practice_site.name,
            capacity=12,
            hosts=[h.pk for h in practice_site.hosts.all()],
        ),
    )

    assert response.status_code == 302
    practice_site.refresh_from_db()
    assert practice_site.capacity == 12
    assert practice_site.address == "桃园路 8 号"


def test_school_admin_adds_a_grid_under_a_community(client, school_admin, community):
    client.force_login(school_admin)

    response = client.post(reverse("orgunit:add"), unit_data(community))

    assert response.status_code == 302
    unit = OrgUnit.objects.get(code="TY-G2")
    assert unit.get_parent() == community
    assert unit.full_name == "测试街道 › 桃园社区 › 第2网格"


def test_school_admin_adds_a_new_district_at_the_top(client, school_admin, org_units):
    client.force_login(school_admin)

    response = client.post(
        reverse("orgunit:add"),
        unit_data(None, name="新区", kind=OrgUnit.Kind.DISTRICT, code="XQ"),
    )

    assert response.status_code == 302
    assert OrgUnit.objects.get(code="XQ").is_root()


def test_a_grid_directly_under_a_street_is_refused(client, school_admin, community):
    client.force_login(school_admin)
    street = community.get_parent()
    units_before = OrgUnit.objects.count()

    response = client.post(reverse("orgunit:add"), unit_data(street))

    assert response.status_code == 200
    assert form_errors(response)["kind"] == ["「测试街道」下只能添加社区。"]
    assert OrgUnit.objects.count() == units_before


def test_a_street_without_a_parent_is_refused(client, school_admin, org_units):
    client.force_login(school_admin)
    units_before = OrgUnit.objects.count()

    response = client.post(
        reverse("orgunit:add"),
        unit_data(None, name="孤立街道", kind=OrgUnit.Kind.STREET, code="GL"),
    )

    assert response.status_code == 200
    assert form_errors(response)["parent"] == ["只有「区」可以没有上级单位。"]
    assert OrgUnit.objects.count() == units_before


def test_a_unit_cannot_be_placed_under_a_grid(client, school_admin, grid):
    client.force_login(school_admin)
    units_before = OrgUnit.objects.count()

    response = client.post(reverse("orgunit:add"), unit_data(grid))

    assert response.status_code == 200
    assert "parent" in form_errors(response)
    assert OrgUnit.objects.count() == units_before


def test_editing_a_unit_renames_it_but_never_moves_it(
    client, school_admin, community, grid
):
    client.force_login(school_admin)
    street = community.get_parent()

    response = client.post(
        reverse("orgunit:edit", args=[grid.pk]),
        {
            "name": "第一网格",
            "kind": OrgUnit.Kind.STREET,
            "code": grid.code,
            "parent": street.pk,
        },
    )

    assert response.status_code == 302
    grid.refresh_from_db()
    assert grid.name == "第一网格"
    assert grid.kind == OrgUnit.Kind.GRID
    assert grid.get_parent() == community


def test_school_admin_creates_a_trainee_account_in_the_user_admin(
    client, school_admin, grid
):
    client.force_login(school_admin)

    response = client.post(reverse("wagtailusers_users:add"), user_data(grid))

    assert response.status_code == 302
    user = User.objects.get(phone="13900139000")
    assert user.real_name == "钱七"
    assert list(user.groups.values_list("name", flat=True)) == [roles.TRAINEE]


def test_school_admin_cannot_make_anyone_a_superuser(client, school_admin, grid):
    client.force_login(school_admin)

    form_page = client.get(reverse("wagtailusers_users:add"))
    response = client.post(
        reverse("wagtailusers_users:add"), user_data(grid, is_superuser="on")
    )

    assert form_page.status_code == 200
    assert form_page.context["form"].fields["is_superuser"].disabled
    assert response.status_code == 302
    assert not User.objects.get(phone="13900139000").is_superuser


def test_school_admin_cannot_promote_an_existing_user_to_superuser(
    client, school_admin, trainee, grid
):
    client.force_login(school_admin)

    page = client.get(reverse("wagtailusers_users:edit", args=[trainee.pk]))
    response = client.post(
        reverse("wagtailusers_users:edit", args=[trainee.pk]),
        user_data(
            grid,
            phone=trainee.phone,
            real_name=trainee.real_name,
            is_superuser="on",
            password1="",
            password2="",
            is_active="on",
        ),
    )

    assert page.status_code == 200
    assert page.context["form"].fields["is_superuser"].disabled
    assert response.status_code == 302
    trainee.refresh_from_db()
    assert not trainee.is_superuser


def test_school_admin_cannot_edit_a_superuser(client, school_admin, superuser, grid):
    client.force_login(school_admin)
    edit_url = reverse("wagtailusers_users:edit", args=[superuser.pk])

    page = client.get(edit_url)
    response = client.post(
        edit_url,
        user_data(
            grid,
            phone=superuser.phone,
            real_name="被篡改",
            password1=NEW_PASSWORD,
            password2=NEW_PASSWORD,
        ),
    )

    assert page.status_code == 302
    assert response.status_code == 302
    superuser.refresh_from_db()
    assert superuser.real_name == "超级管理员"
    assert superuser.check_password(TEST_PASSWORD)


@pytest.mark.parametrize("who", ["instructor", "site_host", "other_admin", "staff"])
def test_school_admin_cannot_edit_or_delete_a_staff_account(
    client, school_admin, grid, request, who
):
    # Whoever sets a staff account's e-mail can take it over by a password reset.
    if who == "other_admin":
        target = UserFactory(org_unit=grid, role=roles.SCHOOL_ADMIN)
    elif who == "staff":
        target = UserFactory(org_unit=grid, is_staff=True)
    else:
        target = request.getfixturevalue(who)
    before = (target.real_name, target.email, target.password)
    client.force_login(school_admin)
    edit_url = reverse("wagtailusers_users:edit", args=[target.pk])
    delete_url = reverse("wagtailusers_users:delete", args=[target.pk])

    page = client.get(edit_url)
    edited = client.post(
        edit_url,
        user_data(grid, phone=target.phone, real_name="被篡改", email="x@example.com"),
    )
    deleted = client.post(delete_url)

    assert page.status_code == edited.status_code == deleted.status_code == 302
    target.refresh_from_db()
    assert (target.real_name, target.email, target.password) == before


def test_school_admin_still_edits_a_plain_trainee(client, school_admin, trainee, grid):
    client.force_login(school_admin)

    response = client.post(
        reverse("wagtailusers_users:edit", args=[trainee.pk]),
        user_data(grid, phone=trainee.phone, real_name="改名学员", is_active="on"),
    )

    assert response.status_code == 302
    trainee.refresh_from_db()
    assert trainee.real_name == "改名学员"


def test_school_admin_cannot_deactivate_an_instructor_in_bulk(
    client, school_admin, instructor
):
    client.force_login(school_admin)
    url = reverse("wagtail_bulk_action", args=["school", "user", "set_active_state"])

    client.post(f"{url}?id={instructor.pk}", {"mark_as_active": "False"})

    instructor.refresh_from_db()
    assert instructor.is_active


# Trainee


def test_trainee_cannot_reach_the_admin(client, trainee):
    client.force_login(trainee)

    response = client.get(ADMIN_HOME)

    assert response.status_code == 302
    assert response.url.startswith(reverse("wagtailadmin_login"))


def test_trainee_cannot_create_a_practice_site(client, trainee, community):
    client.force_login(trainee)

    response = client.post(reverse("practicesite:add"), site_data(community))

    assert response.status_code == 302
    assert response.url.startswith(reverse("wagtailadmin_login"))
    assert not PracticeSite.objects.exists()


def test_anonymous_visitor_is_sent_to_the_admin_login(client, db):
    response = client.get(ADMIN_HOME)

    assert response.status_code == 302
    assert response.url.startswith(reverse("wagtailadmin_login"))


# Instructor and site host


def test_instructor_opens_the_admin_and_reads_the_practice_sites(
    client, instructor, practice_site
):
    client.force_login(instructor)

    assert client.get(ADMIN_HOME).status_code == 200
    response = client.get(reverse("practicesite:index"))
    assert response.status_code == 200
    assert "桃园社区党群服务中心" in response.content.decode()


def test_instructor_cannot_create_a_practice_site(client, instructor, community):
    client.force_login(instructor)

    page = client.get(reverse("practicesite:add"))
    response = client.post(reverse("practicesite:add"), site_data(community))

    assert page.status_code == 302
    assert response.status_code == 302
    assert response.url == ADMIN_HOME
    assert not PracticeSite.objects.exists()


def test_instructor_cannot_edit_a_practice_site(client, instructor, practice_site):
    client.force_login(instructor)

    response = client.post(
        reverse("practicesite:edit", args=[practice_site.pk]),
        site_data(practice_site.org_unit, name=practice_site.name, capacity=1),
    )

    assert response.status_code == 302
    practice_site.refresh_from_db()
    assert practice_site.capacity == 30


def test_instructor_cannot_add_org_units_or_users(client, instructor, community):
    client.force_login(instructor)
    units_before = OrgUnit.objects.count()
    users_before = User.objects.count()

    unit = client.post(reverse("orgunit:add"), unit_data(community))
    user = client.post(reverse("wagtailusers_users:add"), user_data(community))

    assert unit.status_code == 302
    assert user.status_code == 302
    assert OrgUnit.objects.count() == units_before
    assert User.objects.count() == users_before


def test_site_host_reads_practice_sites_but_cannot_change_them(
    client, site_host, practice_site
):
    client.force_login(site_host)

    assert client.get(reverse("practicesite:index")).status_code == 200
    response = client.post(
        reverse("practicesite:edit", args=[practice_site.pk]),
        site_data(practice_site.org_unit, name=practice_site.name, capacity=1),
    )

    assert response.status_code == 302
    practice_site.refresh_from_db()
    assert practice_site.capacity == 30


# Superuser and the user admin


def test_user_admin_form_asks_for_phone_and_real_name(client, superuser):
    client.force_login(superuser)

    response = client.get(reverse("wagtailusers_users:add"))

    assert response.status_code == 200
    content = response.content.decode()
    assert 'name="phone"' in content
    assert 'name="real_name"' in content
    assert 'name="org_unit"' in content
    assert 'name="level"' in content
    assert 'name="first_name"' not in content
    assert 'name="last_name"' not in content


def test_superuser_creates_a_user_with_phone_and_real_name(client, superuser, grid):
    client.force_login(superuser)

    response = client.post(reverse("wagtailusers_users:add"), user_data(grid))

    assert response.status_code == 302
    user = User.objects.get(phone="13900139000")
    assert user.real_name == "钱七"
    assert user.org_unit == grid
    # The level is shown, not edited: it moves only on the ladder (volunteers).
    assert user.level == Level.RESIDENT
    assert user.email == ""
    assert not user.is_superuser
    assert list(user.groups.values_list("name", flat=True)) == [roles.TRAINEE]
    client.logout()
    login = client.post(
        reverse("accounts:login"),
        {"username": "13900139000", "password": NEW_PASSWORD},
    )
    assert login.status_code == 302


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"phone": "12345"}, "phone", "请输入 11 位中国大陆手机号码"),
        ({"real_name": "<b>钱七</b>"}, "real_name", "姓名只能包含文字"),
        ({"password2": "Other-Lantern-77"}, "password2", ""),
    ],
    ids=["bad phone", "markup in name", "mismatched passwords"],
)
def test_user_admin_refuses_bad_input_and_creates_nothing(
    client, superuser, grid, overrides, field, message
):
    client.force_login(superuser)
    users_before = User.objects.count()

    response = client.post(
        reverse("wagtailusers_users:add"), user_data(grid, **overrides)
    )

    assert response.status_code == 200
    assert message in " ".join(form_errors(response)[field])
    assert User.objects.count() == users_before


def test_user_admin_refuses_a_taken_phone(client, superuser, trainee, grid):
    client.force_login(superuser)
    users_before = User.objects.count()

    response = client.post(
        reverse("wagtailusers_users:add"), user_data(grid, phone=trainee.phone)
    )

    assert response.status_code == 200
    assert "phone" in form_errors(response)
    assert User.objects.count() == users_before


def test_superuser_edits_a_users_name_and_unit_but_not_the_level(
    client, superuser, trainee, community
):
    client.force_login(superuser)
    edit_url = reverse("wagtailusers_users:edit", args=[trainee.pk])

    page = client.get(edit_url)
    response = client.post(
        edit_url,
        user_data(
            community,
            phone=trainee.phone,
            real_name="张三丰",
            level=Level.TALENT,
            password1="",
            password2="",
            is_active="on",
        ),
    )

    assert page.status_code == 200
    assert 'name="real_name"' in page.content.decode()
    assert response.status_code == 302
    trainee.refresh_from_db()
    assert trainee.real_name == "张三丰"
    assert trainee.org_unit == community
    assert trainee.level == Level.RESIDENT
    assert trainee.check_password(TEST_PASSWORD)


def test_superuser_can_still_grant_superuser(client, superuser, grid):
    client.force_login(superuser)

    client.post(reverse("wagtailusers_users:add"), user_data(grid, is_superuser="on"))

    assert User.objects.get(phone="13900139000").is_superuser


def test_a_trainee_cannot_open_the_user_admin(client, trainee):
    client.force_login(trainee)
    other = UserFactory()

    response = client.get(reverse("wagtailusers_users:edit", args=[other.pk]))

    assert response.status_code == 302
    assert response.url.startswith(reverse("wagtailadmin_login"))


def test_school_admin_cannot_deactivate_a_superuser_in_bulk(
    client, school_admin, superuser, trainee
):
    client.force_login(school_admin)
    url = reverse("wagtail_bulk_action", args=["school", "user", "set_active_state"])

    response = client.post(
        f"{url}?id={superuser.pk}&id={trainee.pk}", {"mark_as_active": "False"}
    )

    assert response.status_code == 302
    superuser.refresh_from_db()
    trainee.refresh_from_db()
    assert superuser.is_active
    assert trainee.is_active


def test_school_admin_deactivates_ordinary_users_in_bulk(client, school_admin, trainee):
    client.force_login(school_admin)
    url = reverse("wagtail_bulk_action", args=["school", "user", "set_active_state"])

    response = client.post(f"{url}?id={trainee.pk}", {"mark_as_active": "False"})

    assert response.status_code == 302
    trainee.refresh_from_db()
    assert not trainee.is_active
