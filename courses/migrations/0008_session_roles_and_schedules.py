"""Roles for sessions and bookings, and the booking engine's two schedules.

- 管理员: every session and booking permission (and roster exports).
- 教学点负责人: add/change/view sessions and view/change bookings; the admin's
  permission policies narrow them to the sites they host.
- 讲师: view sessions (those they teach).

Schedules: the day-before reminders, hourly (a booking is reminded once however
often or late the job runs), and the release of unit quotas, every five minutes.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations
from django.utils import timezone

MODEL_PERMISSIONS = {
    "管理员": [
        "add_classsession",
        "change_classsession",
        "delete_classsession",
        "view_classsession",
        "add_booking",
        "change_booking",
        "view_booking",
    ],
    "教学点负责人": [
        "add_classsession",
        "change_classsession",
        "view_classsession",
        "add_booking",
        "change_booking",
        "view_booking",
    ],
    "讲师": ["view_classsession"],
}

SCHEDULES = {
    "courses.tasks.send_session_reminders_task": ("预约提醒（前一天）", 60),
    "courses.tasks.release_due_quotas_task": ("释放到期的单位预留座位", 5),
}


def grant(apps, schema_editor):
    # Permissions are created after `migrate` finishes; create them now so the
    # roles hold them the moment migrations end (as 0002 does).
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in MODEL_PERMISSIONS.items():
        Group.objects.get_or_create(name=name)[0].permissions.add(
            *Permission.objects.filter(
                content_type__app_label="courses", codename__in=codenames
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
        ("courses", "0007_sessions_and_booking"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
