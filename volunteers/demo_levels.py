"""seed_demo's ladder: people at every level with the LevelEvents that brought
them there, a finished recruitment round for community managers (53 applicants,
23 selected), some of the selected through public notice with their letters of
appointment, the rest still in notice, one of them held by an objection.

Idempotent: people are found by phone (137…), the round by its title; a second
run adds nothing. Starting states are plain rows (residents who joined months
ago); every move up goes through volunteers.levels.change_level, the selections
through volunteers.recruitment.select (one place each, into public notice), the
objection through promotions.lodge_objection and the end of the notice through
promotions.finish_notice, which issues each letter once. The demo's history is
dated when it happened: events and notices are re-dated afterwards.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from school import demo as school_demo
from school import roles
from school.models import Level, OrgUnit, User
from volunteers import promotions, recruitment
from volunteers.levels import change_level
from volunteers.models import (
    LevelEvent,
    Promotion,
    RecruitmentRound,
    RoundApplication,
)

ROUND_TITLE = "2026年社区主理人招募（第一批）"
APPLICANTS = 53
SELECTED = 23
# Selected managers whose notice has run its course (each gets a letter).
THROUGH_NOTICE = 8
# How many demo people at each level besides the applicants (who are 社区能人).
OTHERS = [(Level.RESIDENT, 12), (Level.VOLUNTEER, 15), (Level.TALENT, 10)]
STATEMENTS = [
    "在社区服务五年，组织过楼道议事会，希望带动更多邻居参与社区事务。",
    "长期参与垃圾分类督导和助老服务，愿意牵头成立社区志愿服务队。",
    "熟悉网格情况，常年协助调解邻里纠纷，希望为社区做更多事。",
    "退休后一直在社区服务，组织过多次便民活动，愿意承担更多责任。",
]
OBJECTION = "该同志近期服务时长记录与实际参与情况不一致，建议核实。"


@dataclass(frozen=True)
class DemoPerson:
    index: int
    level: str

    @property
    def phone(self) -> str:
        return f"137{self.index:08d}"


def demo_people() -> list[DemoPerson]:
    """The applicants first (社区能人), then the others, numbered from 1."""
    levels = [Level.TALENT] * APPLICANTS
    for level, count in OTHERS:
        levels += [level] * count
    return [DemoPerson(i, level) for i, level in enumerate(levels, start=1)]


def _name(index: int) -> str:
    return school_demo.trainee_name(index + 5000)


def seed(options=None) -> str:
    admin = User.objects.filter(phone=school_demo.DEMO_ACCOUNTS[0].phone).first()
    people = seed_people()
    if admin is None:
        return f"等级阶梯：新增人员 {people} 人；没有管理员账号，未建招募批次"
    return f"等级阶梯：新增人员 {people} 人；" + seed_round(admin)


def seed_people() -> int:
    """Create the missing demo people as residents who joined a year or so ago,
    and move each up to their level through change_level, a few months a step.
    Returns how many were created."""
    wanted = demo_people()
    taken = set(
        User.objects.filter(phone__in=[p.phone for p in wanted]).values_list(
            "phone", flat=True
        )
    )
    missing = [p for p in wanted if p.phone not in taken]
    if not missing:
        return 0
    units = list(
        OrgUnit.objects.of_kind(OrgUnit.Kind.GRID).values_list("pk", flat=True)
    )
    units = units or list(OrgUnit.objects.values_list("pk", flat=True)) or [None]
    now = timezone.now()
    password = make_password(school_demo.DEMO_PASSWORD)
    with transaction.atomic():
        User.objects.bulk_create(
            User(
                phone=p.phone,
                real_name=_name(p.index),
                org_unit_id=units[p.index % len(units)],
                level=Level.RESIDENT,
                password=password,
                date_joined=now - timedelta(days=400 + p.index % 60),
            )
            for p in missing
        )
        created = {
            user.phone: user
            for user in User.objects.filter(phone__in=[p.phone for p in missing])
        }
        group = Group.objects.filter(name=roles.TRAINEE).first()
        if group is not None:
            Membership = User.groups.through
            Membership.objects.bulk_create(
                Membership(user_id=user.pk, group_id=group.pk)
                for user in created.values()
            )
        for p in missing:
            _climb(created[p.phone], p)
    return len(missing)


def _climb(person: User, demo: DemoPerson) -> None:
    """Resident → … → the demo level, one LevelEvent a step, dated 2–4 months
    apart from about a year ago."""
    steps = Level.values[1 : Level.rank(demo.level) + 1]
    when = person.date_joined + timedelta(days=20 + demo.index % 30)
    for to_level in steps:
        event = change_level(
            person,
            from_level=person.level,
            to_level=to_level,
            kind=LevelEvent.Kind.PROMOTED,
            actor=None,
            note="演示数据",
        )
        LevelEvent.objects.filter(pk=event.pk).update(created_at=when)
        when += timedelta(days=60 + demo.index % 45)


def seed_round(admin: User) -> str:
    """The finished round, once: 53 applications, 23 selected into notice,
    THROUGH_NOTICE of them effective with letters, one held by an objection,
    the rest not selected."""
    if RecruitmentRound.objects.filter(title=ROUND_TITLE).exists():
        return "招募批次已存在"
    now = timezone.now()
    applicants = list(
        User.objects.filter(
            phone__in=[p.phone for p in demo_people()[:APPLICANTS]],
            level=Level.TALENT,
        ).order_by("phone")
    )
    places = min(SELECTED, len(applicants))
    if not places:
        return "没有可报名的社区能人，未建招募批次"
    the_round = recruitment.open_round(
        title=ROUND_TITLE,
        places=places,
        opens_at=now - timedelta(days=45),
        closes_at=now - timedelta(days=25),
        description="面向已取得领导力提升班结业证书的社区能人，择优选拔社区主理人。",
        actor=admin,
    )
    # Applying checks the rule at the time; the demo's applicants met it then.
    RoundApplication.objects.bulk_create(
        RoundApplication(
            recruitment_round=the_round,
            person=person,
            statement=STATEMENTS[number % len(STATEMENTS)],
            created_at=now - timedelta(days=44 - number % 18),
        )
        for number, person in enumerate(applicants)
    )
    applications = list(
        RoundApplication.objects.filter(recruitment_round=the_round).order_by("pk")
    )
    selected = [
        recruitment.select(application, actor=admin)
        for application in applications[:places]
    ]
    recruitment.close_round(the_round, actor=admin)
    # The first ones were selected long enough ago for their notice to be over.
    through = selected[:THROUGH_NOTICE]
    Promotion.objects.filter(pk__in=[p.pk for p in through]).update(
        decided_at=now - timedelta(days=20),
        notice_starts_at=now - timedelta(days=20),
        notice_ends_at=now - timedelta(days=13),
    )
    letters = 0
    letters_note = ""
    for promotion in through:
        try:
            promotions.finish_notice(promotion.pk)
        except ValidationError as error:  # no Volunteer Academy to appoint
            letters_note = "；未签发聘书：" + "；".join(error.messages)
            break
        letters += 1
    objected = ""
    still = list(selected[THROUGH_NOTICE:])
    objector = User.objects.filter(
        phone=DemoPerson(APPLICANTS + 1, Level.RESIDENT).phone
    ).first()
    if still and objector is not None:
        promotions.lodge_objection(still[0], objector=objector, reason=OBJECTION)
        objected = "，其中 1 人有异议待处理"
    return (
        f"招募批次 1 个（报名 {len(applications)} 人，入选 {len(selected)} 人），"
        f"公示期满生效 {letters} 人{letters_note}，公示中 {len(still)} 人{objected}"
    )
