"""seed_demo's volunteer service: ~40 point items, the demo coordinators' scopes,
caring merchants and partner units with ~30 rewards, and six months of service
and redemptions for the demo volunteers, so that balances, the coordinator's
queue, 积分商城 and the reports have something to show. Idempotent: items,
merchants and rewards are found by name; a volunteer who already has a service
record gets no new history.

Every movement of points goes through volunteers.ledger.append_entry, in the
order it happened, so each account's counters equal the sum of its entries.
The services stamp `now`; the demo's history is dated when it happened (served,
decided, redeemed), and its entries are dated to match afterwards, so that the
monthly reports have months to show.
"""

import heapq
import itertools
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from school import demo as school_demo
from school.models import Level, OrgUnit, User
from volunteers import demo_activities, demo_levels, ledger
from volunteers.models import (
    CoordinatorScope,
    Merchant,
    PointEntry,
    PointItem,
    Redemption,
    RedemptionEvent,
    Reward,
    ServiceRecord,
    ServiceRecordEvent,
)
from volunteers.services import full_points

HOUR = PointItem.Unit.HOUR
ONCE = PointItem.Unit.OCCURRENCE
# (name, category, unit, points, daily cap, monthly cap, what it covers)
POINT_ITEMS = [
    (
        "巡查处置",
        "平安建设",
        ONCE,
        10,
        30,
        None,
        "网格巡查中发现并处置安全隐患、矛盾苗头",
    ),
    ("消防安全巡查", "平安建设", ONCE, 8, 24, None, "检查楼道堆物、电动车违规充电等"),
    ("平安联防值守", "平安建设", HOUR, 5, 20, None, "节假日、重大活动期间的联防值守"),
    ("反诈宣传", "平安建设", ONCE, 6, None, 60, "入户或摆摊宣传防范电信网络诈骗"),
    ("禁毒宣传", "平安建设", ONCE, 6, None, 60, "禁毒知识宣传进楼栋、进学校"),
    ("交通文明引导", "平安建设", HOUR, 5, 20, None, "路口、校门口的交通文明引导"),
    (
        "矛盾化解",
        "矛盾调解",
        ONCE,
        20,
        None,
        100,
        "参与化解邻里、物业、家庭矛盾并达成一致",
    ),
    ("邻里纠纷调解", "矛盾调解", ONCE, 15, None, 90, "协助调解员调解邻里纠纷"),
    ("法律咨询服务", "矛盾调解", HOUR, 8, None, None, "法律志愿者为居民提供咨询"),
    ("文明劝导", "文明实践", ONCE, 5, 15, None, "劝导乱扔垃圾、不文明停车等行为"),
    ("文明养犬劝导", "文明实践", ONCE, 5, 15, None, "劝导遛狗牵绳、清理犬只粪便"),
    (
        "志愿服务站值班",
        "文明实践",
        HOUR,
        4,
        16,
        None,
        "新时代文明实践站、志愿服务站值班",
    ),
    ("应急救援", "应急处置", ONCE, 30, None, None, "参与突发事件的应急救援、疏散"),
    ("防汛值守", "应急处置", HOUR, 6, 36, None, "汛期巡堤、值守、转移群众"),
    ("应急演练", "应急处置", ONCE, 10, None, 40, "参加社区消防、地震等应急演练"),
    ("疫苗接种引导", "应急处置", HOUR, 5, 20, None, "接种点秩序维护和老人引导"),
    ("垃圾分类督导", "生态环境", HOUR, 4, 12, None, "定时定点投放点值守督导"),
    ("环境整治", "生态环境", HOUR, 4, 16, None, "背街小巷、楼道和绿化带环境整治"),
    ("植树护绿", "生态环境", ONCE, 8, None, 40, "义务植树、认养绿地养护"),
    ("楼道清理", "生态环境", ONCE, 5, 10, None, "清理楼道杂物和小广告"),
    ("助老服务", "为老助残", HOUR, 5, 20, None, "探访独居老人、陪同就医、代购代办"),
    ("助残服务", "为老助残", HOUR, 5, 20, None, "为残疾人提供出行、康复陪伴等服务"),
    ("老年助餐送餐", "为老助残", ONCE, 4, 12, None, "为行动不便的老人送餐上门"),
    (
        "智能手机教学",
        "为老助残",
        HOUR,
        6,
        None,
        60,
        "教老人使用健康码、视频通话、移动支付",
    ),
    ("关爱未成年人", "关爱少儿", HOUR, 5, 20, None, "留守、困境儿童的陪伴和关爱"),
    ("四点半课堂", "关爱少儿", HOUR, 6, None, 80, "放学后的作业辅导和兴趣课堂"),
    ("暑期托管", "关爱少儿", HOUR, 5, 25, None, "暑期社区托管班的看护和活动"),
    ("献血", "健康服务", ONCE, 50, None, 50, "无偿献血（凭献血证登记）"),
    ("义诊协助", "健康服务", HOUR, 5, 20, None, "协助医生开展社区义诊、健康咨询"),
    ("心理疏导陪伴", "健康服务", HOUR, 6, None, 60, "受过培训的志愿者提供倾听陪伴"),
    ("政策宣讲", "宣传宣讲", ONCE, 10, None, 50, "向居民宣讲惠民政策"),
    ("理论宣讲", "宣传宣讲", ONCE, 10, None, 50, "党的创新理论进楼栋、进院落"),
    ("新闻信息报送", "宣传宣讲", ONCE, 3, None, 30, "撰写并报送社区志愿服务信息"),
    ("文艺演出", "文体活动", ONCE, 10, None, 40, "参加社区文艺汇演、节日演出"),
    ("全民健身指导", "文体活动", HOUR, 4, 12, None, "带领居民开展广场舞、太极等健身"),
    ("读书会组织", "文体活动", ONCE, 8, None, 32, "组织社区读书会、分享会"),
    ("社区议事", "社区治理", ONCE, 8, None, 32, "参加居民议事会，提出并讨论社区事务"),
    ("民意收集走访", "社区治理", ONCE, 3, 15, None, "入户走访收集居民意见建议"),
    ("网格信息采集", "社区治理", ONCE, 2, 20, None, "协助网格员采集、核实基础信息"),
    ("邻里互助", "邻里守望", ONCE, 5, 15, None, "为邻居代收快递、照看孩子等互助"),
    ("便民维修", "邻里守望", ONCE, 8, 24, None, "义务修理小家电、自行车、雨伞"),
    ("共享厨房帮厨", "邻里守望", HOUR, 4, 12, None, "社区共享厨房、长者食堂帮厨"),
]

