"""The Wagtail admin speaks Chinese to a Chinese user.

The pages staff use every day are walked as a superuser and as a school
administrator, and their visible text (tags, scripts, styles and attributes other
than what a person reads stripped) must not hold an English string of Wagtail's:
where Wagtail's own zh_Hans catalogue lacks one, `locale/wagtail` supplies it.
Staff follow the school's language (LANGUAGE_CODE), whatever their browser asks
for, unless they chose another in their account settings.
"""

import json
import re
from datetime import time
from html.parser import HTMLParser

from django.urls import reverse

from wagtail.users.models import UserProfile

import pytest

from school.models import TraineeImport, User
from tests.factories import TEST_PASSWORD
from volunteers.models import Activity, CommunitySpace, OpeningHours

pytestmark = pytest.mark.django_db

# English strings of Wagtail's admin, gathered from the pages below as a Chinese
# user saw them before locale/wagtail supplied what Wagtail's zh_Hans lacks (and
# boolean columns said True/False). Matched as whole words, case-sensitive, in the
# text a person reads. Not listed, because no catalogue can change them: key names
# in the shortcuts dialog (Ctrl, Alt, Shift, Esc), "Wagtail", file formats (CSV,
# XLSX), time zone names, and data Wagtail's migrations create in English (the
# "Root" page, the "Moderators"/"Editors" groups, the "Moderators approval" task).
ENGLISH_STRINGS = [
    "A network error occurred",
    "Add child page",
    "Add or show comments",
    "Anyone",
    "Anyone can edit this",
    "Any",
    "Application",
    "Autosave is paused",
    "By task",
    "By workflow",
    "Checks",
    "Choose when this page should go live",
    "Choose who can view the live version of this page",
    "Content metrics",
    "created in",
    "Date updated",
    "Delete",
    "Documents",
    "Draft",
    "Edit",
    "Edit account avatar",
    "Edited by",
    "editor guide",
    "Exploring",
    "False",
    "Filter",
    "Full name",
    "Grid layout",
    "Has child pages",
    "Images",
    "in ascending order",
    "in descending order",
    "Is commenting action",
    "JavaScript is required to use Wagtail",
    "Keyboard shortcuts are currently enabled",
    "List layout",
    "Live",
    "Locked by",
    "Locking",
    "More contrast",
    "Next",
    "None",
    "of",
    "Oldest",
    "Page",
    "Page type",
    "Page types usage",
    "Pages",
    "Paste",
    "Previous",
    "Readability",
    "Reading time",
    "Referenced",
    "Save changes",
    "Saved",
    "Schedule to publish",
    "Search",
    "Search all pages",
    "Section",
    "Shortcuts",
    "Show disabled",
    "Show keyboard shortcuts",
    "Sort by",
    "Status",
    "Text editing",
    "Text formatting",
    "Theme preferences",
    "There are no",
    "There is one matching page",
    "To be created by",
    "Toggle minimap",
    "True",
    "Usage count",
    "Use server language",
    "View latest version",
    "Why not",
    "Words",
]

# What a person reads besides element text. Not aria-label: Wagtail 8 hard-codes
# the header's aria-label="Actions" (and the screen-reader-only submit value
# "Search"), which no catalogue reaches.
VISIBLE_ATTRIBUTES = {"placeholder", "title", "alt"}
SKIPPED_TAGS = {"script", "style"}
VOID_TAGS = {
    "area",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "wbr",
}


