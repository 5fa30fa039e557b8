"""The institution: people, the org tree, the two schools and their practice sites."""

from .imports import TraineeImport
from .org import OrgUnit
from .pages import SchoolPage, ViewRestrictionsInOneQueryMixin, children_of
from .sites import PracticeSite
from .users import Level, User, phone_validator

__all__ = [
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