MERCHANT = Merchant.Kind.MERCHANT
PARTNER = Merchant.Kind.PARTNER
# (name, kind, community code, address, phone)
MERCHANTS = [
    ("东湖社区便利店", MERCHANT, "D01S01C01", "东湖社区3号楼底商", "027-8760 1201"),
    ("樱花理发店", MERCHANT, "D01S01C02", "樱花社区樱花路18号", "027-8760 1202"),
    ("翠柳早餐店", MERCHANT, "D01S01C03", "翠柳社区翠柳街5号", "027-8760 1203"),
    ("望江水果店", MERCHANT, "D01S01C04", "望江社区临江路66号", "027-8760 1204"),
    ("春晖洗衣店", MERCHANT, "D01S01C05", "春晖社区菜场旁", "027-8760 1205"),
    ("南山爱心药房", MERCHANT, "D01S02C01", "南山社区南山路2号", "027-8760 2201"),
    ("松涛照相馆", MERCHANT, "D01S02C02", "松涛社区文化广场东侧", "027-8760 2202"),
    ("区图书馆", PARTNER, None, "示范区文化中心二楼", "027-8760 0001"),
    ("东湖街道文化站", PARTNER, "D01S01C01", "东湖街道综合文化站", "027-8760 1000"),
    ("区青少年活动中心", PARTNER, None, "示范区青年路9号", "027-8760 0002"),
    (
        "西城社区党群服务中心",
        PARTNER,
        "D01S03C01",
        "西城社区党群服务中心",
        "027-8760 3201",
    ),
]

