"""The admin of community spaces (opening hours inline, staff by phone number)
and the read-only list of community activities: administrators only, all in
Chinese."""

import re
from datetime import time

from django.urls import reverse

import pytest

from tests.factories import UserFactory
from volunteers.models import Activity, CommunitySpace

pytestmark = pytest.mark.django_db

# English a label of ours could leak into the page (Wagtail's own words are
# translated when the admin speaks zh-hans).
ENGLISH = re.compile(
    r">\s*(Add|Edit|Inspect|Delete|Save|Community|Name|Kind|Capacity|Status|Space|"
    r"Organiser|Sessions|Opening hours|Staff|Is active|Title|True|False|None)\b"
)


def english_in(html: str) -> str | None:
    """The first English label in the page, ignoring Wagtail's hidden side-panel
    counter (it renders None until its script runs)."""
    html = re.sub(r"<div data-side-panel-toggle-counter.*?</div>", "", html, flags=re.S)
    found = ENGLISH.search(html)
    return found.group(0) if found else None


def space_data(community, **changes) -> dict:
    data = {
        "community": community.pk,
        "name": "书屋",
        "kind": CommunitySpace.Kind.READING_ROOM,
        "address": "桃园路 3 号",
        "capacity": 16,
        "description": "",
        "staff_phones": "",
        "is_active": "on",
        "opening_hours-TOTAL_FORMS": "2",
        "opening_hours-INITIAL_FORMS": "0",
        "opening_hours-MIN_NUM_FORMS": "0",
        "opening_hours-MAX_NUM_FORMS": "1000",
        "opening_hours-0-weekday": "5",
        "opening_hours-0-opens": "09:00",
        "opening_hours-0-closes": "12:00",
        "opening_hours-0-ORDER": "1",
        "opening_hours-0-DELETE": "",
        "opening_hours-0-id": "",
        "opening_hours-1-weekday": "5",
        "opening_hours-1-opens": "14:00",
        "opening_hours-1-closes": "18:00",
        "opening_hours-1-ORDER": "2",
        "opening_hours-1-DELETE": "",
        "opening_hours-1-id": "",
    }
    data.update(changes)
    return data


def test_an_administrator_adds_a_space_with_two_stretches_and_a_staff_phone(
    client, school_admin, community, space_staff
):
    client.force_login(school_admin)
    page = client.get(reverse("community_spaces:add"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "审批人员手机号" in text and "开放时间" in text
    response = client.post(
        reverse("community_spaces:add"),
        space_data(community, staff_phones=f" {space_staff.phone}\n"),
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    room = CommunitySpace.objects.get(name="书屋")
    assert [(h.weekday, h.opens, h.closes) for h in room.opening_hours.all()] == [
        (5, time(9), time(12)),
        (5, time(14), time(18)),
    ]
    assert list(room.staff.all()) == [space_staff]


def test_an_unknown_phone_is_named_and_nothing_is_saved(
    client, school_admin, community
):
    client.force_login(school_admin)
    response = client.post(
        reverse("community_spaces:add"),
        space_data(community, staff_phones="13912345678"),
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "找不到以下手机号对应的有效账号：13912345678" in text
    assert not CommunitySpace.objects.filter(name="书屋").exists()


def test_hours_that_close_before_they_open_are_refused(client, school_admin, community):
    client.force_login(school_admin)
    response = client.post(
        reverse("community_spaces:add"),
        space_data(community, **{"opening_hours-1-closes": "13:00"}),
    )
    assert response.status_code == 200
    assert "关闭时间须晚于开放时间" in response.content.decode()
    assert not CommunitySpace.objects.filter(name="书屋").exists()


def test_editing_shows_and_changes_the_staff_by_phone(
    client, school_admin, space, space_staff, community
):
    other = UserFactory(real_name="冯干事", org_unit=community)
    client.force_login(school_admin)
    url = reverse("community_spaces:edit", args=[space.pk])
    assert space_staff.phone in client.get(url).content.decode()
    hours = list(space.opening_hours.all())
    data = space_data(
        community,
        name=space.name,
        kind=space.kind,
        address=space.address,
        capacity=space.capacity,
        staff_phones=f"{space_staff.phone}，{other.phone}",
        **{
            "opening_hours-TOTAL_FORMS": str(len(hours)),
            "opening_hours-INITIAL_FORMS": str(len(hours)),
        },
    )
    for index, stretch in enumerate(hours):
        data.update(
            {
                f"opening_hours-{index}-id": stretch.pk,
                f"opening_hours-{index}-weekday": stretch.weekday,
                f"opening_hours-{index}-opens": f"{stretch.opens:%H:%M}",
                f"opening_hours-{index}-closes": f"{stretch.closes:%H:%M}",
                f"opening_hours-{index}-ORDER": index + 1,
                f"opening_hours-{index}-DELETE": "on" if stretch.weekday == 6 else "",
            }
        )
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert set(space.staff.all()) == {space_staff, other}
    assert not space.opening_hours.filter(weekday=6).exists()
    assert space.opening_hours.count() == 12


def test_the_lists_filter_and_speak_chinese(client, school_admin, space, night_school):
    client.force_login(school_admin)
    for url in (
        reverse("community_spaces:index"),
        reverse("community_spaces:add"),
        reverse("community_spaces:edit", args=[space.pk]),
        reverse("community_activities:index"),
        reverse("community_activities:inspect", args=[night_school.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert english_in(response.content.decode()) is None, url
    spaces = client.get(reverse("community_spaces:index")).content.decode()
    assert "活动室" in spaces and "容纳人数" in spaces and "审批人员" in spaces
    listed = client.get(
        reverse("community_activities:index"), {"status": "pending"}
    ).content.decode()
    assert "智能手机夜校" in listed and "场次数" in listed
    listed = client.get(
        reverse("community_activities:index"), {"status": "approved"}
    ).content.decode()
    assert "智能手机夜校" not in listed
    listed = client.get(
        reverse("community_activities:index"), {"space": space.pk}
    ).content.decode()
    assert "智能手机夜校" in listed


def test_activities_are_never_added_or_edited_in_the_admin(school_admin):
    from django.urls import NoReverseMatch

    for name in ("community_activities:add", "community_activities:edit"):
        with pytest.raises(NoReverseMatch):
            reverse(name, args=[1] if name.endswith("edit") else [])


def test_others_are_kept_out(client, instructor, space_staff, manager, space):
    for person in (instructor, space_staff, manager):
        client.force_login(person)
        for url in (
            reverse("community_spaces:index"),
            reverse("community_spaces:add"),
            reverse("community_spaces:edit", args=[space.pk]),
            reverse("community_activities:index"),
        ):
            assert client.get(url).status_code in {302, 403, 404}, (person, url)
        response = client.post(
            reverse("community_spaces:edit", args=[space.pk]),
            {"name": "被改了", "capacity": 1},
        )
        assert response.status_code in {302, 403, 404}
    space.refresh_from_db()
    assert space.name == "活动室"
    assert Activity.objects.count() == 0
