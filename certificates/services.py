"""State changes of certificates: issue (one, bulk, on completion), render and
deliver, revoke and reinstate, expiry reminders."""

import logging
import re
import tempfile
import zipfile
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Value
from django.db.models.functions import Greatest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from django_q.tasks import async_task

from certificates import badges, numbering, selectors
from certificates.models import (
    Certificate,
    CertificateBatch,
    CertificateEvent,
    CertificateTemplate,
)
from certificates.signals import (
    certificate_issued,
    certificate_revoked,
    certificates_issued,
)
from certificates.snapshots import (
    PRINT_LANGUAGE,
    build_snapshot,
    document_snapshot,
    valid_until_for,
)
from courses.models import Enrollment, TrainingClass
from school.models import Notification, SchoolPage, User
from school.notifications import notify, school_language

logger = logging.getLogger(__name__)
Kind = CertificateEvent.Kind

# Days before expiry at which the holder is reminded, loosest first.
REMINDER_DAYS = {60: Kind.REMINDED_60, 30: Kind.REMINDED_30, 7: Kind.REMINDED_7}


def _record(
    certificate: Certificate, kind: str, actor: User | None = None, note: str = ""
) -> CertificateEvent:
    return CertificateEvent.objects.create(
        certificate=certificate, kind=kind, actor=actor, note=note[:200]
    )


def _check_issuable(
    enrollment: Enrollment,
    template: CertificateTemplate,
    *,
    school: SchoolPage,
    reason: str,
) -> None:
    course = enrollment.training_class.course
    if not template.is_active:
        raise ValidationError(_("该证书模板已停用。"))
    if template.tier and template.tier != course.tier:
        raise ValidationError(_("该证书模板不适用于这门课程的层级。"))
    if template.school_id != school.pk:
        raise ValidationError(_("该证书模板属于另一所学校。"))
    if enrollment.status == Enrollment.Status.COMPLETED:
        return
    if enrollment.status == Enrollment.Status.ACTIVE and reason.strip():
        return  # an administrator's manual issue, with the reason on record
    if enrollment.status == Enrollment.Status.ACTIVE:
        raise ValidationError(_("该学员尚未结业；手动签发须填写原因。"))
    raise ValidationError(_("该报名未在学习中或已结业，不能签发证书。"))


def issue_certificate(
    enrollment: Enrollment,
    *,
    template: CertificateTemplate,
    actor: User | None = None,
    reason: str = "",
    deliver: bool = True,
    announce: bool = True,
    school: SchoolPage | None = None,
) -> Certificate:
    """The certificate of an enrolment under a template, issued now or, if it
    exists, the existing one: issuing twice, or five times at once, gives one row
    and one number. Rendering and e-mail follow in the background after commit
    (unless `deliver` is false: a bulk job delivers in its own worker), and
    certificate_issued is sent (unless `announce` is false: a bulk job announces
    its chunk at once). `school` is the course's school when the caller has
    looked it up already (a bulk job, once for the class)."""
    existing = Certificate.objects.filter(
        enrollment=enrollment, template=template
    ).first()
    if existing is not None:
        return existing
    try:
        return _issue(
            enrollment,
            template=template,
            actor=actor,
            reason=reason,
            deliver=deliver,
            announce=announce,
            school=school,
        )
    except IntegrityError:
        # A concurrent issue stored it first (the unique constraint said so).
        existing = Certificate.objects.filter(
            enrollment=enrollment, template=template
        ).first()
        if existing is None:
            raise
        return existing


