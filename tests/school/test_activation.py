"""Activation codes: an imported person sets their password with the one-time code
the school handed out — never with public facts; codes expire, work once, are
counted and voided under guessing, stored encrypted, and renewed by an
administrator; the admin pages list, export and print them."""

import io
from datetime import timedelta

from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

import pytest
from openpyxl import load_workbook

from school import encryption, services
from school.activation import ACTIVATION_MAX_FAILURES, display_code
from school.models import ActivationCode, RateCounter, TraineeImport, User
from tests.concurrency import run_concurrently
from tests.school.factories import PHONES, good_file

pytestmark = pytest.mark.django_db

PASSWORD = "Quiet-Harbour-31"
ADDRESS = "203.0.113.7"


@pytest.fixture
def imported(community, grid, school_admin) -> TraineeImport:
    return services.import_trainees(
        good_file(), filename="名单.csv", actor=school_admin
    )


def code_of(phone: str) -> str:
    row = ActivationCode.objects.live().get(user__phone=phone)
    return encryption.decrypt(row.code_encrypted)


def activate(phone: str, code: str, *, address: str = ADDRESS) -> User:
    return services.activate_account(
        phone=phone,
        code=code,
        password=PASSWORD,
        address=address,
        privacy_consent_version=settings.GRIDSCHOOL_PRIVACY_NOTICE_VERSION,
    )


def form(phone: str, code: str) -> dict:
    return {
        "phone": phone,
        "code": code,
        "password1": PASSWORD,
        "password2": PASSWORD,
        "privacy_consent": "on",
    }


def test_the_person_activates_with_the_code_on_the_slip_and_lands_logged_in(
    client, imported
):
    code = display_code(code_of(PHONES[0])).lower()  # typed in lower case, with "-"

    response = client.post(reverse("accounts:activate"), form(PHONES[0], code))

    assert response.status_code == 302
    person = User.objects.get(phone=PHONES[0])
    assert person.check_password(PASSWORD)
    assert client.session["_auth_user_id"] == str(person.pk)
    assert ActivationCode.objects.get(user=person).used_at is not None


def test_a_code_works_once(imported):
    code = code_of(PHONES[0])
    activate(PHONES[0], code)

    with pytest.raises(services.ActivationRefused):
        services.activate_account(
            phone=PHONES[0],
            code=code,
            password="Other-Harbour-99",
            address=ADDRESS,
            privacy_consent_version=settings.GRIDSCHOOL_PRIVACY_NOTICE_VERSION,
        )

    assert User.objects.get(phone=PHONES[0]).check_password(PASSWORD)


def test_another_persons_code_does_not_open_this_account(imported):
    with pytest.raises(services.ActivationRefused):
        activate(PHONES[0], code_of(PHONES[1]))

    assert not User.objects.get(phone=PHONES[0]).has_usable_password()


def test_an_expired_code_is_refused(imported):
    code = code_of(PHONES[0])
    ActivationCode.objects.update(expires_at=timezone.now() - timedelta(minutes=1))

    with pytest.raises(services.ActivationRefused):
        activate(PHONES[0], code)


def test_an_unknown_phone_and_a_wrong_code_get_the_same_answer(client, imported):
    unknown = client.post(
        reverse("accounts:activate"), form("13999999999", "AAAA-BBBB")
    )
    wrong = client.post(reverse("accounts:activate"), form(PHONES[0], "AAAA-BBBB"))

    assert unknown.status_code == wrong.status_code == 200
    text = "手机号或激活码不正确"
    assert text in unknown.content.decode() and text in wrong.content.decode()


def test_five_wrong_codes_for_one_phone_stop_even_the_right_one_for_a_while(imported):
    for _ in range(5):
        with pytest.raises(services.ActivationRefused):
            activate(PHONES[0], "AAAABBBB")

    with pytest.raises(services.ActivationRefused, match="尝试次数过多"):
        activate(PHONES[0], code_of(PHONES[0]))

    assert not User.objects.get(phone=PHONES[0]).has_usable_password()


def test_one_address_trying_many_phones_is_stopped(imported, grid):
    phones = [f"1390000{n:04d}" for n in range(100, 121)]
    for phone in phones[:20]:
        with pytest.raises(services.ActivationRefused):
            activate(phone, "AAAABBBB")

    with pytest.raises(services.ActivationRefused, match="尝试次数过多"):
        activate(PHONES[0], code_of(PHONES[0]))
    # Another address is not held up by this one.
    assert activate(PHONES[0], code_of(PHONES[0]), address="198.51.100.1")


def test_guessing_from_many_addresses_and_windows_voids_the_code(imported):
    for n in range(ACTIVATION_MAX_FAILURES):
        with pytest.raises(services.ActivationRefused):
            activate(PHONES[0], "AAAABBBB", address=f"198.51.100.{n}")
        RateCounter.objects.all().delete()  # as if the window had passed

    row = ActivationCode.objects.get(user__phone=PHONES[0])
    assert row.voided_at is not None
    with pytest.raises(services.ActivationRefused):
        activate(PHONES[0], encryption.decrypt(row.code_encrypted), address="192.0.2.9")


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_activations_with_one_code_set_one_password(imported):
    code = code_of(PHONES[0])

    def attempt(password):
        return services.activate_account(
            phone=PHONES[0],
            code=code,
            password=password,
            address=ADDRESS,
            privacy_consent_version=settings.GRIDSCHOOL_PRIVACY_NOTICE_VERSION,
        )

    outcomes = run_concurrently(attempt, 2, PASSWORD)

    winners = [outcome for outcome in outcomes if isinstance(outcome, User)]
    assert len(winners) == 1, outcomes
    assert all(
        isinstance(outcome, services.ActivationRefused)
        for outcome in outcomes
        if outcome not in winners
    )


