"""Open Badges signing keys: list them, give every school one, or rotate."""

from django.core.management.base import BaseCommand, CommandError

from certificates import badges
from certificates.models import SigningKey
from school.models import SchoolPage


class Command(BaseCommand):
    help = (
        "List each school's Open Badges signing keys; --create-missing gives every "
        "school without an active key one; --rotate SCHOOL_ID (or all) retires the "
        "active key (still published, so what it signed still verifies) and makes "
        "a new one."
    )

    def add_arguments(self, parser):
        parser.add_argument("--create-missing", action="store_true")
        parser.add_argument("--rotate", metavar="SCHOOL_ID|all")

    def handle(self, *args, create_missing=False, rotate=None, **options):
        schools = list(SchoolPage.objects.order_by("path"))
        if rotate:
            chosen = [
                school
                for school in schools
                if rotate == "all" or str(school.pk) == rotate
            ]
            if not chosen:
                raise CommandError(f"No school with id {rotate}.")
            for school in chosen:
                key = badges.rotate_signing_key(school)
                self.stdout.write(f"{school.title}: new key {key.public_key_multibase}")
        if create_missing:
            for school in schools:
                badges.ensure_signing_key(school)
        for school in schools:
            keys = SigningKey.objects.filter(school=school).order_by("created_at")
            self.stdout.write(f"{school.pk} {school.title}")
            for key in keys:
                state = "active" if key.is_active else "retired"
                self.stdout.write(
                    f"    {state:8} {key.created_at:%Y-%m-%d} {key.public_key_multibase}"
                )
            if not keys:
                self.stdout.write("    (none: run with --create-missing)")
