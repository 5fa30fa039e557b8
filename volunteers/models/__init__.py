"""Growth: what service earns (point items), the service volunteers give and its
approval, the append-only points ledger, and the rewards points buy."""

from .ledger import PointAccount, PointEntry
from .rewards import Merchant, Redemption, RedemptionEvent, Reward
from .service import (
    CoordinatorScope,
    PointItem,
    ServiceRecord,
    ServiceRecordEvent,
)

__all__ = [
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
