"""Re-encrypt every stored secret under the first of GRIDSCHOOL_ENCRYPTION_KEYS."""

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from school import encryption

BATCH = 500


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored secret (signing keys, activation codes) under the "
        "first key of GRIDSCHOOL_ENCRYPTION_KEYS. Put the new key first and keep "
        "the old ones after it until this has run; then the old ones may go."
    )

    def handle(self, *args, **options):
        for model_label, field in encryption.encrypted_fields():
            model = apps.get_model(model_label)
            rotated = 0
            with transaction.atomic():
                rows = list(model.objects.select_for_update().only("pk", field))
                for row in rows:
                    try:
                        setattr(row, field, encryption.rotate(getattr(row, field)))
                    except encryption.InvalidToken as error:
                        raise CommandError(
                            f"{model_label} {row.pk}: none of the configured keys "
                            "opens it (was an old key dropped too early?)"
                        ) from error
                model.objects.bulk_update(rows, [field], batch_size=BATCH)
                rotated += len(rows)
            self.stdout.write(f"{model_label}.{field}: {rotated} re-encrypted")
