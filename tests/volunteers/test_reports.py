"""志愿服务报表: the figures of a small autumn worked out by hand, the committee's
list with masked names, a fixed number of queries however much data, the pages
for administrators only, and the exports read back.

The autumn (local time). 张三丰 lives in 桃园社区's 第1网格, 欧阳娜娜 in 桃园社区
itself, 李四 in 杏花社区's 第1网格:

    10-05 张三丰 巡查处置 1h   approved  +10
    10-12 张三丰 助老服务 3h   approved  +15
    10-20 李四   助老服务 4h   approved  +20
    10-25 张三丰 借阅卡 (区图书馆)  −20  used
    11-03 李四   巡查处置 1h   approved  +10
    11-10 李四   洗衣液 (社区便利店) −30, cancelled 11-11: refund +30
    11-15 欧阳娜娜 助老服务 2h approved  +10
    11-16 欧阳娜娜 correction +20
    11-20 欧阳娜娜 借阅卡        −20  issued
    11-25 张三丰 correction −5
    11-28 李四   巡查处置     pending;  11-29 李四 助老服务 rejected

October: credits 45 (service), debits 20 (redemption), net 25. November: credits
service 20 + refund 30 + correction 20 = 70, debits redemption 50 + correction 5
= 55, net 15. Balances: 张三丰 0, 李四 30, 欧阳娜娜 10 (40 = 25 + 15).
"""

import csv
import io
from datetime import date, datetime
from decimal import Decimal
from types import SimpleNamespace

from django.db import connection, transaction
from django.http import FileResponse, StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

import pytest
from openpyxl import load_workbook

from courses.reports import Period
from school import roles
from school.models import OrgUnit
from tests.factories import OrgUnitFactory, UserFactory
from volunteers import ledger, reports
from volunteers.models import (
    Merchant,
    PointAccount,
    PointEntry,
    PointItem,
    Redemption,
    Reward,
    ServiceRecord,
)

pytestmark = pytest.mark.django_db

Kind = PointEntry.Kind
Status = Redemption.Status


def at(month: int, day: int, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime(2026, month, day, hour))


def entry(person, moment, *, kind, amount, hours="0", **links) -> PointEntry:
    """One ledger movement through the ledger's writer, dated `moment`."""
    with transaction.atomic():
        made = ledger.append_entry(
            person, kind=kind, amount=amount, hours=Decimal(hours), **links
        )
    PointEntry.objects.filter(pk=made.pk).update(created_at=moment)
    return made


def service(person, item, day, hours, points, *, status=ServiceRecord.Status.APPROVED):
    record = ServiceRecord.objects.create(
        volunteer=person,
        item=item,
        served_on=day,
        hours=Decimal(hours),
        place="桃园社区",
        description="服务",
        status=status,
        points_awarded=points if status == ServiceRecord.Status.APPROVED else 0,
    )
    if status == ServiceRecord.Status.APPROVED:
        moment = timezone.make_aware(datetime.combine(day, datetime.min.time()))
        entry(
            person,
            moment.replace(hour=18),
            kind=Kind.SERVICE,
            amount=points,
            hours=hours,
            service_record=record,
        )
    return record


def redeem(person, reward, moment, *, status=Status.ISSUED) -> Redemption:
    redemption = Redemption.objects.create(
        reward=reward,
        person=person,
        points=reward.points_cost,
        status=status,
        created_at=moment,
        expires_at=moment + timezone.timedelta(days=30),
    )
    entry(
        person,
        moment,
        kind=Kind.REDEMPTION,
        amount=-reward.points_cost,
        redemption=redemption,
    )
    return redemption


