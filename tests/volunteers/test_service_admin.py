"""积分事项 and 协调员负责范围 in the Wagtail admin: administrators manage them,
nobody else does."""

from django.test import Client
from django.urls import reverse

import pytest

from tests.volunteers.conftest import log
from volunteers.models import CoordinatorScope, PointItem

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_administrator_lists_and_adds_point_items(school_admin, patrol_item):
    client = client_for(school_admin)
    listing = client.get(reverse("volunteer_point_items:index"))
    assert listing.status_code == 200
    text = listing.content.decode()
    assert "巡查处置" in text and "积分事项" in text
    response = client.post(
        reverse("volunteer_point_items:add"),
        {
            "name": "垃圾分类督导",
            "category": "环境卫生",
            "unit": "hour",
            "points": "4",
            "daily_cap": "16",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert PointItem.objects.get(name="垃圾分类督导").daily_cap == 16


def test_an_administrator_assigns_a_unit_to_a_coordinator(
    school_admin, community, volunteer
):
    from school import roles
    from tests.factories import UserFactory

    person = UserFactory(real_name="吴协调", org_unit=community, role=roles.COORDINATOR)
    client = client_for(school_admin)
    form = client.get(reverse("volunteer_coordinator_scopes:add"))
    assert form.status_code == 200
    choices = form.context["form"].fields["coordinator"].queryset
    assert person in choices and volunteer not in choices
    response = client.post(
        reverse("volunteer_coordinator_scopes:add"),
        {"coordinator": person.pk, "org_unit": community.pk},
    )
    assert response.status_code == 302
    assert CoordinatorScope.objects.filter(
        coordinator=person, org_unit=community
    ).exists()


def test_a_trainee_or_coordinator_may_not_manage_them(volunteer, coordinator):
    for person in (volunteer, coordinator):
        client = client_for(person)
        for name in ("volunteer_point_items:add", "volunteer_coordinator_scopes:add"):
            assert client.get(reverse(name)).status_code in (302, 403)
    assert not CoordinatorScope.objects.exclude(coordinator=coordinator).exists()


def test_a_point_item_in_use_is_not_deleted(
    school_admin, volunteer, patrol_item, yesterday
):
    log(volunteer, patrol_item, served_on=yesterday)
    client = client_for(school_admin)
    client.post(reverse("volunteer_point_items:delete", args=[patrol_item.pk]))
    assert PointItem.objects.filter(pk=patrol_item.pk).exists()
