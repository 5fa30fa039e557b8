"""Signing keys' private halves, stored in clear until now, encrypted under the
configured encryption key (school.encryption)."""

from django.db import migrations, models


def encrypt_keys(apps, schema_editor):
    from school import encryption

    SigningKey = apps.get_model("certificates", "SigningKey")
    for key in SigningKey.objects.all():
        key.private_key_encrypted = encryption.encrypt(key.private_key_pem)
        key.save(update_fields=["private_key_encrypted"])


def decrypt_keys(apps, schema_editor):
    from school import encryption

    SigningKey = apps.get_model("certificates", "SigningKey")
    for key in SigningKey.objects.all():
        key.private_key_pem = encryption.decrypt(key.private_key_encrypted)
        key.save(update_fields=["private_key_pem"])


class Migration(migrations.Migration):
    dependencies = [("certificates", "0002_roles_and_schedule")]

    operations = [
        migrations.AddField(
            model_name="signingkey",
            name="private_key_encrypted",
            field=models.TextField(default="", editable=False),
            preserve_default=False,
        ),
        migrations.RunPython(encrypt_keys, decrypt_keys),
        migrations.RemoveField(model_name="signingkey", name="private_key_pem"),
    ]
