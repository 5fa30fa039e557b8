"""The one writer of `User.level`: every change goes through `change_level`, which
moves the level by a conditional UPDATE from the level the caller saw (so two
promotions racing cannot both apply) and writes the LevelEvent in the same
transaction."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from school.models import Level, User
from volunteers import notifications
from volunteers.models import LevelEvent, Promotion

Kind = LevelEvent.Kind


def change_level(
    person: User,
    *,
    from_level: str,
    to_level: str,
    kind: str,
    actor: User | None,
    note: str = "",
    promotion: Promotion | None = None,
) -> LevelEvent:
    """Move the person from `from_level` to `to_level`, once: refused (nothing
    written) when their level is no longer `from_level`. Call inside the use
    case's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("change_level runs inside the use case's transaction")
    if to_level not in Level.values:
        raise ValidationError(_("等级无效。"))
    moved = User.objects.filter(pk=person.pk, level=from_level).update(level=to_level)
    if not moved:
        raise ValidationError(_("等级已被他人修改，请刷新后再试。"))
    person.level = to_level
    event = LevelEvent.objects.create(
        person=person,
        kind=kind,
        from_level=from_level,
        to_level=to_level,
        actor=actor,
        note=note[:200],
        promotion=promotion,
    )
    notifications.level_changed(event)
    return event