@pytest.fixture
def autumn(community, grid):
    street = community.get_parent()
    xinghua = OrgUnitFactory(
        parent=street, name="杏花社区", kind=OrgUnit.Kind.COMMUNITY
    )
    xinghua_grid = OrgUnitFactory(
        parent=xinghua, name="第1网格", kind=OrgUnit.Kind.GRID
    )
    zhang = UserFactory(real_name="张三丰", org_unit=grid, role=roles.TRAINEE)
    li = UserFactory(real_name="李四", org_unit=xinghua_grid, role=roles.TRAINEE)
    ouyang = UserFactory(real_name="欧阳娜娜", org_unit=community, role=roles.TRAINEE)
    patrol = PointItem.objects.create(name="巡查处置", category="平安", points=10)
    elderly = PointItem.objects.create(
        name="助老服务", category="为老", points=5, unit=PointItem.Unit.HOUR
    )
    shop = Merchant.objects.create(name="社区便利店", org_unit=community)
    library = Merchant.objects.create(name="区图书馆", kind=Merchant.Kind.PARTNER)
    soap = Reward.objects.create(
        merchant=shop, title="洗衣液", points_cost=30, stock=10
    )
    card = Reward.objects.create(
        merchant=library, title="借阅卡", points_cost=20, stock=3
    )
    haircut = Reward.objects.create(
        merchant=shop, title="理发券", points_cost=15, stock=0, is_active=False
    )

    service(zhang, patrol, date(2026, 10, 5), "1", 10)
    service(zhang, elderly, date(2026, 10, 12), "3", 15)
    service(li, elderly, date(2026, 10, 20), "4", 20)
    redeem(zhang, card, at(10, 25), status=Status.USED)
    service(li, patrol, date(2026, 11, 3), "1", 10)
    washed = redeem(li, soap, at(11, 10))
    Redemption.objects.filter(pk=washed.pk).update(
        status=Status.CANCELLED, cancelled_at=at(11, 11)
    )
    entry(li, at(11, 11), kind=Kind.REFUND, amount=30, redemption=washed)
    service(ouyang, elderly, date(2026, 11, 15), "2", 10)
    entry(ouyang, at(11, 16), kind=Kind.CORRECTION, amount=20, reason="补记")
    redeem(ouyang, card, at(11, 20))
    entry(zhang, at(11, 25), kind=Kind.CORRECTION, amount=-5, reason="多记")
    service(
        li, patrol, date(2026, 11, 28), "1", 10, status=ServiceRecord.Status.PENDING
    )
    service(
        li, elderly, date(2026, 11, 29), "2", 10, status=ServiceRecord.Status.REJECTED
    )
    return SimpleNamespace(
        taoyuan=community,
        xinghua=xinghua,
        zhang=zhang,
        li=li,
        ouyang=ouyang,
        patrol=patrol,
        elderly=elderly,
        shop=shop,
        soap=soap,
        card=card,
        haircut=haircut,
    )


def _more(autumn, count: int = 6) -> None:
    """More of everything, in more months, communities and rewards."""
    street = autumn.taoyuan.get_parent()
    for n in range(count):
        unit = OrgUnitFactory(
            parent=street, name=f"新社区{n}", kind=OrgUnit.Kind.COMMUNITY
        )
        person = UserFactory(org_unit=unit)
        item = PointItem.objects.create(name=f"事项{n}", points=7)
        merchant = Merchant.objects.create(name=f"商户{n}")
        reward = Reward.objects.create(
            merchant=merchant, title=f"权益{n}", points_cost=5, stock=4
        )
        service(person, item, date(2026, 9 - n % 3, 1 + n), "1", 7)
        redeem(person, reward, at(12, 1 + n))


# --- the figures -------------------------------------------------------------------------


def test_the_committee_list_masks_names_by_month_and_community(autumn):
    headers, rows = reports.committee_redemptions()
    assert headers == ["月份", "社区", "兑换人", "权益", "提供方", "积分", "状态"]
    assert list(rows) == [
        ["2026-10", "桃园社区", "张*丰", "借阅卡", "区图书馆", 20, "已使用"],
        ["2026-11", "桃园社区", "欧阳**", "借阅卡", "区图书馆", 20, "待使用"],
        ["2026-11", "杏花社区", "李*", "洗衣液", "社区便利店", 30, "已取消"],
    ]


def test_the_committee_list_keeps_to_one_community_and_the_dates(autumn):
    _headers, rows = reports.committee_redemptions(community=autumn.taoyuan)
    assert [row[2] for row in rows] == ["张*丰", "欧阳**"]
    _headers, rows = reports.committee_redemptions(
        Period(date(2026, 11, 1), date(2026, 11, 30)), community=autumn.xinghua
    )
    assert [row[2] for row in rows] == ["李*"]
    _headers, rows = reports.committee_redemptions(Period(end=date(2026, 10, 24)))
    assert list(rows) == []


def test_points_issued_and_spent_add_up_per_month(autumn):
    october, november = reports.points_by_month()
    assert october.month == date(2026, 10, 1)
    assert october.credits == {Kind.SERVICE: 45}
    assert october.debits == {Kind.REDEMPTION: 20}
    assert (october.credited, october.debited, october.net) == (45, 20, 25)
    assert november.credits == {Kind.SERVICE: 20, Kind.REFUND: 30, Kind.CORRECTION: 20}
    assert november.debits == {Kind.REDEMPTION: 50, Kind.CORRECTION: 5}
    assert (november.credited, november.debited, november.net) == (70, 55, 15)
    balances = sum(PointAccount.objects.values_list("balance", flat=True))
    assert balances == october.net + november.net == 40


