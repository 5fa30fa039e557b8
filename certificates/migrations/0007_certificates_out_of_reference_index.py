"""Certificates are no longer in Wagtail's reference index (CertificateViewSet sets
add_to_reference_index = False): the rows written for them so far go."""

from django.db import migrations


def forget_certificates(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ReferenceIndex = apps.get_model("wagtailcore", "ReferenceIndex")
    certificate = ContentType.objects.filter(
        app_label="certificates", model="certificate"
    ).first()
    if certificate is not None:
        ReferenceIndex.objects.filter(base_content_type=certificate).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("certificates", "0006_batch_resume"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailcore", "0078_referenceindex"),
    ]

    operations = [
        migrations.RunPython(forget_certificates, migrations.RunPython.noop),
    ]
