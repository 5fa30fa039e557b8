"""Roles for volunteer service, and the ledger's schedules.

- 管理员: every volunteers permission (point items, merchants, rewards, coordinator
  scopes; service records, redemptions and ledger entries to view and decide).
- 志愿服务协调员 (new): log and decide service records (the units they cover only,
  by CoordinatorScope), view point items.
- 爱心商户 (new): no admin permission; a merchant account marks codes used on its
  phone page, for the merchants it is staff of.

Schedules: the expiry of points and of unused redemption codes (daily), and
instructors' teaching hours credited as service (hourly).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations
from django.utils import timezone

MODELS = [
    "pointitem",
    "coordinatorscope",
    "servicerecord",
    "pointaccount",
    "pointentry",
    "merchant",
    "reward",
    "redemption",
]
MODEL_PERMISSIONS = {
    "管理员": [
        f"{action}_{model}"
        for model in MODELS
        for action in ("add", "change", "delete", "view")
    ],
    "志愿服务协调员": [
        "add_servicerecord",
        "change_servicerecord",
        "view_servicerecord",
        "view_pointitem",
    ],
    "爱心商户": [],
}

SCHEDULES = {
    "volunteers.tasks.expire_points_task": ("积分过期", 24 * 60),
    "volunteers.tasks.expire_redemptions_task": ("兑换码过期", 24 * 60),
    "volunteers.tasks.credit_teaching_hours_task": ("讲师授课计入志愿服务", 60),
}


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in MODEL_PERMISSIONS.items():
        Group.objects.get_or_create(name=name)[0].permissions.add(
            *Permission.objects.filter(
                content_type__app_label="volunteers", codename__in=codenames
            )
        )
    Schedule = apps.get_model("django_q", "Schedule")
    for func, (name, minutes) in SCHEDULES.items():
        Schedule.objects.get_or_create(
            func=func,
            defaults={
                "name": name,
                "schedule_type": "I",
                "minutes": minutes,
                "repeats": -1,
                "next_run": timezone.now(),
            },
        )


def revoke(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(func__in=SCHEDULES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("volunteers", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