def test_codes_are_stored_encrypted(imported):
    row = ActivationCode.objects.get(user__phone=PHONES[0])
    code = encryption.decrypt(row.code_encrypted)

    assert code not in row.code_encrypted
    assert len(code) == 8


def test_renewing_voids_the_old_code_and_the_new_one_works(imported, school_admin):
    old = code_of(PHONES[0])
    person = User.objects.get(phone=PHONES[0])

    _row, new = services.renew_activation_code(person, actor=school_admin)

    with pytest.raises(services.ActivationRefused):
        activate(PHONES[0], old)
    assert activate(PHONES[0], new).pk == person.pk


def test_an_activated_account_gets_no_new_code(imported, school_admin):
    activate(PHONES[0], code_of(PHONES[0]))

    with pytest.raises(services.ValidationError):
        services.renew_activation_code(
            User.objects.get(phone=PHONES[0]), actor=school_admin
        )


def test_a_staff_account_without_password_cannot_be_activated(grid, school_admin):
    # Not reachable through an import (staff rows are refused); here by hand.
    school_admin.set_unusable_password()
    school_admin.save()
    with pytest.raises(services.ValidationError):
        services.renew_activation_code(school_admin, actor=school_admin)


# --- the admin pages -----------------------------------------------------------------


def test_the_administrator_sees_exports_and_prints_the_codes(
    client, imported, school_admin
):
    client.force_login(school_admin)
    codes = [display_code(code_of(phone)) for phone in PHONES]

    page = client.get(reverse("school_import_codes", args=[imported.pk]))
    sheet = client.get(reverse("school_import_codes_xlsx", args=[imported.pk]))
    slips = client.get(reverse("school_import_codes_print", args=[imported.pk]))

    assert page.status_code == sheet.status_code == slips.status_code == 200
    assert all(code in page.content.decode() for code in codes)
    assert all(code in slips.content.decode() for code in codes)
    workbook = load_workbook(io.BytesIO(sheet.content))
    cells = [
        cell for row in workbook.active.iter_rows(values_only=True) for cell in row
    ]
    assert set(codes) <= set(cells)
    assert set(PHONES) <= set(cells)


def test_used_codes_are_no_longer_shown(client, imported, school_admin):
    code = display_code(code_of(PHONES[0]))
    activate(PHONES[0], code)
    client.force_login(school_admin)

    page = client.get(
        reverse("school_import_codes", args=[imported.pk])
    ).content.decode()

    assert code not in page
    assert "已激活" in page


@pytest.mark.parametrize(
    "url_name",
    ["school_import_codes", "school_import_codes_xlsx", "school_import_codes_print"],
)
def test_nobody_but_an_importing_administrator_reads_the_codes(
    client, imported, trainee, instructor, url_name
):
    url = reverse(url_name, args=[imported.pk])
    code = display_code(code_of(PHONES[0]))
    for person in (trainee, instructor):
        client.force_login(person)
        response = client.get(url)
        assert response.status_code in (302, 403)
        assert code not in response.content.decode()


def test_renewing_is_a_post_with_a_csrf_token(imported, school_admin):
    person = User.objects.get(phone=PHONES[0])
    old = code_of(PHONES[0])
    url = reverse("school_renew_activation_code", args=[person.pk])
    client = Client(enforce_csrf_checks=True)
    client.force_login(school_admin)

    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 403
    assert code_of(PHONES[0]) == old

    page = client.get(reverse("school_import_codes", args=[imported.pk]))
    token = page.context["csrf_token"]
    response = client.post(url, {"csrfmiddlewaretoken": token})

    assert response.status_code == 302
    assert code_of(PHONES[0]) != old


def test_a_trainee_cannot_renew_codes(client, imported, trainee):
    person = User.objects.get(phone=PHONES[0])
    old = code_of(PHONES[0])
    client.force_login(trainee)

    response = client.post(reverse("school_renew_activation_code", args=[person.pk]))

    assert response.status_code in (302, 403)
    assert code_of(PHONES[0]) == old


def test_fresh_sign_up_still_works_for_a_phone_nobody_imported(client, grid):
    response = client.post(
        reverse("accounts:signup"),
        {
            "phone": "13700001111",
            "real_name": "新学员",
            "org_unit": grid.pk,
            "password1": PASSWORD,
            "password2": PASSWORD,
            "privacy_consent": "on",
        },
    )

    assert response.status_code == 302
    assert User.objects.get(phone="13700001111").check_password(PASSWORD)


def test_an_activation_code_cannot_take_over_an_account_with_a_password(trainee):
    row = ActivationCode.objects.create(
        user=trainee,
        code_encrypted=encryption.encrypt("ABCDEFGH"),
        expires_at=timezone.now() + timedelta(days=1),
    )

    with pytest.raises(services.ActivationRefused):
        activate(trainee.phone, "ABCDEFGH")

    row.refresh_from_db()
    assert row.used_at is None
    trainee.refresh_from_db()
    assert not trainee.check_password(PASSWORD)
