"""Demo data drawn from the schools' real shape, for `manage.py seed_demo`.

Every function here is idempotent: it looks up by a stable key (code, phone, kind)
and creates only what is missing, so seeding twice leaves the same data.

`seed(options)` is this app's entry point for seed_demo, which calls every
installed app's `demo.seed` in INSTALLED_APPS order: the institution first, then
the apps that build on it (courses.demo …).
"""

import itertools
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction

from wagtail.models import Page, Site

from school import roles
from school.models import Level, OrgUnit, PracticeSite, SchoolPage, User

DISTRICT = ("示范区", "D01")
STREETS = [
    (
        "东湖街道",
        [
            "东湖",
            "樱花",
            "翠柳",
            "望江",
            "春晖",
            "临湖",
            "湖光",
            "知音",
            "书香",
            "惠民",
            "和平",
            "新村",
        ],
    ),
    (
        "南山街道",
        [
            "南山",
            "松涛",
            "枫林",
            "金桥",
            "阳光",
            "清泉",
            "玉兰",
            "石榴",
            "幸福",
            "康乐",
            "青山",
            "景园",
        ],
    ),
    (
        "西城街道",
        [
            "西城",
            "桃园",
            "紫荆",
            "丽水",
            "长丰",
            "锦绣",
            "朝阳",
            "文昌",
            "永安",
            "福星",
            "百花",
            "银河",
        ],
    ),
]
GRIDS_PER_COMMUNITY = 9
SITE_NAMES = [
    "党群服务中心",
    "新时代文明实践站",
    "应急演练基地",
    "老年助餐点",
    "儿童之家",
    "调解工作室",
    "邻里中心",
    "志愿服务站",
    "社区书院",
    "智慧网格指挥室",
    "垃圾分类示范点",
    "心理服务室",
    "退役军人服务站",
    "青年之家",
    "议事厅",
    "睦邻花园",
    "便民服务站",
    "平安联防工作站",
    "红色物业驿站",
    "家风馆",
    "共享厨房",
]

DEMO_PASSWORD = "Gridschool-2026"  # noqa: S105 - printed for the demo, never for production


@dataclass(frozen=True)
class DemoAccount:
    phone: str
    real_name: str
    role: str
    superuser: bool = False


DEMO_ACCOUNTS = [
    DemoAccount("13800000001", "王管理", roles.SCHOOL_ADMIN, superuser=True),
    DemoAccount("13800000002", "李讲师", roles.INSTRUCTOR),
    DemoAccount("13800000003", "赵站长", roles.SITE_HOST),
    DemoAccount("13800000004", "陈学员", roles.TRAINEE),
    DemoAccount("13800000005", "周协调", roles.COORDINATOR),
    DemoAccount("13800000006", "吴协调", roles.COORDINATOR),
    DemoAccount("13800000007", "刘店长", roles.MERCHANT),
]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国红梅玉兰志强海燕晓东春梅宇轩子涵浩然欣怡雨桐"


def trainee_phone(index: int) -> str:
    return f"139{index:08d}"