GOODS, SERVICE = Reward.Category.GOODS, Reward.Category.SERVICE
SPACE, PUBLICITY = Reward.Category.SPACE_USE, Reward.Category.PUBLICITY
RESIDENT, VOLUNTEER = Level.RESIDENT, Level.VOLUNTEER
TALENT, MANAGER = Level.TALENT, Level.MANAGER
# (merchant, title, category, points, stock, per-person limit, minimum level)
REWARDS = [
    ("东湖社区便利店", "洗衣液一瓶", GOODS, 30, 50, 2, RESIDENT),
    ("东湖社区便利店", "抽纸一提", GOODS, 20, 80, None, RESIDENT),
    ("东湖社区便利店", "酱油醋组合", GOODS, 15, 60, None, RESIDENT),
    ("东湖社区便利店", "大米五斤", GOODS, 60, 30, 1, VOLUNTEER),
    ("东湖社区便利店", "食用油一桶", GOODS, 80, 20, 1, VOLUNTEER),
    ("樱花理发店", "理发一次", SERVICE, 40, 30, 2, RESIDENT),
    ("樱花理发店", "老人上门理发", SERVICE, 60, 10, 1, VOLUNTEER),
    ("翠柳早餐店", "早餐券一份", SERVICE, 10, 200, 5, RESIDENT),
    ("翠柳早餐店", "早餐周卡", SERVICE, 50, 20, 1, VOLUNTEER),
    ("望江水果店", "应季水果一份", GOODS, 25, 40, 2, RESIDENT),
    ("春晖洗衣店", "衣物干洗一件", SERVICE, 30, 40, 2, RESIDENT),
    ("春晖洗衣店", "床品清洗一套", SERVICE, 50, 20, 1, VOLUNTEER),
    ("南山爱心药房", "家庭常备药包", GOODS, 40, 30, 1, VOLUNTEER),
    ("南山爱心药房", "血糖检测十次卡", SERVICE, 20, 50, 1, RESIDENT),
    ("松涛照相馆", "证件照一版", SERVICE, 20, 40, 1, RESIDENT),
    ("松涛照相馆", "全家福拍摄", SERVICE, 120, 10, 1, TALENT),
    ("区图书馆", "图书借阅卡（一年）", SERVICE, 30, 100, 1, RESIDENT),
    ("区图书馆", "文创帆布袋", GOODS, 15, 100, 1, RESIDENT),
    ("区图书馆", "研讨间半天使用权", SPACE, 80, 12, 2, MANAGER),
    ("区图书馆", "读书分享会宣传展位", PUBLICITY, 100, 6, 1, MANAGER),
    ("东湖街道文化站", "电影票两张", GOODS, 40, 40, 1, VOLUNTEER),
    ("东湖街道文化站", "多功能厅半天使用权", SPACE, 120, 8, 2, MANAGER),
    ("东湖街道文化站", "排练室两小时使用权", SPACE, 60, 20, 3, MANAGER),
    ("东湖街道文化站", "文化站公众号推文一篇", PUBLICITY, 150, 4, 1, MANAGER),
    ("东湖街道文化站", "宣传栏海报位一周", PUBLICITY, 80, 10, 1, MANAGER),
    ("区青少年活动中心", "青少年科普体验课", SERVICE, 50, 30, 1, VOLUNTEER),
    ("区青少年活动中心", "活动室半天使用权", SPACE, 90, 10, 2, MANAGER),
    ("西城社区党群服务中心", "共享厨房半天使用权", SPACE, 70, 10, 2, MANAGER),
    ("西城社区党群服务中心", "电子屏宣传时段一周", PUBLICITY, 90, 6, 1, MANAGER),
    ("西城社区党群服务中心", "志愿者马甲帽子套装", GOODS, 20, 60, 1, RESIDENT),
]
REWARD_NOTES = {
    SPACE: "社区主理人开展夜校、工坊等活动时使用，请提前三天预约时段。",
    PUBLICITY: "用于宣传社区主理人发起的公益活动，内容须经社区审核。",
}

# Demo account phone -> the streets (codes) that coordinator covers.
COORDINATOR_SCOPES = {
    "13800000005": ["D01S01"],
    "13800000006": ["D01S02", "D01S03"],
}
MERCHANT_STAFF = {"13800000007": ["东湖社区便利店", "樱花理发店"]}

HISTORY_VOLUNTEERS = 60  # the demo trainees (volunteer level and up) given a history
HISTORY_DAYS = 180
PENDING_DAYS = 10  # services this recent are still waiting for a coordinator
REJECT_REASONS = [
    "服务时长与活动签到记录不符，请核对后重新登记。",
    "同一服务已由组织单位统一登记，请勿重复登记。",
    "请补充服务地点和服务内容的具体说明。",
]
PLACES = [
    "党群服务中心",
    "小区东门",
    "3号楼楼道",
    "社区广场",
    "志愿服务站",
    "老年活动室",
]


