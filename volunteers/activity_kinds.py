"""Community activity sessions as a kind of bookable session: what the booking
e-mails, reminders and calendars (courses.notices, courses.calendars) say of them.
Registered from volunteers.apps, so courses never imports this app."""

from collections.abc import Iterable

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from courses.session_kinds import SessionInfo, register

RELATED = ("activity__organiser", "activity__space__community")


def load_activity_sessions(ids: Iterable[int]) -> dict:
    from volunteers.models import ActivitySession

    sessions = ActivitySession.objects.filter(pk__in=list(ids)).select_related(*RELATED)
    return {session.pk: session for session in sessions}


def describe_activity_session(session) -> SessionInfo:
    """An activity session: the activity in its space, run by its organiser for
    the community; questions after the cut-off go to the organiser and staff."""
    activity = session.activity
    space = activity.space

    def contact() -> str:
        # Imported when asked: the services module pulls in much of this app.
        from volunteers.activities import session_contact

        return session_contact(session)

    return SessionInfo(
        summary=activity.title,
        label=f"{activity.title} · {space.community.name}{space.name}",
        title="",
        place=session.place,
        is_online=False,
        meeting_url="",
        notes="",
        page_path=reverse("activities:activity", args=[activity.pk]),
        organiser_name=f"{space.community.name} · {activity.organiser.real_name}",
        contact_of=contact,
        kind_name=_("社区活动"),
    )


def register_activity_sessions() -> None:
    """Called from volunteers.apps.VolunteersConfig.ready()."""
    from volunteers.models import ActivitySession

    register(
        ActivitySession,
        load=load_activity_sessions,
        describe=describe_activity_session,
    )