def trainee_name(index: int) -> str:
    surname = SURNAMES[index % len(SURNAMES)]
    first = GIVEN[(index // len(SURNAMES)) % len(GIVEN)]
    if index % 3 == 0:
        return surname + first
    second = GIVEN[(index * 7 + 3) % len(GIVEN)]
    return surname + first + second


def accounts_not_from_demo(*, limit: int = 3) -> list[str]:
    """Phones of up to `limit` accounts that seed_demo did not create: neither a
    demo account nor a demo trainee (a trainee_phone with the trainee_name of the
    same number). Such accounts mean real people use this database."""
    demo_phones = {account.phone for account in DEMO_ACCOUNTS}
    found: list[str] = []
    candidates = (
        User.objects.exclude(phone__in=demo_phones)
        .order_by("pk")
        .values_list("phone", "real_name")
    )
    for phone, real_name in candidates.iterator(chunk_size=2000):
        number = phone[3:]
        if (
            len(phone) == 11
            and phone.startswith("139")
            and number.isdigit()
            and trainee_name(int(number)) == real_name
        ):
            continue
        found.append(phone)
        if len(found) >= limit:
            break
    return found


def is_seeded() -> bool:
    """Whether seed_demo has run here: its superuser exists."""
    return User.objects.filter(phone=DEMO_ACCOUNTS[0].phone).exists()


def seed(options: dict[str, Any]) -> str:
    """The org tree, both schools, the demo accounts, the practice sites and
    `options["trainees"]` trainees. Returns a one-line summary."""
    seed_org_tree()
    seed_schools()
    seed_demo_accounts()
    seed_practice_sites()
    created = seed_trainees(options.get("trainees", 0))
    return f"组织架构、两所学校、{len(SITE_NAMES)} 个实践教学点，新建学员 {created} 人"


@transaction.atomic
def seed_org_tree() -> None:
    district = OrgUnit.objects.filter(code=DISTRICT[1]).first()
    if district is None:
        district = OrgUnit.add_root(
            name=DISTRICT[0], kind=OrgUnit.Kind.DISTRICT, code=DISTRICT[1]
        )
    existing = set(OrgUnit.objects.values_list("code", flat=True))
    for s_index, (street_name, communities) in enumerate(STREETS, start=1):
        street_code = f"{DISTRICT[1]}S{s_index:02d}"
        street = OrgUnit.objects.filter(code=street_code).first() or district.add_child(
            name=street_name, kind=OrgUnit.Kind.STREET, code=street_code
        )
        for c_index, community_name in enumerate(communities, start=1):
            community_code = f"{street_code}C{c_index:02d}"
            community = OrgUnit.objects.filter(code=community_code).first()
            if community is None:
                community = street.add_child(
                    name=f"{community_name}社区",
                    kind=OrgUnit.Kind.COMMUNITY,
                    code=community_code,
                )
            for g_index in range(1, GRIDS_PER_COMMUNITY + 1):
                grid_code = f"{community_code}G{g_index:02d}"
                if grid_code not in existing:
                    community.add_child(
                        name=f"第{g_index}网格", kind=OrgUnit.Kind.GRID, code=grid_code
                    )
                    community.refresh_from_db()


SCHOOL_PAGES = {
    SchoolPage.Kind.GRID_SCHOOL: {
        "title": "网格学校",
        "slug": "grid-school",
        "display_name": "示范区网格学校",
        "certificate_prefix": "WGXX",
        "principal_name": "周明华",
        "tagline": "培养懂政策、会服务、善治理的网格员和社区工作者",
        "intro": (
            "网格学校面向全区网格员和社区工作者，开设 70 余期培训班，"
            "累计培训 2 万余人次，在 21 个现场实践教学点开展实训。"
        ),
    },
    SchoolPage.Kind.VOLUNTEER_ACADEMY: {
        "title": "志愿者培训学院",
        "slug": "volunteer-academy",
        "display_name": "东湖街道志愿者培训学院",
        "certificate_prefix": "ZYXY",
        "principal_name": "林晓燕",
        "tagline": "从居民到社区主理人：基础通识、专项技能、领导力提升三级培训",
        "intro": (
            "志愿者培训学院以积分激励服务，带领居民一步步成长为志愿者、"
            "社区能人和社区主理人。"
        ),
    },
}
SITE_NAME = "网格学校 · 志愿者培训学院"


def _school_page(parent: Page, kind: str) -> SchoolPage:
    """The school of this kind, made and published under `parent` if missing."""
    school = SchoolPage.objects.filter(kind=kind).first()
    if school is None:
        school = parent.add_child(instance=SchoolPage(kind=kind, **SCHOOL_PAGES[kind]))
        school.save_revision().publish()
    return school


@transaction.atomic
def seed_schools() -> tuple[SchoolPage, SchoolPage]:
    """The Grid School is the site's root page; the Volunteer Academy sits under it."""
    root = Page.get_first_root_node()
    if not SchoolPage.objects.filter(kind=SchoolPage.Kind.GRID_SCHOOL).exists():
        # Wagtail's placeholder welcome page would otherwise hold the site root.
        for page in root.get_children().filter(
            content_type__model="page", content_type__app_label="wagtailcore"
        ):
            page.delete()
    grid = _school_page(root, SchoolPage.Kind.GRID_SCHOOL)
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(
            hostname="localhost",
            port=80,
            root_page=grid,
            is_default_site=True,
            site_name=SITE_NAME,
        )
    elif site.root_page_id != grid.pk:
        site.root_page = grid
        site.site_name = SITE_NAME
        site.save()
    academy = _school_page(grid, SchoolPage.Kind.VOLUNTEER_ACADEMY)
    return grid, academy


@transaction.atomic
def seed_practice_sites() -> None:
    communities = list(OrgUnit.objects.of_kind(OrgUnit.Kind.COMMUNITY).order_by("code"))
    existing = set(PracticeSite.objects.values_list("name", flat=True))
    host = User.objects.filter(phone=DEMO_ACCOUNTS[2].phone).first()
    for index, suffix in enumerate(SITE_NAMES):
        community = communities[(index * 5) % len(communities)]
        name = f"{community.name}{suffix}"
        if name in existing:
            continue
        site = PracticeSite.objects.create(
            name=name,
            address=f"{community.name}{(index % 9) + 1}号楼一层",
            org_unit=community,
            capacity=20 + (index % 4) * 10,
            opening_notes="周一至周五 9:00–17:00 开放，实践教学请提前预约。",
        )
        if host is not None and index < 3:
            site.hosts.add(host)


@transaction.atomic
def seed_demo_accounts() -> list[DemoAccount]:
    grid = OrgUnit.objects.of_kind(OrgUnit.Kind.GRID).order_by("code").first()
    for account in DEMO_ACCOUNTS:
        user = User.objects.filter(phone=account.phone).first()
        if user is None:
            user = User(
                phone=account.phone,
                real_name=account.real_name,
                org_unit=grid,
                is_superuser=account.superuser,
                is_staff=account.role != roles.TRAINEE,
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
        user.groups.add(Group.objects.get(name=account.role))
    return DEMO_ACCOUNTS


def seed_trainees(count: int, *, batch_size: int = 2000) -> int:
    """Create trainees 1..count (phones 139xxxxxxxx) spread over every grid.

    One password hash for all of them: hashing 20,000 passwords one by one would
    take minutes and prove nothing. Returns how many were created.
    """
    if count <= 0:
        return 0
    grids = list(
        OrgUnit.objects.of_kind(OrgUnit.Kind.GRID).values_list("pk", flat=True)
    )
    group = Group.objects.get(name=roles.TRAINEE)
    password = make_password(DEMO_PASSWORD)
    Membership = User.groups.through
    levels = (
        [Level.RESIDENT] * 14 + [Level.VOLUNTEER] * 4 + [Level.TALENT] + [Level.MANAGER]
    )
    created = 0
    indexes = iter(range(1, count + 1))
    while batch := list(itertools.islice(indexes, batch_size)):
        phones = {trainee_phone(i): i for i in batch}
        with transaction.atomic():
            taken = set(
                User.objects.filter(phone__in=list(phones)).values_list(
                    "phone", flat=True
                )
            )
            users = [
                User(
                    phone=phone,
                    real_name=trainee_name(i),
                    org_unit_id=grids[i % len(grids)],
                    level=levels[i % len(levels)],
                    password=password,
                )
                for phone, i in phones.items()
                if phone not in taken
            ]
            User.objects.bulk_create(users, batch_size=500)
            Membership.objects.bulk_create(
                [Membership(user_id=user.pk, group_id=group.pk) for user in users],
                batch_size=500,
            )
        created += len(users)
    return created
