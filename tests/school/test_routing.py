"""Pages are found from the Site and the schools kept in the cache
(school.routing, schools_for_navigation), and every change to those is seen at once."""

from wagtail.models import Site

import pytest

from tests.courses.factories import CourseIndexPageFactory
from tests.factories import SchoolPageFactory

pytestmark = pytest.mark.django_db


def test_a_page_added_below_the_root_after_a_visit_is_found(client, grid_school):
    assert client.get("/").status_code == 200  # the Site and its root page cached
    CourseIndexPageFactory(parent=grid_school, title="课程目录", slug="courses")
    response = client.get("/courses/")
    assert response.status_code == 200
    assert "课程目录" in response.content.decode()


def test_an_unknown_page_is_not_found(client, grid_school):
    assert client.get("/no-such-page/").status_code == 404
    assert client.get("/no-such-page/below/").status_code == 404


def test_a_new_root_page_for_the_site_is_served_at_once(
    client, grid_school, volunteer_academy
):
    assert "测试区网格学校" in client.get("/").content.decode()
    other = SchoolPageFactory(
        parent=grid_school.get_parent(),
        title="另一所学校",
        slug="other-school",
        display_name="另一所学校",
    )
    site = Site.objects.get()
    site.root_page = other
    site.save()
    assert "另一所学校" in client.get("/").content.decode()
    assert client.get("/volunteer-academy/").status_code == 404


def test_the_header_shows_a_school_renamed_a_moment_ago(
    client, grid_school, volunteer_academy
):
    assert ">志愿者培训学院</a>" in client.get("/").content.decode()
    volunteer_academy.title = "社区志愿者学院"
    volunteer_academy.save_revision().publish()
    content = client.get("/").content.decode()
    assert ">社区志愿者学院</a>" in content
    assert ">志愿者培训学院</a>" not in content
