"""The four roles, as Django groups. Their permissions are seeded by migration 0002."""

from django.utils.translation import gettext_lazy as _

TRAINEE = "学员"
INSTRUCTOR = "讲师"
SITE_HOST = "教学点负责人"
SCHOOL_ADMIN = "管理员"

ROLE_LABELS = {
    TRAINEE: _("学员"),
    INSTRUCTOR: _("讲师"),
    SITE_HOST: _("教学点负责人"),
    SCHOOL_ADMIN: _("管理员"),
}
