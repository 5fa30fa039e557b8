from wagtail.models import Page
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

import pytest

from school.models import SchoolPage

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
            "action-publish": "publish",
        }
    )
    response = admin_client.post(
        f"/admin/pages/add/school/schoolpage/{grid_school.pk}/", data
    )
    assert response.status_code == 302, response.context["form"].errors
    academy = SchoolPage.objects.get(slug="volunteer-academy")
    assert academy.live
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
