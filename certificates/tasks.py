"""django-q2 entry points: each takes IDs, loads, calls one service, and is safe to
run twice."""

from certificates import services
from certificates.models import Certificate, CertificateBatch


def issue_on_completion_task(enrollment_id: int) -> int | None:
    certificate = services.issue_on_completion(enrollment_id)
    return certificate.pk if certificate else None


def deliver_certificate_task(certificate_id: int) -> None:
    certificate = Certificate.objects.select_related("holder").get(pk=certificate_id)
    services.deliver_certificate(certificate)


def render_certificate_task(certificate_id: int) -> None:
    certificate = Certificate.objects.get(pk=certificate_id)
    services.render_certificate(certificate)


def email_certificate_task(certificate_id: int) -> None:
    certificate = Certificate.objects.select_related("holder").get(pk=certificate_id)
    services.send_certificate_email(certificate)


def issue_batch_chunk_task(batch_id: int, enrollment_ids: list[int]) -> None:
    batch = CertificateBatch.objects.select_related(
        "template", "requested_by", "training_class__course"
    ).get(pk=batch_id)
    services.issue_batch_chunk(batch, enrollment_ids)


def build_class_archive_task(batch_id: int) -> None:
    batch = CertificateBatch.objects.select_related("training_class").get(pk=batch_id)
    services.build_class_archive(batch)


def send_expiry_reminders_task() -> int:
    return services.send_expiry_reminders()


def render_missing_pdfs_task() -> int:
    return services.render_missing_pdfs()


def resume_stalled_batches_task() -> int:
    return services.resume_stalled_batches()
