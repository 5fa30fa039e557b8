"""The shapes /api/v1/ reads and writes (pydantic, through django-ninja): what
the OpenAPI schema publishes. Labels are in the request's language (Chinese
first); codes (`status`, `level`, `kind`) are stable for the app to branch on."""

from datetime import date, datetime
from decimal import Decimal

from ninja import Schema
from pydantic import Field


class ErrorOut(Schema):
    """Every refusal: the reasons, in words a trainee understands."""

    detail: list[str]


class TokenIn(Schema):
    phone: str = Field(max_length=40)
    password: str = Field(max_length=4096)
    name: str = Field("", max_length=60, description="设备名称，如“张三的手机”")


class TokenOut(Schema):
    token: str = Field(description="只在此处返回一次，请妥善保存")
    prefix: str
    name: str
    created_at: datetime


class RevokedOut(Schema):
    prefix: str
    revoked_at: datetime


class OrgUnitOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str


class MeOut(Schema):
    id: int
    name: str
    phone: str = Field(description="打码的手机号，如 138****8000")
    level: str
    level_label: str
    org_unit: OrgUnitOut | None


class ClassOut(Schema):
    enrollment_id: int
    status: str
    status_label: str
    course_title: str
    class_label: str
    dates_label: str
    site_name: str | None
    progress_percent: int
    attendance_percent: int | None
    attendance_counted: int


class BookingOut(Schema):
    id: int
    session_id: int
    kind: str = Field(description="class（培训班场次）或 activity（社区活动）")
    kind_label: str
    status: str
    status_label: str
    waitlist_position: int | None
    title: str
    label: str
    place: str
    is_online: bool
    starts_at: datetime
    ends_at: datetime
    booking_closes_at: datetime
    is_cancelled: bool


class CertificateOut(Schema):
    id: int
    number: str
    title: str
    kind: str
    issued_on: date
    valid_until: date | None
    status: str = Field(description="valid / expired / revoked")
    status_label: str
    verify_url: str
    pdf_url: str | None


class RequirementOut(Schema):
    key: str
    label: str
    met: bool
    missing: str


class NextStepOut(Schema):
    level: str
    label: str
    needs: list[str]
    requirements: list[RequirementOut]
    applied_for: bool


class RungOut(Schema):
    level: str
    label: str
    reached: bool
    current: bool


class GrowthOut(Schema):
    level: str
    level_label: str
    ladder: list[RungOut]
    next_step: NextStepOut | None
    balance: int
    earned: int
    hours: Decimal


class PointEntryOut(Schema):
    id: int
    kind: str
    kind_label: str
    amount: int
    balance_after: int
    hours: Decimal
    reason: str
    created_at: datetime


class PointsOut(Schema):
    balance: int
    earned: int
    hours: Decimal
    page: int
    pages: int
    count: int
    entries: list[PointEntryOut]


class CheckInIn(Schema):
    code: str = Field(max_length=20, description="现场屏幕上的 6 位签到码")


class CheckInOut(Schema):
    status: str
    status_label: str
    already: bool


class RewardOut(Schema):
    id: int
    title: str
    description: str
    category: str
    category_label: str
    merchant: str
    points_cost: int
    stock: int
    minimum_level: str
    valid_from: date | None
    valid_until: date | None
    can_redeem: bool
    reason: str = Field(description="不能兑换的原因；可以兑换时为空")


class RedemptionOut(Schema):
    id: int
    reward_id: int
    reward_title: str
    code: str
    points: int
    expires_at: datetime
    balance: int
