from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet


class OrgUnitQuerySet(MP_NodeQuerySet):
    def of_kind(self, *kinds: str) -> "OrgUnitQuerySet":
        return self.filter(kind__in=kinds)

    def placeable(self) -> "OrgUnitQuerySet":
        """Units a person can belong to: communities and grids."""
        return self.of_kind(OrgUnit.Kind.COMMUNITY, OrgUnit.Kind.GRID)


class OrgUnitManager(MP_NodeManager):
    def get_queryset(self) -> OrgUnitQuerySet:
        return OrgUnitQuerySet(self.model, using=self._db).order_by("path")

    def placeable(self) -> OrgUnitQuerySet:
        return self.get_queryset().placeable()

    def of_kind(self, *kinds: str) -> OrgUnitQuerySet:
        return self.get_queryset().of_kind(*kinds)


class OrgUnit(MP_Node):
    """One node of the administrative tree 区 › 街道 › 社区 › 网格.

    A materialised-path tree (treebeard, which Wagtail's page tree also uses): the
    descendants of a street are one indexed prefix query on `path`.
    """

    class Kind(models.TextChoices):
        DISTRICT = "district", _("区")
        STREET = "street", _("街道")
        COMMUNITY = "community", _("社区")
        GRID = "grid", _("网格")

    # Which kind of unit may sit directly under which.
    CHILD_KIND = {
        Kind.DISTRICT: Kind.STREET,
        Kind.STREET: Kind.COMMUNITY,
        Kind.COMMUNITY: Kind.GRID,
    }

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("层级"), max_length=16, choices=Kind.choices)
    code = models.CharField(
        _("编码"),
        max_length=32,
        unique=True,
        help_text=_("唯一编码，导入学员时可用名称或编码指定所属单位。"),
    )

    node_order_by = ["code"]
    objects = OrgUnitManager()

    class Meta:
        verbose_name = _("组织单位")
        verbose_name_plural = _("组织单位")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    @property
    @admin.display(description=_("组织单位"))
    def full_name(self) -> str:
        """The unit's name under its ancestors, e.g. 西城街道 › 桃园社区 › 第 3 网格."""
        names = [unit.name for unit in self.get_ancestors() if unit.depth > 1]
        return " › ".join([*names, self.name])