@transaction.atomic(durable=True)
def _issue(
    enrollment: Enrollment,
    *,
    template: CertificateTemplate,
    actor: User | None,
    reason: str,
    deliver: bool,
    announce: bool,
    school: SchoolPage | None,
) -> Certificate:
    enrollment = Enrollment.objects.select_related(
        "trainee", "training_class__course"
    ).get(pk=enrollment.pk)
    course = enrollment.training_class.course
    school = school or selectors.school_of(course)
    _check_issuable(enrollment, template, school=school, reason=reason)
    # The credential of this certificate will be signed with the school's key:
    # made here (a write, in the worker or an administrator's POST) if the school
    # was set up without one, never when someone downloads.
    badges.ensure_signing_key(school)
    now = timezone.now()
    issued_on = timezone.localdate(now)
    valid_until = valid_until_for(template, issued_on)
    number = numbering.allocate_number(school, year=issued_on.year, tier=course.tier)
    certificate = Certificate.objects.create(
        enrollment=enrollment,
        template=template,
        holder=enrollment.trainee,
        school=school,
        number=number,
        snapshot=build_snapshot(
            enrollment,
            template,
            school=school,
            number=number,
            issued_on=issued_on,
            valid_until=valid_until,
        ),
        issued_at=now,
        valid_until=valid_until,
    )
    note = _("手动签发：%(reason)s") % {"reason": reason.strip()} if reason else ""
    _record(certificate, Kind.ISSUED, actor, note)
    notify_holder(certificate)
    certificate_id = certificate.pk
    if announce:
        transaction.on_commit(
            lambda: certificate_issued.send(
                sender=Certificate, certificate_id=certificate_id
            )
        )
    if deliver:
        transaction.on_commit(
            lambda: async_task(
                "certificates.tasks.deliver_certificate_task",
                certificate_id,
                task_name=f"deliver-certificate-{certificate_id}",
            )
        )
    return certificate


def issue_on_completion(
    enrollment_id: int, *, deliver: bool = True
) -> Certificate | None:
    """The automatic issue when an enrolment completes, with the school's template
    for the course (none if the school has no active template)."""
    enrollment = (
        Enrollment.objects.select_related("training_class__course")
        .filter(pk=enrollment_id, status=Enrollment.Status.COMPLETED)
        .first()
    )
    if enrollment is None:
        return None
    template = selectors.default_template_for(enrollment.training_class.course)
    if template is None:
        logger.info("No certificate template for enrolment %s", enrollment_id)
        return None
    return issue_certificate(enrollment, template=template, deliver=deliver)


@transaction.atomic
def issue_document(
    *,
    kind: str,
    holder: User,
    school: SchoolPage,
    snapshot: dict,
    actor: User | None,
    valid_until: date | None = None,
    note: str = "",
) -> Certificate:
    """Issue a document of a kind other than a completion (a service-record proof,
    a letter of appointment) from a snapshot its own app built: numbered in the
    kind's series, stamped with the school's name and frozen seal, verifiable like
    a certificate. Joins the caller's transaction (the caller's use case is the
    durable one); the PDF is rendered by the worker after commit."""
    if kind == Certificate.Kind.COMPLETION or kind not in Certificate.Kind.values:
        raise ValueError(f"issue_document cannot issue {kind!r}")
    # The school's credential key is made here if missing, never on a download.
    badges.ensure_signing_key(school)
    now = timezone.now()
    issued_on = timezone.localdate(now)
    number = numbering.allocate_number(school, year=issued_on.year, tier=kind)
    certificate = Certificate.objects.create(
        kind=kind,
        holder=holder,
        school=school,
        number=number,
        snapshot=document_snapshot(
            snapshot,
            kind=kind,
            school=school,
            number=number,
            issued_on=issued_on,
            valid_until=valid_until,
        ),
        issued_at=now,
        valid_until=valid_until,
    )
    _record(certificate, Kind.ISSUED, actor, note)
    notify_holder(certificate)
    certificate_id = certificate.pk
    transaction.on_commit(
        lambda: certificate_issued.send(
            sender=Certificate, certificate_id=certificate_id
        )
    )
    transaction.on_commit(
        lambda: async_task(
            "certificates.tasks.render_certificate_task",
            certificate_id,
            task_name=f"render-certificate-{certificate_id}",
        )
    )
    return certificate


def render_certificate(certificate: Certificate) -> str:
    """Render the certificate's PDF from its snapshot and store it, once. Returns
    the stored file's name."""
    from certificates.rendering import render_pdf

    if certificate.pdf:
        return certificate.pdf.name
    pdf = render_pdf(certificate)
    field = Certificate._meta.get_field("pdf")
    name = field.generate_filename(certificate, f"{certificate.number}.pdf")
    stored = field.storage.save(name, ContentFile(pdf))
    claimed = Certificate.objects.filter(pk=certificate.pk, pdf="").update(pdf=stored)
    if not claimed:  # rendered twice at once: keep the first, drop this copy
        field.storage.delete(stored)
        certificate.refresh_from_db(fields=["pdf"])
        return certificate.pdf.name
    certificate.pdf.name = stored
    _record(certificate, Kind.RENDERED)
    return stored