def test_the_points_table_has_a_total_row(autumn):
    headers, rows = reports.points_table(reports.points_by_month())
    assert headers[0] == "月份"
    assert headers[1:4] == ["发放：服务积分", "发放：取消兑换退回", "发放：更正"]
    assert headers[4:7] == ["消耗：兑换权益", "消耗：积分过期", "消耗：更正"]
    assert headers[7:] == ["发放合计", "消耗合计", "净增"]
    assert rows == [
        ["2026-10", 45, 0, 0, 20, 0, 0, 45, 20, 25],
        ["2026-11", 20, 30, 20, 50, 0, 5, 70, 55, 15],
        ["合计", 65, 30, 20, 70, 0, 5, 115, 75, 40],
    ]


def test_a_month_outside_the_dates_is_left_out(autumn):
    (november,) = reports.points_by_month(Period(start=date(2026, 11, 1)))
    assert november.net == 15


def test_top_items_count_approved_service_only(autumn):
    first, second = reports.top_items()
    assert (first.name, first.records, first.volunteers, first.hours, first.points) == (
        "助老服务",
        3,
        3,
        9.0,
        45,
    )
    assert (second.name, second.records, second.volunteers, second.points) == (
        "巡查处置",
        2,
        2,
        20,
    )
    (october_first, _second) = reports.top_items(
        Period(date(2026, 10, 1), date(2026, 10, 31))
    )
    assert (october_first.records, october_first.hours, october_first.points) == (
        2,
        7.0,
        35,
    )
    assert len(reports.top_items(limit=1)) == 1


def test_reward_stock_counts_redemptions_by_what_became_of_them(autumn):
    rows = {row.title: row for row in reports.reward_stock()}
    card, soap, haircut = rows["借阅卡"], rows["洗衣液"], rows["理发券"]
    assert (card.on_offer, card.stock, card.redeemed, card.issued, card.used) == (
        True,
        3,
        2,
        1,
        1,
    )
    assert (soap.redeemed, soap.cancelled, soap.stock) == (1, 1, 10)
    assert (haircut.on_offer, haircut.redeemed) == (False, 0)
    assert [row.title for row in reports.reward_stock()][-1] == "理发券"
    october = {
        row.title: row
        for row in reports.reward_stock(Period(date(2026, 10, 1), date(2026, 10, 31)))
    }
    assert (october["借阅卡"].redeemed, october["洗衣液"].redeemed) == (1, 0)


def test_every_report_takes_the_same_queries_however_much_data(autumn):
    def count_queries() -> list[int]:
        counts = []
        for build in (
            lambda: list(reports.committee_redemptions()[1]),
            reports.points_by_month,
            reports.top_items,
            reports.reward_stock,
        ):
            with CaptureQueriesContext(connection) as queries:
                build()
            counts.append(len(queries))
        return counts

    before = count_queries()
    _more(autumn)
    assert count_queries() == before
    assert before == [2, 1, 1, 2]


# --- the pages ----------------------------------------------------------------------------


REPORT_NAMES = ["committee", "points", "items", "stock"]


def _every_url() -> list[str]:
    urls = [reverse("volunteer_reports:index")]
    for name in REPORT_NAMES:
        urls.append(reverse("volunteer_reports:report", args=[name]))
        for file_format in ("csv", "xlsx"):
            urls.append(reverse("volunteer_reports:export", args=[name, file_format]))
    return urls


def test_an_administrator_reads_every_report(client, autumn, school_admin):
    client.force_login(school_admin)
    for url in _every_url():
        assert client.get(url).status_code == 200, url
    menu = client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("volunteer_reports:index") in menu


@pytest.mark.parametrize("role", [roles.INSTRUCTOR, roles.SITE_HOST])
def test_other_staff_find_no_reports(client, autumn, role):
    client.force_login(UserFactory(role=role))
    for url in _every_url():
        assert client.get(url).status_code == 404, url
    menu = client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("volunteer_reports:index") not in menu


@pytest.mark.parametrize("role", [roles.TRAINEE, roles.COORDINATOR, roles.MERCHANT])
def test_volunteers_coordinators_and_merchants_never_reach_the_reports(
    client, autumn, role
):
    client.force_login(UserFactory(role=role))
    for url in _every_url():
        response = client.get(url)
        assert response.status_code in (302, 404), url
        if response.status_code == 302:
            assert response.url.startswith(reverse("wagtailadmin_login"))


