"""State changes of the institution: accounts, trainee imports and activation."""

import hashlib
import hmac
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from school import activation, encryption, roles, throttling
from school.importing import CheckedFile, RowError, check_table, read_table
from school.models import ActivationCode, Level, OrgUnit, TraineeImport, User
from school.permissions import is_staff_account

# SQLite allows 999 variables per statement on old builds; stay well under it.
BATCH = 500


def _trainee_group() -> Group:
    group, _created = Group.objects.get_or_create(name=roles.TRAINEE)
    return group


@transaction.atomic(durable=True)
def register_trainee(
    *,
    phone: str,
    real_name: str,
    org_unit: OrgUnit,
    password: str,
    privacy_consent_version: str,
    email: str = "",
) -> User:
    """Sign a new trainee up, at level 居民, recording which 个人信息保护说明 they
    accepted and when (no account is made without that consent).

    A phone that an administrator imported belongs to an account waiting for its
    owner: it is claimed with the activation code the school handed out
    (activate_account), never by knowing the person's name and community.
    """
    _require_privacy_consent(privacy_consent_version)
    existing = User.objects.filter(phone=phone).first()
    if existing is not None:
        raise ValidationError({"phone": _taken_phone_message(existing)})
    now = timezone.now()
    user = User(
        phone=phone,
        real_name=real_name,
        org_unit=org_unit,
        email=email,
        level=Level.RESIDENT,
        date_joined=now,
        privacy_consent_version=privacy_consent_version,
        privacy_consented_at=now,
    )
    user.set_password(password)
    user.full_clean(exclude=["password"])
    try:
        # A simultaneous sign-up with the same phone can commit between the look-up
        # above and this insert; then only the unique index notices. The savepoint
        # keeps the transaction usable for the look-up that tells that case apart.
        with transaction.atomic():
            user.save()
    except IntegrityError as error:
        if User.objects.filter(phone=phone).exists():
            raise ValidationError({"phone": _("该手机号已注册。")}) from error
        raise
    user.groups.add(_trainee_group())
    return user


def _require_privacy_consent(version: str) -> None:
    # The notice accepted must be the one shown now: a form rendered before the
    # notice changed does not count as consent to the new one.
    if version != settings.GRIDSCHOOL_PRIVACY_NOTICE_VERSION:
        raise ValidationError(
            {"privacy_consent": _("请阅读并同意最新的个人信息保护说明。")}
        )


def is_waiting_for_activation(user: User) -> bool:
    """An imported trainee account whose owner has not set a password yet (never a
    staff account: those are set up by a superuser)."""
    return (
        user.is_active and not user.has_usable_password() and not is_staff_account(user)
    )


def _taken_phone_message(user: User) -> str:
    if is_waiting_for_activation(user):
        return _(
            "该手机号已由学校导入。请使用管理员发给您的激活码激活账号"
            "（登录页「用激活码激活账号」）；没有激活码请联系所在社区的管理员。"
        )
    return _("该手机号已注册。")


@transaction.atomic(durable=True)
def update_profile(
    user: User, *, real_name: str, email: str, org_unit: OrgUnit
) -> User:
    """A person corrects their own name, email or unit."""
    user.real_name = real_name
    user.email = email
    user.org_unit = org_unit
    user.full_clean(exclude=["password"])
    user.save(update_fields=["real_name", "email", "org_unit"])
    return user


class ImportRejected(Exception):
    """The file had bad rows; nothing was imported. `errors` lists every one."""

    def __init__(self, errors: list) -> None:
        super().__init__(f"{len(errors)} bad row(s)")
        self.errors = errors


def import_trainees(
    content: bytes, *, filename: str, actor: User | None
) -> TraineeImport:
    """Load a trainee list. All rows or none: any bad row rejects the whole file and
    every bad row is reported. Re-importing the same file changes nothing.

    An import updates plain trainee accounts only: a row whose phone belongs to a
    staff member, a superuser or anyone with a role is refused and named, since
    whoever sets an account's e-mail can take it over by a password reset.
    New accounts get no password but an activation code (activate_account), and
    so do imported accounts still waiting for their owner whose code has lapsed.
    """
    checked = check_table(read_table(content, filename))
    if not checked.ok:
        raise ImportRejected(checked.errors)
    digest = hashlib.sha256(content).hexdigest()
    try:
        return _write_import(checked, filename=filename, digest=digest, actor=actor)
    except IntegrityError:
        # A concurrent import or sign-up took one of these phones between our read
        # and our insert, and everything was rolled back. A second pass sees that
        # account as existing and updates it instead.
        return _write_import(checked, filename=filename, digest=digest, actor=actor)