def seed(options: dict[str, Any]) -> str:
    items = seed_point_items()
    seed_coordinator_scopes()
    merchants = seed_merchants()
    rewards = seed_rewards()
    records, redemptions = seed_history()
    demo_levels.seed(options)
    activities = demo_activities.seed(options)
    return (
        f"积分事项 {items} 项，爱心商户和共建单位 {merchants} 家，权益 {rewards} 项；"
        f"新增服务记录 {records} 条、兑换 {redemptions} 笔；{activities}"
    )


@transaction.atomic
def seed_point_items() -> int:
    existing = set(PointItem.objects.values_list("name", flat=True))
    PointItem.objects.bulk_create(
        PointItem(
            name=name,
            category=category,
            unit=unit,
            points=points,
            daily_cap=daily,
            monthly_cap=monthly,
            description=description,
        )
        for name, category, unit, points, daily, monthly, description in POINT_ITEMS
        if name not in existing
    )
    return len(POINT_ITEMS)


@transaction.atomic
def seed_coordinator_scopes() -> None:
    units = dict(OrgUnit.objects.values_list("code", "pk"))
    for phone, codes in COORDINATOR_SCOPES.items():
        coordinator = User.objects.filter(phone=phone).first()
        for code in codes:
            if coordinator is not None and code in units:
                CoordinatorScope.objects.get_or_create(
                    coordinator=coordinator, org_unit_id=units[code]
                )


@transaction.atomic
def seed_merchants() -> int:
    units = dict(OrgUnit.objects.values_list("code", "pk"))
    existing = set(Merchant.objects.values_list("name", flat=True))
    Merchant.objects.bulk_create(
        Merchant(
            name=name,
            kind=kind,
            org_unit_id=units.get(code),
            address=address,
            contact_phone=phone,
        )
        for name, kind, code, address, phone in MERCHANTS
        if name not in existing
    )
    by_name = {merchant.name: merchant for merchant in Merchant.objects.all()}
    for phone, names in MERCHANT_STAFF.items():
        staff = User.objects.filter(phone=phone).first()
        for name in names:
            if staff is not None and name in by_name:
                by_name[name].staff.add(staff)
    return len(MERCHANTS)


@transaction.atomic
def seed_rewards() -> int:
    merchants = dict(Merchant.objects.values_list("name", "pk"))
    existing = set(Reward.objects.values_list("merchant__name", "title"))
    Reward.objects.bulk_create(
        Reward(
            merchant_id=merchants[merchant],
            title=title,
            category=category,
            description=REWARD_NOTES.get(category, ""),
            points_cost=points,
            stock=stock,
            per_person_limit=limit,
            minimum_level=level,
            code_valid_days=30,
        )
        for merchant, title, category, points, stock, limit, level in REWARDS
        if (merchant, title) not in existing and merchant in merchants
    )
    return len(REWARDS)


# --- six months of service and redemptions ---------------------------------------------


@dataclass
class Step:
    """One dated happening of a volunteer's history, replayed in order."""

    at: datetime
    kind: str  # "approve", "redeem", "use", "cancel"
    record: ServiceRecord | None = None
    redemption: Redemption | None = None


