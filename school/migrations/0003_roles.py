"""Seed the four roles as groups with their permissions.

Permissions are normally created after `migrate` finishes; they are created here
first so that a fresh database has working roles the moment migrations end.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLES = {
    "学员": [],
    "讲师": [
        "wagtailadmin.access_admin",
        "wagtailimages.add_image",
        "wagtailimages.choose_image",
        "wagtaildocs.add_document",
        "wagtaildocs.choose_document",
        "school.view_practicesite",
    ],
    "教学点负责人": [
        "wagtailadmin.access_admin",
        "school.view_practicesite",
    ],
    "管理员": [
        "wagtailadmin.access_admin",
        "wagtailimages.add_image",
        "wagtailimages.change_image",
        "wagtailimages.choose_image",
        "wagtaildocs.add_document",
        "wagtaildocs.change_document",
        "wagtaildocs.choose_document",
        "school.add_user",
        "school.change_user",
        "school.view_user",
        "school.add_orgunit",
        "school.change_orgunit",
        "school.delete_orgunit",
        "school.view_orgunit",
        "school.add_practicesite",
        "school.change_practicesite",
        "school.delete_practicesite",
        "school.view_practicesite",
        "school.view_traineeimport",
    ],
}


def seed_roles(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in ROLES.items():
        group, _created = Group.objects.get_or_create(name=role)
        permissions = []
        for dotted in codenames:
            app_label, codename = dotted.split(".")
            permissions.append(
                Permission.objects.get(
                    content_type__app_label=app_label, codename=codename
                )
            )
        group.permissions.add(*permissions)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("school", "0002_pages_sites_imports"),
        ("auth", "__latest__"),
        ("contenttypes", "__latest__"),
        ("wagtailadmin", "__latest__"),
        ("wagtailimages", "__latest__"),
        ("wagtaildocs", "__latest__"),
    ]

    operations = [migrations.RunPython(seed_roles, remove_roles)]