# A certificate this much older than its issue with no PDF lost its delivery job.
MISSING_PDF_GRACE = timedelta(minutes=5)


def render_missing_pdfs(now=None) -> int:
    """Render the PDF of every certificate issued more than MISSING_PDF_GRACE ago
    that still has none (its delivery job gave up). Returns how many; one failure
    is logged and the rest go on, and the next sweep tries it again."""
    now = now or timezone.now()
    rendered = 0
    missing = Certificate.objects.filter(
        pdf="", issued_at__lte=now - MISSING_PDF_GRACE
    ).order_by("pk")
    for certificate in missing.iterator(chunk_size=100):
        try:
            render_certificate(certificate)
        except Exception:
            logger.exception("Rendering the PDF of certificate %s", certificate.pk)
        else:
            rendered += 1
    return rendered


def _claim(
    certificate: Certificate, kind: str, note: str = ""
) -> CertificateEvent | None:
    """Record a once-only event in a short transaction of its own, before what it
    records leaves the database (an e-mail): None if it was recorded before."""
    try:
        with transaction.atomic():
            return _record(certificate, kind, note=note)
    except IntegrityError:
        return None


def _send_once(
    certificate: Certificate, kind: str, template: str, context: dict
) -> bool:
    """E-mail the holder at most once per `kind`: claimed by the event, sent outside
    any transaction (a slow mail server holds no database lock), and the claim
    withdrawn if sending fails, so that a retry sends it."""
    claim = _claim(certificate, kind, note=certificate.holder.email)
    if claim is None:
        return False
    try:
        with translation.override(PRINT_LANGUAGE):
            send_mail(
                render_to_string(f"emails/{template}-subject.txt", context).strip(),
                render_to_string(f"emails/{template}-body.txt", context),
                None,
                [certificate.holder.email],
            )
    except Exception:
        claim.delete()
        raise
    return True


def send_certificate_email(certificate: Certificate) -> bool:
    """Tell the holder the certificate is ready, once."""
    if not certificate.holder.email:
        return False
    context = {"certificate": certificate, "snapshot": certificate.snapshot}
    return _send_once(certificate, Kind.EMAILED, "certificate_issued", context)


def notify_holder(certificate: Certificate) -> Notification:
    """The certificate in the holder's 消息中心, once (key certificate-<id>), in the
    transaction that issues it: its number, its verification link, and its PDF
    (a page that waits for it while the worker renders it). The e-mail is
    send_certificate_email's, not the centre's."""
    with school_language():
        if certificate.kind == Certificate.Kind.COMPLETION:
            title = _("您的《%(course)s》结业证书已签发") % {
                "course": certificate.snapshot.get("course_title", "")
            }
        else:
            title = _("您的%(kind)s已签发") % {"kind": certificate.get_kind_display()}
        body = _(
            "证书编号：%(number)s\n任何人都可以通过下面的链接核验这张证书：%(url)s"
        ) % {"number": certificate.number, "url": certificate.verification_url}
    return notify(
        certificate.holder,
        kind=Notification.Kind.CERTIFICATE,
        title=title,
        body=body,
        url=reverse("certificates:pdf", args=[certificate.pk]),
        key=f"certificate-{certificate.pk}",
        email=False,
    )


def deliver_certificate(certificate: Certificate) -> None:
    """Render the PDF and e-mail the holder (the 消息中心 was told at issue); each
    step happens once however often this runs."""
    render_certificate(certificate)
    send_certificate_email(certificate)


