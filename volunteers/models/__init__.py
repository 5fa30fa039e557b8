"""Growth: what service earns (point items), the service volunteers give and its
approval, the append-only points ledger, the rewards points buy, and the level
ladder they lead up; community spaces and the activities run in them."""

from .activities import (
    Activity,
    ActivityEvent,
    ActivitySession,
    CommunitySpace,
    OpeningHours,
)
from .ledger import PointAccount, PointEntry
from .levels import (
    LevelEvent,
    LevelReview,
    LevelRule,
    Objection,
    Promotion,
    RecruitmentRound,
    RoundApplication,
)
from .rewards import Merchant, Redemption, RedemptionEvent, Reward
from .service import (
    CoordinatorScope,
    PointItem,
    ServiceRecord,
    ServiceRecordEvent,
)

__all__ = [
    "Activity",
    "ActivityEvent",
    "ActivitySession",
    "CommunitySpace",
    "OpeningHours",
    "LevelEvent",
    "LevelReview",
    "LevelRule",
    "Objection",
    "Promotion",
    "RecruitmentRound",
    "RoundApplication",
    "CoordinatorScope",
    "Merchant",
    "PointAccount",
    "PointEntry",
    "PointItem",
    "Redemption",
    "RedemptionEvent",
    "Reward",
    "ServiceRecord",
    "ServiceRecordEvent",
]
