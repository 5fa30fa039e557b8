"""The default level rules, administrators' permissions on the ladder, and its
schedules.

Rules: 志愿者 — a basic-tier certificate; 社区能人 — a specialist certificate and
20 approved service hours; 社区主理人 — a leadership certificate, an application,
a review and 7 days of public notice. Administrators change them in the admin.

Schedules: the nightly check of everyone against the rules, and the hourly end of
public notices that ran their course.
"""

from decimal import Decimal

from django.contrib.auth.management import create_permissions
from django.db import migrations
from django.utils import timezone

RULES = [
    {"level": "volunteer", "required_tier": "basic"},
    {
        "level": "talent",
        "required_tier": "specialist",
        "min_service_hours": Decimal("20"),
    },
    {
        "level": "manager",
        "required_tier": "leadership",
        "needs_application": True,
        "needs_review": True,
        "notice_days": 7,
    },
]
MODELS = [
    "levelrule",
    "promotion",
    "objection",
    "levelevent",
    "levelreview",
    "recruitmentround",
    "roundapplication",
]
SCHEDULES = {
    "volunteers.tasks.evaluate_levels_task": ("等级规则夜间核对", 24 * 60),
    "volunteers.tasks.finish_notices_task": ("公示期满生效", 60),
}


def forwards(apps, schema_editor):
    LevelRule = apps.get_model("volunteers", "LevelRule")
    for rule in RULES:
        LevelRule.objects.get_or_create(level=rule["level"], defaults=rule)
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Group.objects.get_or_create(name="管理员")[0].permissions.add(
        *Permission.objects.filter(
            content_type__app_label="volunteers",
            codename__in=[
                f"{action}_{model}"
                for model in MODELS
                for action in ("add", "change", "delete", "view")
            ],
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


def backwards(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(func__in=SCHEDULES).delete()


class Migration(migrations.Migration):
    dependencies = [("volunteers", "0004_levels")]

    operations = [migrations.RunPython(forwards, backwards)]
