"""Every ten minutes, render the PDF of any certificate whose delivery job gave up
(a worker killed mid-render, a full disk): downloads never render on a GET, so this
sweep is what guarantees that every certificate gets its file."""

from django.db import migrations
from django.utils import timezone

SWEEP_FUNC = "certificates.tasks.render_missing_pdfs_task"


def schedule(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.get_or_create(
        func=SWEEP_FUNC,
        defaults={
            "name": "补生成证书 PDF",
            "schedule_type": "I",
            "minutes": 10,
            "repeats": -1,
            "next_run": timezone.now(),
        },
    )


def unschedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(func=SWEEP_FUNC).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("certificates", "0003_encrypt_signing_keys"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