@transaction.atomic(durable=True)
def revoke_certificate(certificate: Certificate, *, actor: User, reason: str) -> None:
    """Revoke with a reason. The row stays; verification shows it revoked."""
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("请填写撤销原因。"))
    now = timezone.now()
    changed = Certificate.objects.filter(
        pk=certificate.pk, status=Certificate.Status.VALID
    ).update(status=Certificate.Status.REVOKED, revoked_at=now, revoked_reason=reason)
    if not changed:
        raise ValidationError(_("该证书已被撤销。"))
    certificate.status, certificate.revoked_at = Certificate.Status.REVOKED, now
    certificate.revoked_reason = reason
    _record(certificate, Kind.REVOKED, actor, reason)
    certificate_id = certificate.pk
    transaction.on_commit(
        lambda: certificate_revoked.send(
            sender=Certificate, certificate_id=certificate_id
        )
    )


@transaction.atomic(durable=True)
def reinstate_certificate(
    certificate: Certificate, *, actor: User, reason: str
) -> None:
    """Undo a revocation, with a reason; both stay in the certificate's events."""
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("请填写恢复原因。"))
    changed = Certificate.objects.filter(
        pk=certificate.pk, status=Certificate.Status.REVOKED
    ).update(status=Certificate.Status.VALID, revoked_at=None, revoked_reason="")
    if not changed:
        raise ValidationError(_("该证书未被撤销，无需恢复。"))
    certificate.status, certificate.revoked_at = Certificate.Status.VALID, None
    certificate.revoked_reason = ""
    _record(certificate, Kind.REINSTATED, actor, reason)


def _reminder_due(days_left: int) -> str | None:
    """The tightest reminder whose window the certificate is in."""
    due = None
    for days, kind in REMINDER_DAYS.items():
        if days_left <= days:
            due = kind
    return due


def send_expiry_reminders(today: date | None = None) -> int:
    """Remind holders of valid certificates expiring within 60, 30 and 7 days; each
    reminder once per certificate. Returns how many were sent."""
    today = today or timezone.localdate()
    horizon = max(REMINDER_DAYS)
    expiring = (
        Certificate.objects.valid_on(today)
        .filter(valid_until__lte=today + timedelta(days=horizon))
        .select_related("holder")
    )
    sent = 0
    for certificate in expiring.iterator(chunk_size=500):
        kind = _reminder_due(certificate.days_left(today))
        if kind is None:
            continue
        if not certificate.holder.email:
            # Reminded on the site only (我的证书 shows it expiring).
            sent += _claim(certificate, kind) is not None
            continue
        context = {
            "certificate": certificate,
            "snapshot": certificate.snapshot,
            "days_left": certificate.days_left(today),
        }
        try:
            sent += _send_once(certificate, kind, "certificate_expiring", context)
        except Exception:
            # One unreachable mailbox must not stop the others; tomorrow's run
            # tries this one again.
            logger.exception("Expiry reminder for certificate %s", certificate.pk)
    return sent


# --- bulk work over a class -------------------------------------------------------

BATCH_CHUNK = 25  # certificates per queued task: small enough to spread over workers
PROGRESS_EVERY = 5  # certificates between two updates of a batch's progress
Batch = CertificateBatch


def _chunks(ids: list[int], size: int = BATCH_CHUNK) -> list[list[int]]:
    return [ids[start : start + size] for start in range(0, len(ids), size)]


@transaction.atomic(durable=True)
def start_bulk_issue(
    training_class: TrainingClass,
    *,
    template: CertificateTemplate,
    enrollment_ids: list[int],
    actor: User,
) -> CertificateBatch:
    """Queue the issue of certificates to the chosen trainees of a class who have
    completed it. Returns the batch whose progress the admin page follows."""
    chosen = sorted(set(enrollment_ids))
    if not chosen:
        raise ValidationError(_("请至少选择一名学员。"))
    eligible = set(
        selectors.completed_enrollments(training_class)
        .filter(pk__in=chosen)
        .values_list("pk", flat=True)
    )
    if eligible != set(chosen):
        raise ValidationError(_("所选学员中有人不在本班或尚未结业。"))
    course = training_class.course
    if template.pk not in {t.pk for t in selectors.templates_for(course)}:
        raise ValidationError(_("该证书模板不适用于这门课程。"))
    batch = Batch.objects.create(
        kind=Batch.Kind.ISSUE,
        training_class=training_class,
        template=template,
        requested_by=actor,
        enrollment_ids=chosen,
        total=len(chosen),
    )
    batch_id = batch.pk
    for chunk in _chunks(chosen):
        transaction.on_commit(
            lambda chunk=chunk: async_task(
                "certificates.tasks.issue_batch_chunk_task", batch_id, chunk
            )
        )
    return batch


