"""The institution: people, the org tree, the two schools and their practice sites."""

from .audit import AuditEvent
from .imports import ActivationCode, TraineeImport
from .notifications import Notification, NotificationDelivery
from .org import OrgUnit
from .pages import SchoolPage, ViewRestrictionsInOneQueryMixin, children_of
from .sites import PracticeSite
from .throttling import RateCounter
from .users import Level, User, normalise_phone, phone_validator

__all__ = [
    "ActivationCode",
    "AuditEvent",
    "Level",
    "Notification",
    "NotificationDelivery",
    "OrgUnit",
    "PracticeSite",
    "RateCounter",
    "SchoolPage",
    "TraineeImport",
    "User",
    "ViewRestrictionsInOneQueryMixin",
    "children_of",
    "normalise_phone",
    "phone_validator",
]
