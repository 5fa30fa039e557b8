"""The volunteers app has one admin menu, 志愿服务: its models and the pages of its
parts, each shown only to those who may use them; the level rules are edited
there."""

from django.urls import reverse

import pytest

from volunteers.models import LevelRule

pytestmark = pytest.mark.django_db

EVERY_ITEM = [
    "积分事项",
    "协调员负责范围",
    "商户 / 共建单位",
    "权益",
    "兑换记录",
    "等级规则",
    "晋级审核",
    "公示与异议",
    "主理人招募",
    "等级调整",
    "等级复核",
    "志愿服务报表",
    "等级报表",
    "社区空间",
    "社区活动",
    "空间使用率",
]


def menu_labels(client, person) -> list[str]:
    client.force_login(person)
    request = client.get(reverse("wagtailadmin_home")).wsgi_request
    [group] = [item for item in _top_level(client) if item.label == "志愿服务"]
    return [str(item.label) for item in group.menu.menu_items_for_request(request)]


def test_an_administrator_finds_every_volunteers_page_in_one_menu(client, school_admin):
    labels = menu_labels(client, school_admin)
    assert sorted(labels) == sorted(EVERY_ITEM)
    top = [str(item.label) for item in _top_level(client)]
    assert top.count("志愿服务") == 1
    assert not set(EVERY_ITEM) & set(top)


def _top_level(client):
    from wagtail.admin.menu import admin_menu

    request = client.get(reverse("wagtailadmin_home")).wsgi_request
    return admin_menu.menu_items_for_request(request)


def test_an_administrator_edits_a_level_rule(client, school_admin):
    rule = LevelRule.objects.get(level="talent")
    client.force_login(school_admin)
    url = reverse("volunteer_level_rules:edit", args=[rule.pk])

    page = client.get(url)
    assert page.status_code == 200 and "累计服务时长" in page.content.decode()


def test_an_instructor_sees_no_volunteers_menu_and_no_level_rules(client, instructor):
    client.force_login(instructor)
    assert "志愿服务" not in [str(item.label) for item in _top_level(client)]
    rule = LevelRule.objects.get(level="talent")
    response = client.get(reverse("volunteer_level_rules:edit", args=[rule.pk]))
    assert response.status_code in {302, 403, 404}
