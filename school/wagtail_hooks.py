from django.core.exceptions import PermissionDenied
from django.urls import path

from wagtail import hooks
from wagtail.permissions import register_permission_policy

from school import admin_views, views
from school.models import TraineeImport, User
from school.permissions import user_can_edit_account
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
        path(
            "trainees/import/<int:import_id>/codes/",
            admin_views.import_codes,
            name="school_import_codes",
        ),
        path(
            "trainees/import/<int:import_id>/codes.xlsx",
            admin_views.import_codes_xlsx,
            name="school_import_codes_xlsx",
        ),
        path(
            "trainees/import/<int:import_id>/codes/print/",
            admin_views.import_codes_print,
            name="school_import_codes_print",
        ),
        path(
            "trainees/<int:user_id>/activation-code/",
            admin_views.renew_code,
            name="school_renew_activation_code",
        ),
    ]


@hooks.register("before_bulk_action")
def protect_staff_accounts_from_bulk_actions(request, action_type, objects, action):
    """Only a superuser may deactivate, regroup or delete a staff account, in bulk
    too; the single-user views enforce the same (school.viewsets)."""
    if action.model is not User or request.user.is_superuser:
        return None
    if any(not user_can_edit_account(request.user, user) for user in objects):
        raise PermissionDenied
    return None
