"""The institution: people, the org tree, the two schools and their practice sites."""

from .audit import AuditEvent
from .imports import TraineeImport
from .org import OrgUnit
from .pages import SchoolPage, ViewRestrictionsInOneQueryMixin, children_of
from .sites import PracticeSite
from .users import Level, User, phone_validator

__all__ = [
    "AuditEvent",
    "Level",
    "OrgUnit",
    "PracticeSite",
    "SchoolPage",
    "TraineeImport",
    "User",
    "ViewRestrictionsInOneQueryMixin",
    "children_of",
    "phone_validator",
]