def _existing_accounts(phones: list[str]) -> dict[str, User]:
    existing: dict[str, User] = {}
    for start in range(0, len(phones), BATCH):
        chunk = phones[start : start + BATCH]
        existing.update(
            (user.phone, user)
            for user in User.objects.select_for_update()
            .filter(phone__in=chunk)
            .prefetch_related("groups")
        )
    return existing


def _staff_rows(checked: CheckedFile, existing: dict[str, User]) -> list[RowError]:
    errors = []
    for row in checked.rows:
        user = existing.get(row.phone)
        if user is not None and is_staff_account(user):
            errors.append(
                RowError(
                    row.row,
                    _(
                        "手机号 %(phone)s 属于工作人员账号（%(name)s），导入不能修改"
                        "工作人员账号，请从文件中删去这一行。"
                    )
                    % {"phone": user.masked_phone, "name": user.real_name},
                )
            )
    return errors


@transaction.atomic(durable=True)
def _write_import(
    checked: CheckedFile, *, filename: str, digest: str, actor: User | None
) -> TraineeImport:
    existing = _existing_accounts([row.phone for row in checked.rows])
    refused = _staff_rows(checked, existing)
    if refused:
        raise ImportRejected(refused)

    to_create: list[User] = []
    to_update: list[User] = []
    for row in checked.rows:
        user = existing.get(row.phone)
        if user is None:
            user = User(
                phone=row.phone,
                real_name=row.real_name,
                org_unit=row.org_unit,
                email=row.email,
                level=Level.RESIDENT,
            )
            user.set_unusable_password()
            to_create.append(user)
            continue
        new_values = {
            "real_name": row.real_name,
            "org_unit_id": row.org_unit.pk,
            # A blank email in the file keeps the one the person gave us.
            "email": row.email or user.email,
        }
        if any(getattr(user, name) != value for name, value in new_values.items()):
            for name, value in new_values.items():
                setattr(user, name, value)
            to_update.append(user)

    User.objects.bulk_create(to_create, batch_size=BATCH)
    User.objects.bulk_update(
        to_update, ["real_name", "org_unit", "email"], batch_size=BATCH
    )
    if to_create:
        # bulk_create has set the primary keys (PostgreSQL; SQLite >= 3.35).
        group = _trainee_group()
        Membership = User.groups.through
        Membership.objects.bulk_create(
            [Membership(user_id=user.pk, group_id=group.pk) for user in to_create],
            batch_size=BATCH,
            ignore_conflicts=True,
        )
    record = TraineeImport.objects.create(
        filename=filename[:255],
        sha256=digest,
        actor=actor if actor is not None and actor.pk else None,
        rows=len(checked.rows),
        created=len(to_create),
        updated=len(to_update),
        unchanged=len(checked.rows) - len(to_create) - len(to_update),
    )
    _issue_missing_codes(
        to_create,
        [user for user in existing.values() if is_waiting_for_activation(user)],
        trainee_import=record,
        actor=actor,
    )
    return record


# --- activation codes ---------------------------------------------------------------


def _new_code_row(
    user: User, *, trainee_import: TraineeImport | None, actor: User | None, now
) -> ActivationCode:
    return ActivationCode(
        user=user,
        code_encrypted=encryption.encrypt(activation.new_code()),
        trainee_import=trainee_import,
        created_by=actor if actor is not None and actor.pk else None,
        expires_at=now + timedelta(days=settings.GRIDSCHOOL_ACTIVATION_CODE_DAYS),
    )


def _issue_missing_codes(
    new_users: list[User],
    waiting: list[User],
    *,
    trainee_import: TraineeImport,
    actor: User | None,
) -> None:
    """A code for each new account, and for each account in `waiting` (imported
    before, owner not yet activated) that has no live one: a lapsed or locked code
    is voided and replaced, a live one kept (slips already handed out stay good)."""
    now = timezone.now()
    ids = [user.pk for user in waiting]
    live: set[int] = set()
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        live.update(
            ActivationCode.objects.live(now)
            .filter(user_id__in=chunk)
            .values_list("user_id", flat=True)
        )
        ActivationCode.objects.filter(
            user_id__in=chunk, used_at__isnull=True, voided_at__isnull=True
        ).exclude(user_id__in=live).update(voided_at=now)
    needing = [*new_users, *(user for user in waiting if user.pk not in live)]
    ActivationCode.objects.bulk_create(
        [
            _new_code_row(user, trainee_import=trainee_import, actor=actor, now=now)
            for user in needing
        ],
        batch_size=BATCH,
    )