def _advance(batch: CertificateBatch, *, failed: int = 0) -> None:
    """Progress is counted from the certificates themselves, so a retried chunk
    never counts anything twice."""
    rows = Batch.objects.filter(pk=batch.pk)
    # Two workers may count at once; the higher count is the later truth.
    rows.update(
        done=Greatest(F("done"), Value(selectors.batch_done(batch))),
        failed=F("failed") + failed,
    )
    rows.filter(status=Batch.Status.QUEUED).update(status=Batch.Status.RUNNING)
    rows.filter(status=Batch.Status.RUNNING, total__lte=F("done") + F("failed")).update(
        status=Batch.Status.FINISHED, finished_at=timezone.now()
    )


def issue_batch_chunk(batch: CertificateBatch, enrollment_ids: list[int]) -> None:
    """Issue and render part of a batch in this worker, queue the e-mails, and
    announce the chunk's certificates at once (certificates_issued: one ladder
    check for the chunk, not one job each). Safe to run twice: issuing returns
    existing certificates, rendering and e-mail happen once. A trainee who fails
    is counted and logged; the rest go on."""
    enrollments = Enrollment.objects.filter(
        pk__in=enrollment_ids, training_class=batch.training_class_id
    ).order_by("pk")
    school = selectors.school_of(batch.training_class.course)
    since_progress = failed = 0
    issued = []
    for enrollment in enrollments:
        try:
            certificate = issue_certificate(
                enrollment,
                template=batch.template,
                actor=batch.requested_by,
                deliver=False,
                announce=False,
                school=school,
            )
            issued.append(certificate.pk)
            render_certificate(certificate)
        except ValidationError as error:
            logger.warning("Batch %s, enrolment %s: %s", batch.pk, enrollment.pk, error)
            failed += 1
        except Exception:
            # One trainee's failure must not stop the rest of the class.
            logger.exception("Batch %s, enrolment %s", batch.pk, enrollment.pk)
            failed += 1
        else:
            _queue_email(certificate)
        since_progress += 1
        # Counting the batch's certificates costs as much as issuing one: progress
        # moves every few certificates, not after each.
        if since_progress == PROGRESS_EVERY:
            _advance(batch, failed=failed)
            since_progress = failed = 0
    if since_progress:
        _advance(batch, failed=failed)
    if issued:
        certificates_issued.send(sender=Certificate, certificate_ids=issued)


def _stall_after() -> timedelta:
    """A batch with no new certificate for this long has lost its worker: longer
    than any chunk may run (the queue's timeout), with a margin."""
    return timedelta(seconds=settings.Q_TIMEOUT + 60)


def resume_stalled_batches(now=None) -> int:
    """The sweep (every five minutes): queue again the work of issuing batches
    that stopped moving — a worker killed mid-chunk, or a broker (Redis) that
    hands a lost task to nobody. Only the enrolments still without a rendered
    certificate are queued; chunks are safe to run twice, so a slow batch queued
    again costs work, never a duplicate. Returns how many batches were resumed."""
    now = now or timezone.now()
    quiet_since = now - _stall_after()
    resumed = 0
    open_batches = Batch.objects.filter(
        kind=Batch.Kind.ISSUE,
        status__in=[Batch.Status.QUEUED, Batch.Status.RUNNING],
        created_at__lt=quiet_since,
    ).exclude(resumed_at__gte=quiet_since)
    for batch in open_batches.order_by("pk"):
        certificates = Certificate.objects.filter(
            template=batch.template_id, enrollment_id__in=batch.enrollment_ids
        )
        last = certificates.aggregate(last=Max("issued_at"))["last"]
        if last is not None and last >= quiet_since:
            continue  # still moving
        done = set(certificates.exclude(pdf="").values_list("enrollment_id", flat=True))
        missing = [pk for pk in batch.enrollment_ids if pk not in done]
        claimed = (
            Batch.objects.filter(pk=batch.pk)
            .exclude(resumed_at__gte=quiet_since)
            .update(resumed_at=now)
        )
        if not claimed:
            continue  # another sweep took it
        if not missing:
            _advance(batch)
            continue
        logger.warning(
            "Batch %s stalled: queueing %s enrolments again", batch.pk, len(missing)
        )
        for chunk in _chunks(missing):
            async_task("certificates.tasks.issue_batch_chunk_task", batch.pk, chunk)
        resumed += 1
    return resumed


