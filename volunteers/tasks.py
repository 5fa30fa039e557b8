"""django-q2 entry points: each takes IDs (or nothing), loads, calls one service,
and is safe to run twice."""

from volunteers import activities, ladder, ledger, promotions, redemptions, services


def expire_points_task() -> int:
    return ledger.expire_points()


def expire_redemptions_task() -> int:
    return redemptions.expire_redemptions()


def credit_teaching_hours_task() -> int:
    return services.credit_teaching_hours()


def credit_activity_hours_task() -> int:
    return activities.credit_activity_hours()


def evaluate_levels_task() -> int:
    return ladder.evaluate_everyone()


def finish_notices_task() -> int:
    return promotions.finish_notices()


def evaluate_person_task(person_id: int) -> int:
    return len(ladder.evaluate_person(person_id))


def evaluate_people_task(person_ids: list[int]) -> int:
    return ladder.evaluate_people(person_ids)


def flag_level_task(certificate_id: int) -> bool:
    return ladder.flag_level_for(certificate_id) is not None
