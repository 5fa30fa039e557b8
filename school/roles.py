"""The roles, as Django groups. The first four are seeded by school migration 0002,
the volunteer coordinator and the merchant by the volunteers app's migrations."""

from django.utils.translation import gettext_lazy as _

TRAINEE = "学员"
INSTRUCTOR = "讲师"
SITE_HOST = "教学点负责人"
SCHOOL_ADMIN = "管理员"
COORDINATOR = "志愿服务协调员"
MERCHANT = "爱心商户"

ROLE_LABELS = {
    TRAINEE: _("学员"),
    INSTRUCTOR: _("讲师"),
    SITE_HOST: _("教学点负责人"),
    SCHOOL_ADMIN: _("管理员"),
    COORDINATOR: _("志愿服务协调员"),
    MERCHANT: _("爱心商户"),
}