def test_an_unknown_report_or_format_is_a_404(client, autumn, school_admin):
    client.force_login(school_admin)
    assert (
        client.get(reverse("volunteer_reports:report", args=["nothing"])).status_code
        == 404
    )
    for args in (["nothing", "csv"], ["points", "pdf"]):
        url = reverse("volunteer_reports:export", args=args)
        assert client.get(url).status_code == 404


def test_the_committee_page_filters_by_community_and_shows_no_full_name(
    client, autumn, school_admin
):
    client.force_login(school_admin)
    page = client.get(
        reverse("volunteer_reports:report", args=["committee"]),
        {"community": autumn.xinghua.pk, "start": "2026-11-01", "end": "2026-11-30"},
    )
    assert page.context["rows"] == [
        ["2026-11", "杏花社区", "李*", "洗衣液", "社区便利店", "30", "已取消"]
    ]
    whole = client.get(reverse("volunteer_reports:report", args=["committee"]))
    text = whole.content.decode()
    assert "张*丰" in text
    for name in ("张三丰", "欧阳娜娜"):
        assert name not in text


def test_a_backwards_range_is_refused_on_the_page(client, autumn, school_admin):
    client.force_login(school_admin)
    page = client.get(
        reverse("volunteer_reports:report", args=["points"]),
        {"start": "2026-11-30", "end": "2026-11-01"},
    )
    assert "开始日期不能晚于结束日期。" in page.content.decode()


# --- the exports ---------------------------------------------------------------------------


def read_csv(response) -> list[list[str]]:
    assert isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def read_xlsx(response) -> list[list]:
    assert isinstance(response, FileResponse)
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]


def test_the_committee_export_reads_back_as_csv_and_xlsx(client, autumn, school_admin):
    client.force_login(school_admin)
    query = {"community": autumn.taoyuan.pk}
    url = reverse("volunteer_reports:export", args=["committee", "csv"])
    response = client.get(url, query)
    assert "attachment" in response["Content-Disposition"]
    assert read_csv(response) == [
        ["月份", "社区", "兑换人", "权益", "提供方", "积分", "状态"],
        ["2026-10", "桃园社区", "张*丰", "借阅卡", "区图书馆", "20", "已使用"],
        ["2026-11", "桃园社区", "欧阳**", "借阅卡", "区图书馆", "20", "待使用"],
    ]
    url = reverse("volunteer_reports:export", args=["committee", "xlsx"])
    rows = read_xlsx(client.get(url, query))
    assert rows[1] == [
        "2026-10",
        "桃园社区",
        "张*丰",
        "借阅卡",
        "区图书馆",
        20,
        "已使用",
    ]


def test_the_points_and_stock_exports_read_back(client, autumn, school_admin):
    client.force_login(school_admin)
    url = reverse("volunteer_reports:export", args=["points", "xlsx"])
    rows = read_xlsx(client.get(url))
    assert rows[-1] == ["合计", 65, 30, 20, 70, 0, 5, 115, 75, 40]
    url = reverse("volunteer_reports:export", args=["stock", "csv"])
    by_title = {row[0]: row for row in read_csv(client.get(url))[1:]}
    assert by_title["借阅卡"][4:9] == ["是", "3", "2", "1", "1"]
    url = reverse("volunteer_reports:export", args=["items", "csv"])
    assert read_csv(client.get(url))[1] == ["助老服务", "为老", "3", "3", "9.0", "45"]


def test_a_reward_named_like_a_formula_stays_text(client, autumn, school_admin):
    Reward.objects.filter(pk=autumn.card.pk).update(title="=HYPERLINK(1)")
    client.force_login(school_admin)
    url = reverse("volunteer_reports:export", args=["stock", "csv"])
    titles = [row[0] for row in read_csv(client.get(url))[1:]]
    assert "'=HYPERLINK(1)" in titles
    url = reverse("volunteer_reports:export", args=["stock", "xlsx"])
    titles = [row[0] for row in read_xlsx(client.get(url))[1:]]
    assert "=HYPERLINK(1)" in titles


def test_a_long_list_shows_its_first_rows_and_points_to_the_export(
    client, autumn, school_admin, monkeypatch
):
    monkeypatch.setattr("volunteers.report_views.PAGE_ROWS", 2)
    client.force_login(school_admin)
    page = client.get(reverse("volunteer_reports:report", args=["committee"]))
    assert len(page.context["rows"]) == 2
    assert "页面只显示前 2 行" in page.content.decode()
    url = reverse("volunteer_reports:export", args=["committee", "csv"])
    assert len(read_csv(client.get(url))) == 1 + 3
