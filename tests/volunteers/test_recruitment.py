"""主理人招募: who may apply to a round (the manager rule without its application
and review), one application per person per round, withdrawal, shortlisting and
selecting up to the places, the selected entering public notice, closing a round;
the volunteers' pages (only their own application) and the administrators' side
by side (constant queries; 404 to anyone else); GETs that change nothing."""

from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

import pytest

from school.models import Level
from tests.volunteers.test_recruitment_support import *  # noqa: F403 (fixtures)
from tests.volunteers.test_recruitment_support import open_now
from volunteers import recruitment
from volunteers.models import Promotion, RecruitmentRound, RoundApplication

pytestmark = pytest.mark.django_db

Status = RoundApplication.Status
STATEMENT = "我在社区服务三年，组织过夜校和邻里互助，希望带动更多居民参与。"


def apply(recruitment_round, person, statement=STATEMENT):
    return recruitment.apply_to_round(
        recruitment_round, person=person, statement=statement
    )


def local_input(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def state(application) -> str:
    application.refresh_from_db()
    return application.status


# --- eligibility -----------------------------------------------------------------------


def test_a_talent_with_a_leadership_certificate_may_apply(a_round, make_talent):
    person = make_talent("赵一")

    judged = recruitment.eligibility(a_round, person)
    application = apply(a_round, person)

    assert judged.eligible and judged.missing == []
    assert application.status == Status.APPLIED


def test_a_talent_without_the_leadership_certificate_is_told_what_is_missing(
    a_round, make_talent
):
    person = make_talent("钱二", certified=False)

    judged = recruitment.eligibility(a_round, person)

    assert not judged.eligible
    assert judged.missing == ["需完成领导力提升班（获得结业证书）"]
    with pytest.raises(ValidationError, match="领导力提升班"):
        apply(a_round, person)
    assert not RoundApplication.objects.exists()


def test_a_volunteer_below_talent_may_not_apply_even_with_the_certificate(
    a_round, make_talent
):
    person = make_talent("孙三", level=Level.VOLUNTEER)

    judged = recruitment.eligibility(a_round, person)

    assert not judged.eligible
    assert judged.missing == ["须先成为社区能人。"]
    with pytest.raises(ValidationError):
        apply(a_round, person)


def test_a_manager_is_told_they_need_not_apply(a_round, make_talent):
    person = make_talent("李四", level=Level.MANAGER)

    assert recruitment.eligibility(a_round, person).missing == [
        "您已是社区主理人，无需报名。"
    ]


def test_applications_are_taken_only_while_the_round_is_open_and_in_its_dates(
    school_admin, make_talent
):
    person = make_talent("赵一")
    now = timezone.now()
    not_yet = recruitment.open_round(
        title="下月批次",
        places=2,
        opens_at=now + timedelta(days=1),
        closes_at=now + timedelta(days=10),
        actor=school_admin,
    )
    past = recruitment.open_round(
        title="上月批次",
        places=2,
        opens_at=now - timedelta(days=10),
        closes_at=now - timedelta(minutes=1),
        actor=school_admin,
    )
    closed = open_now(school_admin, title="已结束批次")
    recruitment.close_round(closed, actor=school_admin)

    for recruitment_round in (not_yet, past, closed):
        with pytest.raises(ValidationError, match="不在报名时间内"):
            apply(recruitment_round, person)
    assert list(recruitment.open_rounds()) == []


def test_a_statement_is_required_and_at_most_1000_characters(a_round, make_talent):
    person = make_talent("赵一")

    with pytest.raises(ValidationError, match="请填写申请说明"):
        apply(a_round, person, statement="   ")
    with pytest.raises(ValidationError, match="1000"):
        apply(a_round, person, statement="字" * 1001)
    assert apply(a_round, person, statement="字" * 1000).statement == "字" * 1000


def test_one_application_per_person_per_round(a_round, make_talent):
    person = make_talent("赵一")
    apply(a_round, person)

    with pytest.raises(ValidationError, match="已报名"):
        apply(a_round, person)
    assert RoundApplication.objects.count() == 1


def test_a_withdrawn_application_may_be_renewed_while_the_round_is_open(
    a_round, make_talent
):
    person = make_talent("赵一")
    application = apply(a_round, person)

    recruitment.withdraw_application(application, person=person)
    assert state(application) == Status.WITHDRAWN
    renewed = apply(a_round, person, statement="重新报名的说明")

    assert renewed.pk == application.pk
    assert (renewed.status, renewed.statement) == (Status.APPLIED, "重新报名的说明")


def test_only_the_applicant_withdraws_and_only_while_undecided(
    a_round, make_talent, school_admin
):
    person, other = make_talent("赵一"), make_talent("钱二")
    application = apply(a_round, person)

    with pytest.raises(PermissionDenied):
        recruitment.withdraw_application(application, person=other)
    recruitment.select(application, actor=school_admin)
    with pytest.raises(ValidationError, match="已处理"):
        recruitment.withdraw_application(application, person=person)


# --- administrators --------------------------------------------------------------------


def test_only_administrators_open_shortlist_select_and_close(
    a_round, make_talent, trainee
):
    application = apply(a_round, make_talent("赵一"))

    with pytest.raises(PermissionDenied):
        open_now(trainee)
    with pytest.raises(PermissionDenied):
        recruitment.shortlist(application, actor=trainee)
    with pytest.raises(PermissionDenied):
        recruitment.select(application, actor=trainee)
    with pytest.raises(PermissionDenied):
        recruitment.close_round(a_round, actor=trainee)
    assert state(application) == Status.APPLIED


def test_a_round_needs_a_place_and_dates_in_order(school_admin):
    now = timezone.now()
    with pytest.raises(ValidationError, match="名额"):
        recruitment.open_round(
            title="x",
            places=0,
            opens_at=now,
            closes_at=now + timedelta(1),
            actor=school_admin,
        )
    with pytest.raises(ValidationError, match="截止"):
        recruitment.open_round(
            title="x", places=2, opens_at=now, closes_at=now, actor=school_admin
        )


def test_the_selected_enter_public_notice_through_a_recruitment_promotion(
    a_round, talents, school_admin
):
    application = apply(a_round, talents[0])
    recruitment.shortlist(application, actor=school_admin)

    promotion = recruitment.select(application, actor=school_admin)

    a_round.refresh_from_db()
    promotion.refresh_from_db()
    assert state(application) == Status.SELECTED
    assert a_round.selected_count == 1
    assert promotion.status == Promotion.Status.IN_NOTICE
    assert promotion.source == Promotion.Source.RECRUITMENT
    assert promotion.recruitment_round == a_round
    assert (promotion.from_level, promotion.to_level) == (Level.TALENT, Level.MANAGER)
    assert promotion.decided_by == school_admin
    assert promotion.notice_ends_at - promotion.notice_starts_at == timedelta(days=7)
    assert promotion.reasons[0] == f"入选{a_round.title}"
    talents[0].refresh_from_db()
    assert talents[0].level == Level.TALENT  # only after the notice


def test_selection_stops_at_the_places(a_round, talents, school_admin):
    applications = [apply(a_round, person) for person in talents]
    for application in applications[:2]:
        recruitment.select(application, actor=school_admin)

    with pytest.raises(ValidationError, match="名额已满"):
        recruitment.select(applications[2], actor=school_admin)

    a_round.refresh_from_db()
    assert a_round.selected_count == 2
    assert state(applications[2]) == Status.APPLIED
    assert Promotion.objects.count() == 2


def test_selecting_the_same_person_twice_takes_one_place(
    a_round, talents, school_admin
):
    application = apply(a_round, talents[0])
    recruitment.select(application, actor=school_admin)

    with pytest.raises(ValidationError, match="已处理"):
        recruitment.select(application, actor=school_admin)
    a_round.refresh_from_db()
    assert a_round.selected_count == 1


def test_a_person_with_an_open_promotion_is_not_selected_again(
    a_round, talents, school_admin
):
    Promotion.objects.create(
        person=talents[0],
        from_level=Level.TALENT,
        to_level=Level.MANAGER,
        status=Promotion.Status.PENDING_REVIEW,
        source=Promotion.Source.APPLICATION,
    )
    application = apply(a_round, talents[0])

    with pytest.raises(ValidationError, match="待处理的晋级"):
        recruitment.select(application, actor=school_admin)
    a_round.refresh_from_db()
    assert (a_round.selected_count, state(application)) == (0, Status.APPLIED)


def test_closing_a_round_turns_the_rest_down_once(a_round, talents, school_admin):
    applications = [apply(a_round, person) for person in talents]
    recruitment.select(applications[0], actor=school_admin)
    recruitment.shortlist(applications[1], actor=school_admin)

    assert recruitment.close_round(a_round, actor=school_admin) == 2
    assert [state(a) for a in applications] == [
        Status.SELECTED,
        Status.NOT_SELECTED,
        Status.NOT_SELECTED,
    ]
    with pytest.raises(ValidationError, match="已结束"):
        recruitment.close_round(a_round, actor=school_admin)
    with pytest.raises(ValidationError, match="已结束"):
        recruitment.select(applications[1], actor=school_admin)


def test_the_database_refuses_a_round_over_its_places(a_round):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        RecruitmentRound.objects.filter(pk=a_round.pk).update(selected_count=3)


# --- the volunteers' pages -------------------------------------------------------------


def test_the_rounds_page_says_who_may_apply_and_what_is_missing(
    client, a_round, make_talent
):
    eligible, short = make_talent("赵一"), make_talent("钱二", certified=False)

    client.force_login(eligible)
    page = client.get(reverse("recruitment:rounds")).content.decode()
    assert a_round.title in page and "我要报名" in page

    client.force_login(short)
    page = client.get(reverse("recruitment:rounds")).content.decode()
    assert "需完成领导力提升班（获得结业证书）" in page and "我要报名" not in page


def test_a_visitor_is_sent_to_log_in(client, a_round):
    for url in (
        reverse("recruitment:rounds"),
        reverse("recruitment:apply", args=[a_round.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response.url


def test_applying_through_the_page_then_seeing_my_application(
    client, a_round, make_talent
):
    person = make_talent("赵一")
    client.force_login(person)
    url = reverse("recruitment:apply", args=[a_round.pk])

    assert client.get(url).status_code == 200
    assert not RoundApplication.objects.exists()  # a GET writes nothing
    response = client.post(url, {"statement": STATEMENT})

    application = RoundApplication.objects.get()
    assert response.url == reverse("recruitment:application", args=[application.pk])
    page = client.get(response.url).content.decode()
    assert "已报名" in page and STATEMENT in page


def test_an_empty_statement_is_refused_on_the_form(client, a_round, make_talent):
    client.force_login(make_talent("赵一"))

    response = client.post(
        reverse("recruitment:apply", args=[a_round.pk]), {"statement": ""}
    )

    assert response.status_code == 400
    assert not RoundApplication.objects.exists()


def test_a_volunteer_sees_and_withdraws_only_their_own_application(
    client, a_round, make_talent
):
    owner, other = make_talent("赵一"), make_talent("钱二")
    application = apply(a_round, owner)
    client.force_login(other)

    assert (
        client.get(
            reverse("recruitment:application", args=[application.pk])
        ).status_code
        == 404
    )
    assert (
        client.post(reverse("recruitment:withdraw", args=[application.pk])).status_code
        == 404
    )
    assert state(application) == Status.APPLIED

    client.force_login(owner)
    client.post(reverse("recruitment:withdraw", args=[application.pk]))
    assert state(application) == Status.WITHDRAWN


def test_withdrawing_by_get_changes_nothing(client, a_round, make_talent):
    owner = make_talent("赵一")
    application = apply(a_round, owner)
    client.force_login(owner)

    response = client.get(reverse("recruitment:withdraw", args=[application.pk]))

    assert response.status_code == 405
    assert state(application) == Status.APPLIED


# --- the administrators' side ----------------------------------------------------------


def test_the_side_by_side_view_shows_each_applicants_record(
    client, a_round, talents, school_admin
):
    from tests.volunteers.test_ladder import credit

    credit(talents[0], points=120, hours="26.5")
    for person in talents:
        apply(a_round, person)
    client.force_login(school_admin)

    page = client.get(reverse("recruitment_admin:round", args=[a_round.pk]))

    text = page.content.decode()
    assert page.status_code == 200
    for person in talents:
        assert person.real_name in text
    assert "社区领导力（领导力提升班）" in text
    assert "26.5" in text and "120" in text
    assert STATEMENT in text
    assert "已选 0 / 名额 2" in text


def test_the_side_by_side_view_takes_the_same_queries_for_one_or_many(
    client, school_admin, make_talent
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(school_admin)
    counts = []
    for many in (1, 6):
        recruitment_round = open_now(school_admin, title=f"批次{many}")
        for index in range(many):
            apply(recruitment_round, make_talent(f"报名人{many}-{index}"))
        url = reverse("recruitment_admin:round", args=[recruitment_round.pk])
        client.get(url)  # warm per-request caches (menus, site)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_the_applicants_selector_is_a_fixed_number_of_queries(
    a_round, talents, django_assert_num_queries
):
    for person in talents:
        apply(a_round, person)

    with django_assert_num_queries(5):
        listed = recruitment.applicants(a_round)
    assert [a.certificates for a in listed] == [["社区领导力（领导力提升班）"]] * 3
    assert {a.attendance.percent for a in listed} == {None}
    assert {a.satisfaction for a in listed} == {None}


def test_an_applicant_who_ran_sessions_shows_the_feedback_they_received(
    a_round, talents, class_session, trainee, other_trainee
):
    from courses.models import Feedback

    class_session.instructors.add(talents[0])
    for person, score in ((trainee, 5), (other_trainee, 4)):
        Feedback.objects.create(
            trainee=person,
            session=class_session,
            training_class=class_session.training_class,
            score=score,
        )
    apply(a_round, talents[0])
    apply(a_round, talents[1])

    listed = recruitment.applicants(a_round)

    assert [a.satisfaction for a in listed] == [(Decimal("4.5"), 2), None]


@pytest.mark.parametrize("who", ["trainee", "instructor", "site_host"])
def test_the_admin_side_is_a_404_to_anyone_but_administrators(
    client, request, who, a_round, talents
):
    application = apply(a_round, talents[0])
    client.force_login(request.getfixturevalue(who))

    for url in (
        reverse("recruitment_admin:index"),
        reverse("recruitment_admin:create"),
        reverse("recruitment_admin:round", args=[a_round.pk]),
    ):
        assert client.get(url).status_code in (302, 403, 404), url
    for url in (
        reverse("recruitment_admin:select", args=[application.pk]),
        reverse("recruitment_admin:shortlist", args=[application.pk]),
        reverse("recruitment_admin:close", args=[a_round.pk]),
    ):
        assert client.post(url).status_code in (302, 403, 404), url
    a_round.refresh_from_db()
    assert state(application) == Status.APPLIED
    assert a_round.status == RecruitmentRound.Status.OPEN


def test_an_administrator_creates_a_round_in_the_admin(client, school_admin):
    client.force_login(school_admin)
    url = reverse("recruitment_admin:create")

    assert client.get(url).status_code == 200
    assert not RecruitmentRound.objects.exists()
    response = client.post(
        url,
        {
            "title": "第三批社区主理人招募",
            "places": "23",
            "opens_at": local_input(timezone.now() - timedelta(days=30)),
            "closes_at": local_input(timezone.now() - timedelta(days=1)),
            "description": "面向社区能人",
        },
    )

    created = RecruitmentRound.objects.get()
    assert response.url == reverse("recruitment_admin:round", args=[created.pk])
    assert (created.places, created.created_by) == (23, school_admin)
    index = client.get(reverse("recruitment_admin:index")).content.decode()
    assert "第三批社区主理人招募" in index and "0 / 23" in index
    assert "报名已截止" in index


def test_an_administrator_shortlists_selects_and_closes_through_the_buttons(
    client, a_round, talents, school_admin
):
    applications = [apply(a_round, person) for person in talents]
    client.force_login(school_admin)

    client.post(reverse("recruitment_admin:shortlist", args=[applications[0].pk]))
    client.post(reverse("recruitment_admin:select", args=[applications[0].pk]))
    client.post(reverse("recruitment_admin:select", args=[applications[1].pk]))
    response = client.post(
        reverse("recruitment_admin:select", args=[applications[2].pk]), follow=True
    )

    assert "名额已满" in response.content.decode()
    client.post(reverse("recruitment_admin:close", args=[a_round.pk]))
    assert [state(a) for a in applications] == [
        Status.SELECTED,
        Status.SELECTED,
        Status.NOT_SELECTED,
    ]
    assert Promotion.objects.filter(status=Promotion.Status.IN_NOTICE).count() == 2


def test_get_on_the_admin_buttons_changes_nothing(
    client, a_round, talents, school_admin
):
    application = apply(a_round, talents[0])
    client.force_login(school_admin)

    for url in (
        reverse("recruitment_admin:select", args=[application.pk]),
        reverse("recruitment_admin:shortlist", args=[application.pk]),
        reverse("recruitment_admin:close", args=[a_round.pk]),
    ):
        assert client.get(url).status_code == 405
    a_round.refresh_from_db()
    assert (a_round.selected_count, a_round.status) == (0, "open")
    assert state(application) == Status.APPLIED
