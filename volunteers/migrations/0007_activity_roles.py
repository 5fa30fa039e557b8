"""Administrators manage community spaces and see activities; the organisers'
delivered activity hours are credited as service by an hourly job."""

from django.contrib.auth.management import create_permissions
from django.db import migrations
from django.utils import timezone

MODELS = ["communityspace", "openinghours", "activity", "activitysession"]
SCHEDULE = "volunteers.tasks.credit_activity_hours_task"


def grant(apps, schema_editor):
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
    apps.get_model("django_q", "Schedule").objects.get_or_create(
        func=SCHEDULE,
        defaults={
            "name": "社区活动时长计入志愿服务",
            "schedule_type": "I",
            "minutes": 60,
            "repeats": -1,
            "next_run": timezone.now(),
        },
    )


def revoke(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(func=SCHEDULE).delete()


class Migration(migrations.Migration):
    dependencies = [("volunteers", "0006_activities")]

    operations = [migrations.RunPython(grant, revoke)]
