import re

from wagtail.models import Page
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

import pytest

from courses.models import Tier
from school.models import SchoolPage
from tests.courses.factories import CoursePageFactory

pytestmark = pytest.mark.django_db


def test_school_pages_sit_at_the_top_or_directly_under_the_grid_school(
    grid_school, volunteer_academy
):
    assert set(SchoolPage.allowed_parent_page_models()) == {Page, SchoolPage}
    assert SchoolPage in SchoolPage.allowed_subpage_models()
    assert SchoolPage.can_create_at(Page.get_first_root_node()) is False  # max 2
    volunteer_academy.delete()
    assert SchoolPage.can_create_at(grid_school)


def test_a_school_cannot_be_nested_under_the_academy(grid_school, volunteer_academy):
    volunteer_academy.refresh_from_db()
    assert not SchoolPage.can_create_at(volunteer_academy)


def test_administrator_creates_the_academy_with_valid_data(admin_client, grid_school):
    data = nested_form_data(
        {
            "title": "志愿者培训学院",
            "slug": "volunteer-academy",
            "kind": SchoolPage.Kind.VOLUNTEER_ACADEMY,
            "tagline": "从居民到社区主理人",
            "intro": "三级培训。",
            "body": streamfield(
                [
                    ("heading", {"text": "培训特色", "level": "h2"}),
                    ("paragraph", rich_text("<p>积分激励服务。</p>")),
                    (
                        "callout",
                        {
                            "tone": "info",
                            "title": "报名",
                            "text": rich_text("<p>下周开始报名。</p>"),
                        },
                    ),
                ]
            ),
            "display_name": "东湖街道志愿者培训学院",
            "certificate_prefix": "ZYXY",
            "principal_name": "林晓燕",
            "late_credit": 60,
            "action-publish": "publish",
        }
    )
    response = admin_client.post(
        f"/admin/pages/add/school/schoolpage/{grid_school.pk}/", data
    )
    assert response.status_code == 302, response.context["form"].errors
    academy = SchoolPage.objects.get(slug="volunteer-academy")
    assert academy.live
    assert academy.late_credit == 60
    assert academy.get_parent().pk == grid_school.pk
    assert [block.block_type for block in academy.body] == [
        "heading",
        "paragraph",
        "callout",
    ]


def test_certificate_prefix_must_be_capital_letters(admin_client, grid_school):
    data = nested_form_data(
        {
            "title": "志愿者培训学院",
            "slug": "volunteer-academy",
            "kind": SchoolPage.Kind.VOLUNTEER_ACADEMY,
            "body": streamfield([]),
            "display_name": "东湖街道志愿者培训学院",
            "certificate_prefix": "zy-1",
            "action-publish": "publish",
        }
    )
    response = admin_client.post(
        f"/admin/pages/add/school/schoolpage/{grid_school.pk}/", data
    )
    assert response.status_code == 200
    assert "certificate_prefix" in response.context["form"].errors
    assert not SchoolPage.objects.filter(slug="volunteer-academy").exists()


def test_school_home_renders_for_a_trainee(client, trainee, volunteer_academy):
    client.force_login(trainee)
    response = client.get(volunteer_academy.url)
    assert response.status_code == 200
    content = response.content.decode()
    assert "测试街道志愿者培训学院" in content
    assert "测试区网格学校" in content  # the other school is linked
    assert "退出登录" in content


def test_school_home_shows_settings_edited_in_the_admin(client, grid_school):
    grid_school.display_name = "示范区网格学校（新名称）"
    grid_school.save_revision().publish()
    response = client.get("/")
    assert "示范区网格学校（新名称）" in response.content.decode()


def test_school_home_lists_active_practice_sites_only(client, grid_school, community):
    from tests.factories import PracticeSiteFactory

    PracticeSiteFactory(name="开放的教学点", org_unit=community)
    PracticeSiteFactory(name="停用的教学点", org_unit=community, is_active=False)
    content = client.get("/").content.decode()
    assert "开放的教学点" in content
    assert "停用的教学点" not in content


# --- the way to the courses, and tab titles --------------------------------------


def _title(content: str) -> str:
    return re.search(r"<title>(.*?)</title>", content, re.S).group(1).strip()


def test_a_school_home_page_leads_to_its_catalogue_tiers_and_courses(
    client, grid_school, course_index
):
    CoursePageFactory(
        parent=course_index, title="社区急救", slug="first-aid", tier=Tier.BASIC
    )
    CoursePageFactory(
        parent=course_index,
        title="网格议事",
        slug="council",
        tier=Tier.LEADERSHIP,
        is_featured=True,
    )

    content = client.get("/").content.decode()

    assert '<a class="button" href="/courses/">浏览课程</a>' in content
    assert '<a href="/courses/?tier=basic">基础通识班' in content
    assert '<a href="/courses/?tier=leadership">领导力提升班' in content
    assert "专项技能班" not in content  # no course in that tier yet
    assert content.index("网格议事") < content.index("社区急救")  # 精品 first
    assert '<a href="/courses/first-aid/">社区急救</a>' in content
    assert "查看全部 2 门课程" in content


def test_a_school_without_a_catalogue_offers_sign_up_and_log_in_only(
    client, grid_school, volunteer_academy, course_index
):
    content = client.get(volunteer_academy.url).content.decode()

    assert "浏览课程" not in content
    assert "/accounts/signup/" in content


def test_each_page_has_its_own_tab_title_naming_its_school_once(
    client, grid_school, volunteer_academy, course_index
):
    titles = {
        url: _title(client.get(url).content.decode())
        for url in ("/", volunteer_academy.url, course_index.url, "/accounts/login/")
    }

    assert titles == {
        "/": "测试区网格学校",
        volunteer_academy.url: "测试街道志愿者培训学院",
        course_index.url: "课程 · 测试区网格学校",
        "/accounts/login/": "登录 · 网格学校 · 志愿者培训学院",
    }
