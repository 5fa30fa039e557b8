"""Give the roles their courses permissions, page permissions and the moderation
workflow.

Page permissions and the workflow sit on the root page, as Wagtail's own Editors,
Moderators and "Moderators approval" do. Course catalogues (CourseIndexPage) are
created later, by seed_demo or an administrator, under a school that may itself be
created later; a permission or workflow on the root page reaches every page below it
whenever and however it is created, so nothing has to remember to grant it. What
"add" on the root would otherwise allow too broadly is narrowed by the
before_create/copy/move_page hooks in courses.wagtail_hooks (a 讲师 adds courses, and
lessons only under their own courses); editing is limited by Wagtail's ownership
rule ("add" without "change": only pages you own).

- 讲师: page "add" (create courses and lessons, edit their own, submit them for
  moderation; no "publish"), and view of the training classes they teach.
- 管理员: page add/change/publish/lock/unlock, approval in the workflow, and the
  training class and enrolment permissions of the admin.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

WORKFLOW_NAME = "课程审核"
TASK_NAME = "管理员审核"

MODEL_PERMISSIONS = {
    "讲师": ["courses.view_trainingclass"],
    "管理员": [
        "courses.add_trainingclass",
        "courses.change_trainingclass",
        "courses.delete_trainingclass",
        "courses.view_trainingclass",
        "courses.view_enrollment",
        "courses.change_enrollment",
    ],
}

PAGE_PERMISSIONS = {
    "讲师": ["add_page"],
    "管理员": ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"],
}


def _permission(Permission, dotted):
    app_label, codename = dotted.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def grant(apps, schema_editor):
    # Permissions are created after `migrate` finishes; create them now so a fresh
    # database has working roles the moment migrations end (as school 0003 does).
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    Page = apps.get_model("wagtailcore", "Page")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")

    groups = {
        name: Group.objects.get_or_create(name=name)[0] for name in PAGE_PERMISSIONS
    }
    for name, dotted_names in MODEL_PERMISSIONS.items():
        groups[name].permissions.add(
            *[_permission(Permission, dotted) for dotted in dotted_names]
        )

    root = Page.objects.filter(depth=1).order_by("path").first()
    if root is None:  # Wagtail always creates one; nothing to attach to otherwise
        return
    for name, codenames in PAGE_PERMISSIONS.items():
        for codename in codenames:
            GroupPagePermission.objects.get_or_create(
                group=groups[name],
                page=root,
                permission=_permission(Permission, f"wagtailcore.{codename}"),
            )

    task_type, _created = ContentType.objects.get_or_create(
        app_label="wagtailcore", model="groupapprovaltask"
    )
    task = GroupApprovalTask.objects.filter(name=TASK_NAME).first()
    if task is None:
        task = GroupApprovalTask.objects.create(
            name=TASK_NAME, content_type=task_type, active=True
        )
    task.groups.set([groups["管理员"]])
    workflow, _created = Workflow.objects.get_or_create(
        name=WORKFLOW_NAME, defaults={"active": True}
    )
    WorkflowTask.objects.get_or_create(
        workflow=workflow, task=task, defaults={"sort_order": 0}
    )
    # One workflow per page: ours replaces Wagtail's default on the root page.
    WorkflowPage.objects.update_or_create(page=root, defaults={"workflow": workflow})


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    Task = apps.get_model("wagtailcore", "Task")

    for name, dotted_names in MODEL_PERMISSIONS.items():
        group = Group.objects.filter(name=name).first()
        if group:
            group.permissions.remove(
                *Permission.objects.filter(
                    content_type__app_label="courses",
                    codename__in=[d.split(".")[1] for d in dotted_names],
                )
            )
    for name, codenames in PAGE_PERMISSIONS.items():
        GroupPagePermission.objects.filter(
            group__name=name, page__depth=1, permission__codename__in=codenames
        ).delete()
    ours = Workflow.objects.filter(name=WORKFLOW_NAME)
    default = Workflow.objects.exclude(name=WORKFLOW_NAME).order_by("pk").first()
    for link in WorkflowPage.objects.filter(workflow__in=ours, page__depth=1):
        if default:
            link.workflow = default
            link.save()
        else:
            link.delete()
    ours.delete()
    Task.objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0001_initial"),
        ("school", "0003_roles"),
        ("auth", "__latest__"),
        ("contenttypes", "__latest__"),
        ("wagtailcore", "__latest__"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
