from django.urls import path

from wagtail import hooks
from wagtail.permissions import register_permission_policy

from school import views
from school.models import TraineeImport
from school.viewsets import ImportRecordPermissionPolicy, SchoolViewSetGroup

register_permission_policy(TraineeImport, ImportRecordPermissionPolicy(TraineeImport))


@hooks.register("register_admin_viewset")
def register_school_viewsets():
    return SchoolViewSetGroup()


@hooks.register("register_admin_urls")
def register_school_admin_urls():
    return [
        path(
            "trainees/import/",
            views.import_trainees_view,
            name="school_import_trainees",
        ),
    ]