def _queue_email(certificate: Certificate) -> None:
    """The holder's e-mail as a job of its own, retried by the queue: a mail server
    that is down delays the e-mails, never the certificates."""
    if not certificate.holder.email:
        return
    try:
        async_task("certificates.tasks.email_certificate_task", certificate.pk)
    except Exception:
        logger.exception("E-mail of certificate %s", certificate.pk)


UNSAFE_IN_FILE_NAMES = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


def archive_member_name(certificate: Certificate) -> str:
    """`<number>-<name>.pdf`, with what file systems refuse taken out of the name."""
    name = UNSAFE_IN_FILE_NAMES.sub("", certificate.snapshot["holder_name"]).strip()
    return f"{certificate.number}-{name[:40] or '_'}.pdf"


@transaction.atomic(durable=True)
def start_class_archive(
    training_class: TrainingClass, *, actor: User
) -> CertificateBatch:
    """Queue a ZIP of the class's valid certificates' PDFs."""
    certificates = selectors.class_certificates(training_class).filter(
        status=Certificate.Status.VALID
    )
    total = certificates.count()
    if not total:
        raise ValidationError(_("本班还没有可下载的有效证书。"))
    batch = Batch.objects.create(
        kind=Batch.Kind.ARCHIVE,
        training_class=training_class,
        requested_by=actor,
        total=total,
    )
    batch_id = batch.pk
    transaction.on_commit(
        lambda: async_task("certificates.tasks.build_class_archive_task", batch_id)
    )
    return batch


def build_class_archive(batch: CertificateBatch) -> None:
    """Write the ZIP (rendering any PDF not yet rendered), then publish it on the
    batch. Run twice, it builds the same archive again and keeps one."""
    certificates = list(
        selectors.class_certificates(batch.training_class).filter(
            status=Certificate.Status.VALID
        )
    )
    rows = Batch.objects.filter(pk=batch.pk)
    rows.update(status=Batch.Status.RUNNING, total=len(certificates), done=0)
    try:
        stored = _write_archive(batch, certificates)
    except Exception as error:
        rows.update(
            status=Batch.Status.FAILED,
            error=repr(error)[:2000],
            finished_at=timezone.now(),
        )
        raise
    field = CertificateBatch._meta.get_field("archive")
    previous = Batch.objects.get(pk=batch.pk).archive.name
    rows.update(
        archive=stored,
        status=Batch.Status.FINISHED,
        error="",
        finished_at=timezone.now(),
    )
    if previous and previous != stored:
        field.storage.delete(previous)


def _write_archive(batch: CertificateBatch, certificates: list[Certificate]) -> str:
    rows = Batch.objects.filter(pk=batch.pk)
    with tempfile.TemporaryFile() as spool:
        with zipfile.ZipFile(spool, "w", zipfile.ZIP_STORED) as archive:
            names: set[str] = set()
            for done, certificate in enumerate(certificates, start=1):
                render_certificate(certificate)
                name = archive_member_name(certificate)
                if name in names:
                    name = f"{certificate.number}-{certificate.pk}.pdf"
                names.add(name)
                with certificate.pdf.open("rb") as pdf:
                    archive.writestr(name, pdf.read())
                rows.update(done=done)
        spool.seek(0)
        field = CertificateBatch._meta.get_field("archive")
        class_label = f"{batch.training_class.course_id}-{batch.training_class.number}"
        stored = field.storage.save(
            field.generate_filename(batch, f"class-{class_label}-{batch.pk}.zip"),
            File(spool),
        )
    return stored
