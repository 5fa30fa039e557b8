"""Give 管理员 the certificate permissions and schedule the daily expiry reminders.

The reminders run once a day through django-q2's scheduler (the worker started by
`make run` / `manage.py qcluster` runs it); each reminder is sent at most once per
certificate, so a late or repeated run sends nothing twice.
"""

from datetime import datetime, time, timedelta

from django.contrib.auth.management import create_permissions
from django.db import migrations
from django.utils import timezone

REMINDER_FUNC = "certificates.tasks.send_expiry_reminders_task"
PERMISSIONS = [
    "add_certificatetemplate",
    "change_certificatetemplate",
    "view_certificatetemplate",
    "view_certificate",
    "change_certificate",
    "add_certificatebatch",
    "view_certificatebatch",
]


def grant_and_schedule(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    admins, _ = Group.objects.get_or_create(name="管理员")
    admins.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="certificates", codename__in=PERMISSIONS
        )
    )

    Schedule = apps.get_model("django_q", "Schedule")
    tomorrow = timezone.localdate() + timedelta(days=1)
    Schedule.objects.get_or_create(
        func=REMINDER_FUNC,
        defaults={
            "name": "证书到期提醒",
            "schedule_type": "D",
            "repeats": -1,
            "next_run": timezone.make_aware(datetime.combine(tomorrow, time(8, 0))),
        },
    )


def revoke_and_unschedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(func=REMINDER_FUNC).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("certificates", "0001_initial"),
        ("courses", "0002_roles_and_workflow"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(grant_and_schedule, revoke_and_unschedule)]