@transaction.atomic(durable=True)
def renew_activation_code(user: User, *, actor: User) -> tuple[ActivationCode, str]:
    """A new code for an imported account still waiting for its owner (the slip was
    lost, the code expired or was locked by wrong guesses). The previous code stops
    working at once. Returns the row and the code in clear, to print."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if not is_waiting_for_activation(user):
        raise ValidationError(_("该账号已激活或已停用，不需要激活码。"))
    now = timezone.now()
    ActivationCode.objects.filter(
        user=user, used_at__isnull=True, voided_at__isnull=True
    ).update(voided_at=now)
    previous = (
        ActivationCode.objects.filter(user=user, trainee_import__isnull=False)
        .values_list("trainee_import_id", flat=True)
        .first()
    )
    row = _new_code_row(user, trainee_import=None, actor=actor, now=now)
    row.trainee_import_id = previous
    row.save()
    return row, encryption.decrypt(row.code_encrypted)


class ActivationRefused(ValidationError):
    """An activation attempt that failed; the message never says which of phone or
    code was wrong."""


ACTIVATION_WINDOW = 15 * 60
ACTIVATION_FAILURES_PER_PHONE = 5
ACTIVATION_FAILURES_PER_ADDRESS = 20


def activation_wait(*, phone: str, address: str) -> int | None:
    """Seconds to wait before this phone or address may try again, or None."""
    phone_key, address_key = f"activate-phone:{phone}", f"activate-address:{address}"
    failures = throttling.counts([phone_key, address_key], window=ACTIVATION_WINDOW)
    too_many = (
        failures[phone_key] >= ACTIVATION_FAILURES_PER_PHONE
        or failures[address_key] >= ACTIVATION_FAILURES_PER_ADDRESS
    )
    return throttling.seconds_left(ACTIVATION_WINDOW) if too_many else None


def _activation_failed(phone: str, address: str, code: ActivationCode | None):
    throttling.hit(f"activate-phone:{phone}", window=ACTIVATION_WINDOW)
    throttling.hit(f"activate-address:{address}", window=ACTIVATION_WINDOW)
    if code is not None:
        # Counted on the code itself too, so that guessing across many addresses
        # and windows still ends: the code is voided at the limit.
        ActivationCode.objects.filter(pk=code.pk).update(
            failed_attempts=F("failed_attempts") + 1
        )
        ActivationCode.objects.filter(
            pk=code.pk,
            voided_at__isnull=True,
            failed_attempts__gte=activation.ACTIVATION_MAX_FAILURES,
        ).update(voided_at=timezone.now())
    return ActivationRefused(
        _(
            "手机号或激活码不正确，或激活码已过期、已使用。请核对激活单；"
            "仍不行请联系所在社区的管理员重新生成激活码。"
        )
    )


def activate_account(
    *,
    phone: str,
    code: str,
    password: str,
    address: str,
    privacy_consent_version: str,
    email: str = "",
) -> User:
    """An imported person sets their password with the one-time code the school
    handed them, and accepts the 个人信息保护说明 (version and time recorded).
    Refused alike for an unknown phone, a wrong, used, voided or expired code;
    failures are counted per phone and per address (and on the code, which is
    voided after ACTIVATION_MAX_FAILURES)."""
    _require_privacy_consent(privacy_consent_version)
    wait = activation_wait(phone=phone, address=address)
    if wait is not None:
        raise ActivationRefused(
            _("尝试次数过多，请 %(minutes)s 分钟后再试。")
            % {"minutes": max(1, round(wait / 60))}
        )
    try:
        return _activate(
            phone=phone,
            code=code,
            password=password,
            email=email,
            privacy_consent_version=privacy_consent_version,
        )
    except ActivationRefused as refused:
        failed_code = getattr(refused, "failed_code", None)
        raise _activation_failed(phone, address, failed_code) from None


@transaction.atomic(durable=True)
def _activate(
    *, phone: str, code: str, password: str, email: str, privacy_consent_version: str
) -> User:
    user = User.objects.select_for_update().filter(phone=phone).first()
    live = (
        ActivationCode.objects.live().filter(user=user).first()
        if user is not None and is_waiting_for_activation(user)
        else None
    )
    typed = activation.normalise_code(code)
    if live is None or not hmac.compare_digest(
        typed.encode(), encryption.decrypt(live.code_encrypted).encode()
    ):
        refused = ActivationRefused("refused")
        refused.failed_code = live
        raise refused
    used = (
        ActivationCode.objects.live().filter(pk=live.pk).update(used_at=timezone.now())
    )
    if not used:  # used by a simultaneous request a moment ago
        raise ActivationRefused("refused")
    user.set_password(password)
    user.privacy_consent_version = privacy_consent_version
    user.privacy_consented_at = timezone.now()
    fields = ["password", "privacy_consent_version", "privacy_consented_at"]
    if email:
        user.email = email
        fields.append("email")
    user.save(update_fields=fields)
    return user
