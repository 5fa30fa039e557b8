"""The 校领导 (school leader) role: a Group whose members read the dashboards."""

from django.db import migrations

SCHOOL_LEADER = "校领导"  # dashboards.permissions.SCHOOL_LEADER, frozen here


def create_group(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.get_or_create(name=SCHOOL_LEADER)


def remove_group(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name=SCHOOL_LEADER, user__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(create_group, remove_group)]