class _VisibleText(HTMLParser):
    """Collects the text a person reads: element text and a few attributes,
    outside scripts, styles and elements marked hidden."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipped_tag = None
        self._depth = 0

    def handle_starttag(self, tag, attrs):
        if self._skipped_tag:
            self._depth += tag == self._skipped_tag
            return
        attrs = dict(attrs)
        if tag in VOID_TAGS and "hidden" in attrs:
            return
        if tag in SKIPPED_TAGS or "hidden" in attrs:
            self._skipped_tag, self._depth = tag, 1
            return
        self.parts += [attrs[name] for name in VISIBLE_ATTRIBUTES if attrs.get(name)]

    def handle_endtag(self, tag):
        if tag == self._skipped_tag:
            self._depth -= 1
            if not self._depth:
                self._skipped_tag = None

    def handle_data(self, data):
        if not self._skipped_tag and data.strip():
            self.parts.append(data.strip())


def visible_text(html: str) -> list[str]:
    """The pieces of text a person reads on `html`, the sidebar menu included.

    The sidebar is JSON in a script tag; its labels are taken from there.
    """
    parser = _VisibleText()
    parser.feed(html)
    parts = parser.parts
    for props in re.findall(
        r'<script id="wagtail-sidebar-props" type="application/json">(.*?)</script>',
        html,
        re.S,
    ):
        parts += [
            value
            for key, value in _json_items(json.loads(props))
            if key in {"label", "title", "text"}
        ]
    return parts


def _json_items(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(value, str):
                yield key, value
            else:
                yield from _json_items(value)
    elif isinstance(node, list):
        for item in node:
            yield from _json_items(item)


def english_strings(html: str) -> list[str]:
    """The known English strings found, each with the text it stood in."""
    found = []
    for part in visible_text(html):
        for english in ENGLISH_STRINGS:
            if re.search(rf"(?<![\w-]){re.escape(english)}(?![\w-])", part):
                found.append(f"{english!r} in {part[:80]!r}")
    return found


@pytest.fixture
def superuser(grid):
    return User.objects.create_superuser(
        "13500000001", TEST_PASSWORD, real_name="超级管理员", org_unit=grid
    )


@pytest.fixture
def admin_pages(
    grid_school,
    course_index,
    course,
    lessons,
    training_class,
    certificate,
    grid,
    practice_site,
    trainee,
):
    """The URLs of the admin pages staff use, over a school with some of everything.

    More than a page of imports, so that the listing paginates.
    """
    for number in range(25):
        TraineeImport.objects.create(
            filename=f"学员名单{number}.xlsx",
            sha256=f"{number:064d}",
            rows=10,
            created=10,
            updated=0,
            unchanged=0,
        )
    lesson = lessons[0]
    space = CommunitySpace.objects.create(
        community=grid.get_parent(), name="活动室", address="桃园路 1 号", capacity=30
    )
    OpeningHours.objects.create(space=space, weekday=2, opens=time(9), closes=time(21))
    activity = Activity.objects.create(
        title="智能手机夜校",
        description="教老人用手机。",
        space=space,
        organiser=trainee,
        seats=20,
        basis=Activity.Basis.GRANT,
    )
    return [
        reverse("wagtailadmin_home"),
        reverse("wagtailadmin_explore_root"),
        reverse("wagtailadmin_explore", args=[grid_school.pk]),
        reverse("wagtailadmin_explore", args=[course_index.pk]),
        reverse("wagtailadmin_explore", args=[course.pk]),
        reverse("wagtailadmin_pages:edit", args=[course.pk]),
        reverse("wagtailadmin_pages:edit", args=[lesson.pk]),
        reverse("wagtailadmin_pages:add_subpage", args=[course.pk]),
        reverse("wagtailadmin_pages:history", args=[course.pk]),
        reverse("wagtailadmin_pages:search") + "?q=课程",
        reverse("wagtailadmin_pages:search") + "?q=nothing-matches-this",
        reverse("wagtailadmin_workflows:index"),
        reverse("wagtailadmin_workflows:task_index"),
        reverse("wagtailadmin_reports:locked_pages"),
        reverse("wagtailadmin_reports:workflow"),
        reverse("wagtailadmin_reports:workflow_tasks"),
        reverse("wagtailadmin_reports:site_history"),
        reverse("wagtailadmin_reports:aging_pages"),
        reverse("wagtailadmin_reports:page_types_usage"),
        reverse("wagtailusers_users:index"),
        reverse("wagtailusers_groups:index"),
        reverse("wagtailsnippets:index"),
        reverse("wagtailimages:index"),
        reverse("wagtaildocs:index"),
        reverse("wagtailadmin_account"),
        reverse("orgunit:index"),
        reverse("practicesite:index"),
        reverse("traineeimport:index"),
        reverse("traineeimport:index") + "?p=2",
        reverse("training_classes:index"),
        reverse("certificate_templates:list"),
        reverse("issued_certificates:index"),
        reverse("certificate_classes:index"),
        reverse("certificate_batches:index"),
        # and the forms behind them
        reverse("wagtailadmin_pages:delete", args=[lesson.pk]),
        reverse("wagtailadmin_pages:move", args=[lesson.pk]),
        reverse("wagtailadmin_pages:unpublish", args=[lesson.pk]),
        reverse("wagtailadmin_pages:usage", args=[course.pk]),
        reverse("training_classes:add"),
        reverse("training_classes:edit", args=[training_class.pk]),
        reverse("certificate_templates:add"),
        reverse("certificate_templates:edit", args=[certificate.template_id]),
        reverse("orgunit:add"),
        reverse("orgunit:edit", args=[grid.pk]),
        reverse("practicesite:edit", args=[practice_site.pk]),
        reverse("wagtailusers_users:add"),
        reverse("wagtailusers_users:edit", args=[trainee.pk]),
        reverse("wagtailimages:add_multiple"),
        reverse("wagtaildocs:add_multiple"),
        reverse("community_spaces:index"),
        reverse("community_spaces:add"),
        reverse("community_spaces:edit", args=[space.pk]),
        reverse("community_activities:index"),
        reverse("community_activities:inspect", args=[activity.pk]),
        reverse("utilisation:index"),
    ]


def english_on(client, urls) -> dict[str, list[str]]:
    """English strings by URL, over the admin pages the client may open."""
    found = {}
    opened = 0
    for url in urls:
        response = client.get(url)
        if response.status_code != 200:
            continue  # not this role's page: permissions are tested elsewhere
        opened += 1
        if english := english_strings(response.content.decode()):
            found[url] = english
    assert opened, "no admin page opened"
    return found


def test_a_superuser_sees_no_english_wagtail_strings_on_the_pages_staff_use(
    client, superuser, admin_pages
):
    client.force_login(superuser)

    assert english_on(client, admin_pages) == {}


def test_a_school_administrator_sees_no_english_wagtail_strings(
    client, school_admin, admin_pages
):
    UserProfile.get_for_user(school_admin)  # no preferred language: the school's
    client.force_login(school_admin)

    assert english_on(client, admin_pages) == {}


def test_the_block_chooser_and_autosave_scripts_get_chinese_strings(client, superuser):
    client.force_login(superuser)

    catalogue = client.get(reverse("wagtailadmin_javascript_catalog"))

    content = catalogue.content.decode()  # JSON, with \u escapes
    assert json.dumps("插入区块")[1:-1] in content  # "Insert a block"
    assert json.dumps("正在自动保存…")[1:-1] in content  # "Autosave in progress…"


def test_staff_with_no_preference_get_the_school_language_whatever_the_browser_asks(
    client, school_admin
):
    client.force_login(school_admin)
    client.cookies["django_language"] = "en"

    response = client.get(reverse("wagtailadmin_home"), HTTP_ACCEPT_LANGUAGE="en")

    content = response.content.decode()
    assert '<html lang="zh-hans"' in content
    assert english_strings(content) == []


def test_the_admin_login_page_is_in_the_school_language(client):
    response = client.get(reverse("wagtailadmin_login"), HTTP_ACCEPT_LANGUAGE="en")

    assert '<html lang="zh-hans"' in response.content.decode()


def test_staff_who_choose_english_in_their_account_settings_get_english(
    client, school_admin
):
    client.force_login(school_admin)
    response = client.post(
        reverse("wagtailadmin_account"),
        {
            "name_email-first_name": "管理",
            "name_email-last_name": "员",
            "name_email-email": "admin@example.com",
            "locale-preferred_language": "en",
            "locale-current_time_zone": "",
            "theme-theme": "system",
            "theme-density": "default",
            "theme-contrast": "system",
        },
    )
    assert response.status_code == 302

    response = client.get(reverse("wagtailadmin_home"))

    content = response.content.decode()
    assert UserProfile.get_for_user(school_admin).preferred_language == "en"
    assert '<html lang="en"' in content
    assert "Dashboard" in content


def test_the_front_pages_still_follow_the_visitor_s_language_choice(
    client, grid_school
):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})

    assert '<html lang="en">' in client.get("/").content.decode()
