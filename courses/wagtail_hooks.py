from django.core.exceptions import PermissionDenied
from django.templatetags.static import static
from django.utils.html import format_html

from wagtail import hooks
from wagtail.models import Page
from wagtail.permissions import register_permission_policy

from courses import (  # noqa: F401 (feedback_hooks, report_hooks register hooks)
    feedback_hooks,
    question_bank_views,
    report_hooks,
)
from courses.admin_panels import TeachingPanel
from courses.models import Booking, ClassSession, TrainingClass
from courses.permissions import user_can_add_page
from courses.session_viewsets import (
    BookingPermissionPolicy,
    ClassSessionPermissionPolicy,
)
from courses.viewsets import CoursesViewSetGroup, TrainingClassPermissionPolicy

register_permission_policy(
    TrainingClass, TrainingClassPermissionPolicy(TrainingClass), exact_class=True
)
register_permission_policy(
    ClassSession, ClassSessionPermissionPolicy(ClassSession), exact_class=True
)
register_permission_policy(Booking, BookingPermissionPolicy(Booking), exact_class=True)


@hooks.register("register_admin_viewset")
def register_courses_viewsets():
    return CoursesViewSetGroup()


@hooks.register("construct_homepage_panels")
def add_teaching_panel(request, panels):
    panels.append(TeachingPanel(request.user))


# 讲师 hold Wagtail's "add" page permission on the root page (migration 0002), which
# by itself reaches everywhere. These hooks narrow every way a page can arrive under
# a parent (create, copy, move, bulk move) to what courses.permissions allows: a
# lesson only under a course its author owns. Wagtail turns the PermissionDenied
# into its usual "no permission" response.


@hooks.register("before_create_page")
def check_page_author_may_create_here(request, parent_page, page_class):
    if not user_can_add_page(request.user, parent_page, page_class):
        raise PermissionDenied


@hooks.register("before_copy_page")
def check_page_author_may_copy_there(request, page):
    if request.method != "POST":
        return
    try:
        parent = Page.objects.get(pk=int(request.POST.get("new_parent_page", "")))
    except (ValueError, Page.DoesNotExist):
        return  # the copy form itself refuses a missing destination
    if not user_can_add_page(request.user, parent, page.specific_class):
        raise PermissionDenied


@hooks.register("before_move_page")
def check_page_author_may_move_there(request, page, destination):
    if not user_can_add_page(request.user, destination, page.specific_class):
        raise PermissionDenied


@hooks.register("before_bulk_action")
def check_page_author_may_bulk_move_there(request, action_type, objects, action):
    if action_type != "move" or not issubclass(action.model, Page):
        return
    destination = action.cleaned_form and action.cleaned_form.cleaned_data.get(
        "chooser"
    )
    if destination and any(
        not user_can_add_page(request.user, destination, page.specific_class)
        for page in objects
    ):
        raise PermissionDenied


@hooks.register("insert_global_admin_css")
def quiz_editor_css():
    return format_html(
        '<link rel="stylesheet" href="{}">',
        static("courses/admin/quiz-editor.css"),
    )


@hooks.register("register_admin_urls")
def register_question_bank_urls():
    return question_bank_views.urlpatterns


hooks.register("register_page_header_buttons", question_bank_views.menu_items)
hooks.register("register_page_listing_more_buttons", question_bank_views.menu_items)
