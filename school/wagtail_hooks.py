from django.core.exceptions import PermissionDenied
from django.urls import path

from wagtail import hooks
from wagtail.permissions import register_permission_policy

from school import views
from school.models import TraineeImport, User
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


@hooks.register("before_bulk_action")
def protect_superusers_from_bulk_actions(request, action_type, objects, action):
    """Only a superuser may deactivate, regroup or delete a superuser, in bulk too;
    the single-user views enforce the same in school.viewsets.UserEditView."""
    if action.model is not User or request.user.is_superuser:
        return None
    if any(user.is_superuser for user in objects):
        raise PermissionDenied
    return None
