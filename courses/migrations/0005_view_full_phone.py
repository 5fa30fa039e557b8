"""courses.view_full_phone: whole phone numbers on rosters and their exports, held
by 管理员. Everyone else (讲师) sees masked numbers."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def grant(apps, schema_editor):
    # Permissions are created after `migrate` finishes; create this one now so the
    # role holds it the moment migrations end (as 0002 does).
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.get(
        content_type__app_label="courses", codename="view_full_phone"
    )
    Group.objects.get_or_create(name="管理员")[0].permissions.add(permission)


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Permission.objects.filter(
        content_type__app_label="courses", codename="view_full_phone"
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0004_quiz_feedback_and_attempt_grants"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="enrollment",
            options={
                "ordering": ["-created_at"],
                "permissions": [("view_full_phone", "可查看花名册中的完整手机号")],
                "verbose_name": "报名",
                "verbose_name_plural": "报名",
            },
        ),
        migrations.RunPython(grant, revoke),
    ]
