import pytest

pytestmark = pytest.mark.django_db


def test_grid_school_home_renders_in_chinese(client, grid_school, volunteer_academy):
    response = client.get("/")
    assert response.status_code == 200
    content = response.content.decode()
    assert '<html lang="zh-hans">' in content
    assert "测试区网格学校" in content
    assert "测试街道志愿者培训学院" in content
