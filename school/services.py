"""State changes of the institution: accounts and trainee imports."""

import hashlib

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from school import roles
from school.importing import CheckedFile, check_table, read_table
from school.models import Level, OrgUnit, TraineeImport, User

# SQLite allows 999 variables per statement on old builds; stay well under it.
BATCH = 500


def _trainee_group() -> Group:
    group, _created = Group.objects.get_or_create(name=roles.TRAINEE)
    return group


@transaction.atomic(durable=True)
def register_trainee(
    *, phone: str, real_name: str, org_unit: OrgUnit, password: str, email: str = ""
) -> User:
    """Sign a new trainee up, at level 居民.

    A person an administrator imported has an account without a password; signing up
    with the same phone, name and unit claims that account instead of failing.
    """
    existing = User.objects.select_for_update().filter(phone=phone).first()
    if existing is not None:
        claimable = (
            not existing.has_usable_password()
            and existing.real_name == real_name
            and existing.org_unit_id == org_unit.pk
            and existing.is_active
        )
        if not claimable:
            raise ValidationError({"phone": _("该手机号已注册。")})
        existing.set_password(password)
        if email:
            existing.email = email
        existing.save(update_fields=["password", "email"])
        return existing
    user = User(
        phone=phone,
        real_name=real_name,
        org_unit=org_unit,
        email=email,
        level=Level.RESIDENT,
    )
    user.set_password(password)
    user.full_clean(exclude=["password"])
    try:
        # A simultaneous sign-up with the same phone can commit between the checks
        # above and this insert (select_for_update locks no row that does not exist
        # yet); then only the unique index notices. The savepoint keeps the
        # transaction usable for the look-up that tells that case apart.
        with transaction.atomic():
            user.save()
    except IntegrityError as error:
        if User.objects.filter(phone=phone).exists():
            raise ValidationError({"phone": _("该手机号已注册。")}) from error
        raise
    user.groups.add(_trainee_group())
    return user


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

    New accounts get no password; the person claims the account by signing up with
    the same phone, name and unit.
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


@transaction.atomic(durable=True)
def _write_import(
    checked: CheckedFile, *, filename: str, digest: str, actor: User | None
) -> TraineeImport:
    phones = [row.phone for row in checked.rows]
    existing: dict[str, User] = {}
    for start in range(0, len(phones), BATCH):
        chunk = phones[start : start + BATCH]
        existing.update(
            (user.phone, user)
            for user in User.objects.select_for_update().filter(phone__in=chunk)
        )

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
    return TraineeImport.objects.create(
        filename=filename[:255],
        sha256=digest,
        actor=actor if actor is not None and actor.pk else None,
        rows=len(checked.rows),
        created=len(to_create),
        updated=len(to_update),
        unchanged=len(checked.rows) - len(to_create) - len(to_update),
    )