def _moment(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def history_volunteers() -> list[User]:
    """The demo trainee account and the first demo trainees at volunteer level or
    above, with a unit, in phone order."""
    demo_trainee = school_demo.DEMO_ACCOUNTS[3].phone
    people = list(
        User.objects.filter(
            phone__startswith="139",
            level__in=[Level.VOLUNTEER, Level.TALENT, Level.MANAGER],
            org_unit__isnull=False,
        )
        .select_related("org_unit")
        .order_by("phone")[:HISTORY_VOLUNTEERS]
    )
    first = User.objects.filter(phone=demo_trainee).select_related("org_unit").first()
    return ([first] if first else []) + people


def _deciders() -> tuple[dict[str, User], User | None]:
    """Each covered unit's path -> its coordinator, and the administrator who
    decides for everyone else."""
    scopes = CoordinatorScope.objects.select_related("coordinator", "org_unit")
    by_path = {scope.org_unit.path: scope.coordinator for scope in scopes}
    admin = User.objects.filter(phone=school_demo.DEMO_ACCOUNTS[0].phone).first()
    return by_path, admin


def seed_history() -> tuple[int, int]:
    """Service and redemptions for each demo volunteer without any service yet,
    one volunteer per transaction. Returns (records, redemptions) added."""
    volunteers = history_volunteers()
    done = set(
        ServiceRecord.objects.filter(volunteer__in=volunteers).values_list(
            "volunteer_id", flat=True
        )
    )
    items = list(PointItem.objects.filter(name__in=[i[0] for i in POINT_ITEMS]))
    rewards = list(
        Reward.objects.filter(
            merchant__name__in=[m[0] for m in MERCHANTS]
        ).select_related("merchant")
    )
    by_path, admin = _deciders()
    records = redemptions = 0
    for person in volunteers:
        if person.pk in done or not items:
            continue
        decider = next(
            (
                coordinator
                for path, coordinator in by_path.items()
                if person.org_unit.path.startswith(path) and coordinator != person
            ),
            admin,
        )
        if decider is None:
            continue
        added = _seed_person(person, items=items, rewards=rewards, decider=decider)
        records += added[0]
        redemptions += added[1]
    return records, redemptions


@transaction.atomic
def _seed_person(
    person: User, *, items: list[PointItem], rewards: list[Reward], decider: User
) -> tuple[int, int]:
    rng = random.Random(person.phone)  # noqa: S311 - demo data, not secrets
    today = timezone.localdate()
    now = timezone.now()
    days = sorted(rng.sample(range(1, HISTORY_DAYS), rng.randint(5, 12)), reverse=True)
    records = []
    earned: dict[tuple, int] = {}  # (item, year, month) -> points, for monthly caps
    for back in days:
        item = rng.choice(items)
        served_on = today - timedelta(days=back)
        hours = Decimal(rng.choice(["1", "1.5", "2", "2.5", "3", "4"]))
        logged = _moment(served_on, 20)
        record = ServiceRecord(
            volunteer=person,
            item=item,
            served_on=served_on,
            hours=hours,
            place=f"{person.org_unit.name}{rng.choice(PLACES)}",
            description=f"{item.name}：{item.description}",
            logged_by=person,
            created_at=logged,
        )
        decided = logged + timedelta(days=rng.randint(1, 3), hours=-6)
        if back <= PENDING_DAYS or decided >= now:
            record.status = ServiceRecord.Status.PENDING
        elif rng.random() < 0.12:
            record.status = ServiceRecord.Status.REJECTED
            record.reject_reason = rng.choice(REJECT_REASONS)
            record.decided_by, record.decided_at = decider, decided
        else:
            points = full_points(item, hours)
            if item.daily_cap is not None:
                points = min(points, item.daily_cap)  # one record per day
            key = (item.pk, served_on.year, served_on.month)
            room = points
            if item.monthly_cap is not None:
                room = max(min(points, item.monthly_cap - earned.get(key, 0)), 0)
            earned[key] = earned.get(key, 0) + room
            record.status = ServiceRecord.Status.APPROVED
            record.decided_by, record.decided_at = decider, decided
            record.points_awarded = room
            record.points_capped = full_points(item, hours) - room
        records.append(record)
    ServiceRecord.objects.bulk_create(records)

    # Approvals, and a few wishes to redeem something, replayed in time order; a
    # redemption's use or cancellation joins the queue at its own moment.
    order = itertools.count()  # ties in time keep the order they were queued in
    queue = [
        (
            record.decided_at,
            next(order),
            Step(record.decided_at, "approve", record=record),
        )
        for record in records
        if record.status == ServiceRecord.Status.APPROVED
    ]
    for _wish in range(rng.randint(1, 4)):
        at = now - timedelta(
            days=rng.randint(2, HISTORY_DAYS - 20), hours=rng.randint(0, 8)
        )
        queue.append((at, next(order), Step(at, "redeem")))
    heapq.heapify(queue)
    events = []
    dated: list[tuple[PointEntry, datetime]] = []
    balance = ledger.balance_of(person).balance
    redeemed, taken = 0, {}
    while queue:
        _at, _n, step = heapq.heappop(queue)
        if step.kind == "approve":
            record = step.record
            events.append(
                ServiceRecordEvent(
                    record=record,
                    kind=ServiceRecordEvent.Kind.APPROVED,
                    actor=decider,
                    created_at=step.at,
                )
            )
            if record.points_awarded or record.hours:
                entry = ledger.append_entry(
                    person,
                    kind=PointEntry.Kind.SERVICE,
                    amount=record.points_awarded,
                    hours=record.hours,
                    actor=decider,
                    service_record=record,
                )
                dated.append((entry, step.at))
                balance += record.points_awarded
        elif step.kind == "redeem":
            reward = _affordable(rewards, person, balance, taken, rng)
            if reward is None:
                continue
            redemption = _redeem(person, reward, step.at)
            if redemption is None:
                continue
            dated.append((redemption.debit, step.at))
            taken[reward.pk] = taken.get(reward.pk, 0) + 1
            redeemed += 1
            balance -= reward.points_cost
            later = step.at + timedelta(days=rng.randint(1, 6), hours=rng.randint(1, 5))
            outcome = rng.random()
            if later >= now or (redemption.expires_at > now and outcome < 0.3):
                continue  # still to be used
            kind = "use" if outcome < 0.8 else "cancel"
            heapq.heappush(
                queue,
                (
                    later,
                    next(order),
                    Step(later, kind, redemption=redemption),
                ),
            )
        elif step.kind == "use":
            _use(step.redemption, step.at)
        else:
            refund = _cancel(step.redemption, step.at)
            dated.append((refund, step.at))
            balance += step.redemption.points
    ServiceRecordEvent.objects.bulk_create(
        [
            *(
                ServiceRecordEvent(
                    record=record,
                    kind=ServiceRecordEvent.Kind.LOGGED,
                    actor=person,
                    created_at=record.created_at,
                )
                for record in records
            ),
            *events,
            *(
                ServiceRecordEvent(
                    record=record,
                    kind=ServiceRecordEvent.Kind.REJECTED,
                    actor=decider,
                    note=record.reject_reason,
                    created_at=record.decided_at,
                )
                for record in records
                if record.status == ServiceRecord.Status.REJECTED
            ),
        ]
    )
    for entry, moment in dated:
        entry.created_at = moment
    # Dating the demo's entries when they happened: one UPDATE, never a save().
    PointEntry.objects.bulk_update([entry for entry, _at in dated], ["created_at"])
    return len(records), redeemed


def _affordable(
    rewards: list[Reward],
    person: User,
    balance: int,
    taken: dict[int, int],
    rng: random.Random,
) -> Reward | None:
    """A reward the person may redeem with `balance`: level, limit, price."""
    rank = Level.rank(person.level)
    choices = [
        reward
        for reward in rewards
        if reward.points_cost <= balance
        and Level.rank(reward.minimum_level) <= rank
        and (
            reward.per_person_limit is None
            or taken.get(reward.pk, 0) < reward.per_person_limit
        )
    ]
    return rng.choice(choices) if choices else None


def _redeem(person: User, reward: Reward, at: datetime) -> Redemption | None:
    """A redemption made at `at`: stock by conditional UPDATE and a debit through
    the ledger (kept on the object as `debit`). None when the shelf is empty."""
    if not Reward.objects.filter(pk=reward.pk, stock__gte=1).update(
        stock=F("stock") - 1
    ):
        return None
    redemption = Redemption.objects.create(
        reward=reward,
        person=person,
        points=reward.points_cost,
        created_at=at,
        expires_at=at + timedelta(days=reward.code_valid_days),
    )
    redemption.debit = ledger.append_entry(
        person,
        kind=PointEntry.Kind.REDEMPTION,
        amount=-reward.points_cost,
        actor=person,
        reason=reward.title,
        redemption=redemption,
    )
    RedemptionEvent.objects.create(
        redemption=redemption,
        kind=RedemptionEvent.Kind.ISSUED,
        actor=person,
        created_at=at,
    )
    return redemption


def _use(redemption: Redemption, at: datetime) -> None:
    """Marked used at the merchant by its staff (an administrator's if none)."""
    staff = redemption.reward.merchant.staff.first()
    Redemption.objects.filter(pk=redemption.pk).update(
        status=Redemption.Status.USED, used_at=at, used_by=staff
    )
    RedemptionEvent.objects.create(
        redemption=redemption,
        kind=RedemptionEvent.Kind.USED,
        actor=staff,
        created_at=at,
    )


def _cancel(redemption: Redemption, at: datetime) -> PointEntry:
    """Cancelled by the volunteer: the stock and the points come back."""
    Redemption.objects.filter(pk=redemption.pk).update(
        status=Redemption.Status.CANCELLED, cancelled_at=at
    )
    Reward.objects.filter(pk=redemption.reward_id).update(stock=F("stock") + 1)
    RedemptionEvent.objects.create(
        redemption=redemption,
        kind=RedemptionEvent.Kind.CANCELLED,
        actor=redemption.person,
        created_at=at,
    )
    return ledger.append_entry(
        redemption.person,
        kind=PointEntry.Kind.REFUND,
        amount=redemption.points,
        actor=redemption.person,
        reason=f"取消兑换：{redemption.reward.title}",
        redemption=redemption,
    )
