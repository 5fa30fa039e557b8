"""The dashboard pages and exports: who may see them, the filters, the files, and
a page that runs no inline code and draws with the locally served Chart.js."""

import csv
import io
import re
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse

import pytest
from openpyxl import load_workbook

from dashboards.figures import FIGURES
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HOME = "dashboards:home"
MARCH = "?start=2025-03-01&end=2025-03-31"


def get(client, user, name=HOME, *args, query=""):
    if user is not None:
        client.force_login(user)
    return client.get(reverse(name, args=args) + query)


# --- who may see it ------------------------------------------------------------------


def test_school_admin_and_leader_see_the_dashboard(client, school_admin, leader):
    assert get(client, school_admin).status_code == 200
    response = get(client, leader)
    assert response.status_code == 200
    assert "数据看板" in response.content.decode()


def test_a_superuser_sees_the_dashboard(client, grid):
    boss = UserFactory(is_superuser=True, is_staff=True, org_unit=grid)
    assert get(client, boss).status_code == 200


def test_a_trainee_gets_404_for_the_page_and_the_exports(client, trainee):
    assert get(client, trainee).status_code == 404
    url = reverse("dashboards:export", args=["person_times", "csv"])
    assert client.get(url).status_code == 404


def test_anonymous_is_sent_to_log_in(client, db):
    response = client.get(reverse(HOME))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
    export = client.get(reverse("dashboards:export", args=["points", "xlsx"]))
    assert export.status_code == 302


def test_the_admin_page_is_for_administrators_only(client, school_admin, leader):
    assert get(client, school_admin, "dashboards_admin").status_code == 200
    client.logout()
    leader.is_staff = True  # even with admin access a leader reads the site page
    leader.save()
    assert get(client, leader, "dashboards_admin").status_code in (302, 404)


def test_an_unknown_figure_or_format_is_404(client, school_admin):
    client.force_login(school_admin)
    assert (
        client.get(reverse("dashboards:export", args=["nope", "csv"])).status_code
        == 404
    )
    assert (
        client.get(reverse("dashboards:export", args=["points", "pdf"])).status_code
        == 404
    )


# --- the page ------------------------------------------------------------------------


def test_every_figure_has_a_chart_or_heat_map_a_table_and_downloads(
    client, school_admin, world
):
    content = get(client, school_admin, query=MARCH).content.decode()
    for name in FIGURES:
        assert f'id="figure-{name}"' in content
        assert (
            reverse("dashboards:export", args=[name, "csv"])
            + MARCH.replace("&", "&amp;")
            in content
        )
    assert content.count("<canvas") == len(FIGURES) - 2  # two heat maps
    assert content.count('class="heat-cell heat-') >= 6
    assert "当前显示：2025-03-01 至 2025-03-31" in content


def test_the_page_runs_no_inline_script(client, school_admin, world):
    content = get(client, school_admin).content.decode()
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", content, re.S)
    assert scripts
    for attributes, body in scripts:
        assert 'src="' in attributes or 'type="application/json"' in attributes, body
        if "src=" in attributes:
            assert not body.strip()
            assert "//" not in attributes.split('src="')[1].split('"')[0][:2]
    assert "/static/vendor/chartjs/chart.umd.min.js" in content
    assert "/static/dashboards/charts.js" in content


def test_the_chart_library_is_served_locally():
    found = finders.find("vendor/chartjs/chart.umd.min.js")
    assert found, "run `npm ci`: Chart.js comes from node_modules"
    assert Path(found).is_relative_to(Path(settings.BASE_DIR) / "node_modules")
    assert finders.find("dashboards/charts.js")


def test_a_unit_narrows_the_page(client, school_admin, world):
    query = f"?start=2025-01-01&end=2025-06-30&unit={world.other_community.pk}"
    response = get(client, school_admin, query=query)
    figures = {
        item["figure"].name: item["figure"] for item in response.context["figures"]
    }
    assert figures["person_times"].rows[-1] == ["合计", 0, 1, 0, 1]
    assert "杏林社区" in response.content.decode()


def test_bad_dates_are_explained_and_the_default_shown(client, school_admin, world):
    response = get(client, school_admin, query="?start=2025-06-01&end=2025-01-01")
    content = response.content.decode()
    assert response.status_code == 200
    assert "开始日期不能晚于结束日期" in content
    assert (
        response.context["filters"].period.end
        > response.context["filters"].period.start
    )


# --- exports -------------------------------------------------------------------------


def test_a_figure_exports_as_csv_with_the_filters(client, school_admin, world):
    client.force_login(school_admin)
    url = reverse("dashboards:export", args=["points", "csv"])
    response = client.get(url + "?start=2025-01-01&end=2025-06-30")
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["月份", "发放积分", "兑换积分", "取消兑换退回", "净兑换积分"]
    assert ["2025-04", "30", "30", "20", "10"] in rows
    assert rows[-1] == ["合计", "80", "30", "20", "10"]


def test_a_figure_exports_as_xlsx(client, school_admin, world):
    client.force_login(school_admin)
    url = reverse("dashboards:export", args=["sites", "xlsx"])
    response = client.get(url + "?start=2025-03-01&end=2025-03-31")
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0][0] == "实践教学点"
    peach = next(row for row in rows if row[0] == "桃园社区党群服务中心")
    assert 40 in peach
