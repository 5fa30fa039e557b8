"""Trainee import: reading CSV/XLSX, checking every row, all-or-nothing writing, the
admin upload, staff accounts left alone, and activation codes for new accounts."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms import FileField
from django.urls import reverse
from django.utils import timezone, translation

import pytest

from school import roles, services
from school.importing import MAX_FILE_BYTES, UnreadableFile, check_table, read_table
from school.models import ActivationCode, Level, OrgUnit, TraineeImport, User
from tests.concurrency import run_all_concurrently
from tests.factories import OrgUnitFactory, UserFactory
from tests.school.factories import (
    GOOD_ROWS,
    HEADER,
    PHONES,
    csv_bytes,
    good_file,
    xlsx_bytes,
)

pytestmark = pytest.mark.django_db


def imported_users():
    return User.objects.filter(phone__in=PHONES).order_by("phone")


def snapshot():
    return list(
        User.objects.order_by("phone").values(
            "pk", "phone", "real_name", "org_unit_id", "email", "level", "password"
        )
    )


def reasons_by_row(errors) -> dict[int, list[str]]:
    by_row: dict[int, list[str]] = {}
    for error in errors:
        by_row.setdefault(error.row, []).append(error.reason)
    return by_row


# --- A good file -----------------------------------------------------------------


def test_a_good_file_creates_residents_in_the_trainee_group_without_passwords(
    community, grid, school_admin
):
    record = services.import_trainees(
        good_file(), filename="名单.csv", actor=school_admin
    )

    users = list(imported_users())
    assert [user.real_name for user in users] == ["陈一", "陈二", "欧阳 小明"]
    assert [user.org_unit for user in users] == [grid, community, grid]
    assert [user.email for user in users] == ["", "chen2@example.com", ""]
    trainees = Group.objects.get(name=roles.TRAINEE)
    for user in users:
        assert user.level == Level.RESIDENT
        assert not user.has_usable_password()
        assert list(user.groups.all()) == [trainees]
        assert user.is_active and not user.is_staff and not user.is_superuser
    assert record.rows == 3
    assert (record.created, record.updated, record.unchanged) == (3, 0, 0)


def test_a_successful_import_writes_one_record_naming_the_file_and_the_actor(
    community, grid, school_admin
):
    content = good_file()

    services.import_trainees(content, filename="名单.csv", actor=school_admin)

    record = TraineeImport.objects.get()
    assert record.filename == "名单.csv"
    assert record.actor == school_admin
    assert len(record.sha256) == 64
    assert record.imported_at is not None


def test_importing_the_same_file_again_changes_nothing(community, grid, school_admin):
    content = good_file()
    services.import_trainees(content, filename="名单.csv", actor=school_admin)
    before = snapshot()

    again = services.import_trainees(content, filename="名单.csv", actor=school_admin)

    assert snapshot() == before
    assert (again.rows, again.created, again.updated, again.unchanged) == (3, 0, 0, 3)
    assert TraineeImport.objects.count() == 2
    assert User.objects.filter(phone__in=PHONES).count() == 3
    membership = User.groups.through.objects.filter(user__phone__in=PHONES)
    assert membership.count() == 3


def test_a_corrected_file_updates_names_and_units_and_keeps_a_known_email(
    community, grid, school_admin
):
    services.import_trainees(good_file(), filename="a.csv", actor=school_admin)
    corrected = csv_bytes(
        [
            HEADER,
            ["陈壹", "13900000001", "桃园社区", "", ""],
            ["陈二", "13900000002", "桃园社区", "", ""],
            ["欧阳小明", "13900000003", "桃园社区", "第1网格", ""],
            ["陈四", "13900000004", "桃园社区", "", ""],
        ]
    )

    record = services.import_trainees(corrected, filename="b.csv", actor=school_admin)

    assert (record.created, record.updated, record.unchanged) == (1, 2, 1)
    first = User.objects.get(phone="13900000001")
    assert (first.real_name, first.org_unit) == ("陈壹", community)
    assert User.objects.get(phone="13900000002").email == "chen2@example.com"
    assert User.objects.get(phone="13900000003").real_name == "欧阳小明"


def test_an_import_keeps_the_level_groups_and_password_of_an_existing_account(
    community, grid, trainee, school_admin
):
    trainee.level = Level.VOLUNTEER
    trainee.save()
    content = csv_bytes(
        [HEADER, [trainee.real_name, trainee.phone, "桃园社区", "", ""]]
    )

    record = services.import_trainees(content, filename="a.csv", actor=school_admin)

    trainee.refresh_from_db()
    assert record.updated == 1
    assert trainee.org_unit == community
    assert trainee.level == Level.VOLUNTEER
    assert trainee.has_usable_password()
    assert trainee.groups.count() == 1


def test_the_actor_is_optional_as_for_the_management_command(community, grid):
    record = services.import_trainees(good_file(), filename="a.csv", actor=None)

    assert record.actor is None
    assert record.created == 3


@pytest.mark.django_db(transaction=True)
def test_an_import_racing_a_sign_up_for_one_of_its_phones_leaves_one_account_each(
    community, grid
):
    # Released together, each on its own connection. If the sign-up inserts first,
    # the import either waits for it (SQLite's BEGIN IMMEDIATE) or hits the unique
    # index and runs again (PostgreSQL), and finds the account unchanged. If the
    # import commits first, the sign-up meets the imported account, whether its
    # look-up saw it or its insert was waiting on it. Never a second account, and
    # never an error out of the import.
    phone = GOOD_ROWS[1][1]
    password = "Quiet-River-2026"
    outcomes = run_all_concurrently(
        [
            lambda: services.import_trainees(good_file(), filename="a.csv", actor=None),
            lambda: services.register_trainee(
                phone=phone,
                real_name="陈二",
                org_unit=community,
                password=password,
                email="chen2@example.com",
                privacy_consent_version=settings.GRIDSCHOOL_PRIVACY_NOTICE_VERSION,
            ),
        ]
    )

    record, signed_up = outcomes
    assert isinstance(record, TraineeImport), repr(record)
    counts = (record.created, record.updated, record.unchanged)
    assert counts in {(2, 0, 1), (3, 0, 0)}, counts
    assert TraineeImport.objects.get() == record
    assert User.objects.filter(phone__in=PHONES).count() == 3
    account = User.objects.get(phone=phone)
    assert account.groups.filter(name=roles.TRAINEE).exists()
    if isinstance(signed_up, User):
        assert signed_up.pk == account.pk
        assert account.check_password(password)
    else:
        assert isinstance(signed_up, ValidationError), repr(signed_up)
        assert list(signed_up.message_dict) == ["phone"]
        assert counts == (3, 0, 0)
        assert not account.has_usable_password()


# --- Bad rows --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (["", "13900000009", "桃园社区", "", ""], "请填写姓名。"),
        (["   ", "13900000009", "桃园社区", "", ""], "请填写姓名。"),
        (
            ["<b>x</b>", "13900000009", "桃园社区", "", ""],
            "姓名只能包含文字、间隔号和空格，不能包含 < > 等特殊符号。",
        ),
        (["王" * 51, "13900000009", "桃园社区", "", ""], "姓名过长（最多 50 个字）。"),
        (["王五", "", "桃园社区", "", ""], "缺少手机号。"),
        (
            ["王五", "1390000000", "桃园社区", "", ""],
            "手机号「1390000000」格式不正确，应为 11 位手机号码。",
        ),
        (
            ["王五", "12900000009", "桃园社区", "", ""],
            "手机号「12900000009」格式不正确，应为 11 位手机号码。",
        ),
        (
            ["王五", "1390000000x", "桃园社区", "", ""],
            "手机号「1390000000x」格式不正确，应为 11 位手机号码。",
        ),
        (
            ["王五", "13٩00000009", "桃园社区", "", ""],
            "手机号「13٩00000009」格式不正确，应为 11 位手机号码。",
        ),
        (["王五", "13900000009", "", "", ""], "缺少社区。"),
        (["王五", "13900000009", "梨园社区", "", ""], "未找到社区「梨园社区」。"),
        (
            ["王五", "13900000009", "桃园社区", "第9网格", ""],
            "社区「桃园社区」下没有网格「第9网格」。",
        ),
        (
            ["王五", "13900000009", "桃园社区", "", "not-an-email"],
            "邮箱「not-an-email」格式不正确。",
        ),
        (
            ["王五", "13900000009", "桃园社区", "", "a@b"],
            "邮箱「a@b」格式不正确。",
        ),
    ],
)
def test_a_bad_row_is_reported_with_its_number_and_reason_and_nothing_is_imported(
    community, grid, row, reason
):
    content = csv_bytes([HEADER, GOOD_ROWS[0], row, GOOD_ROWS[1]])
    users_before = User.objects.count()

    with pytest.raises(services.ImportRejected) as rejected:
        services.import_trainees(content, filename="a.csv", actor=None)

    assert [(error.row, error.reason) for error in rejected.value.errors] == [
        (3, reason)
    ]
    assert str(rejected.value.errors[0]) == f"第 3 行：{reason}"
    assert User.objects.count() == users_before
    assert not TraineeImport.objects.exists()


def test_every_bad_row_of_a_file_is_reported_and_none_of_the_file_is_imported(
    community, grid
):
    content = csv_bytes(
        [
            HEADER,
            ["陈一", "13900000001", "桃园社区", "第1网格", ""],  # 2: good
            ["", "13900000002", "桃园社区", "", ""],  # 3
            ["<b>x</b>", "13900000003", "桃园社区", "", ""],  # 4
            ["王五", "1234", "桃园社区", "", ""],  # 5
            ["赵六", "13900000006", "梨园社区", "", ""],  # 6
            ["孙七", "13900000007", "桃园社区", "第9网格", ""],  # 7
            ["周八", "13900000001", "桃园社区", "", ""],  # 8: same phone as row 2
            ["吴九", "13900000009", "桃园社区", "", "wu@"],  # 9
            ["郑十", "13900000010", "桃园社区", "", ""],  # 10: good
        ]
    )

    with pytest.raises(services.ImportRejected) as rejected:
        services.import_trainees(content, filename="a.csv", actor=None)

    assert reasons_by_row(rejected.value.errors) == {
        3: ["请填写姓名。"],
        4: ["姓名只能包含文字、间隔号和空格，不能包含 < > 等特殊符号。"],
        5: ["手机号「1234」格式不正确，应为 11 位手机号码。"],
        6: ["未找到社区「梨园社区」。"],
        7: ["社区「桃园社区」下没有网格「第9网格」。"],
        8: ["手机号 13900000001 与第 2 行重复。"],
        9: ["邮箱「wu@」格式不正确。"],
    }
    assert not User.objects.filter(phone__startswith="139").exists()
    assert not TraineeImport.objects.exists()


def test_control_characters_in_a_name_are_a_bad_row(community, grid):
    content = csv_bytes([HEADER, ["陈\0一", "13900000001", "桃园社区"]])

    with pytest.raises(services.ImportRejected) as rejected:
        services.import_trainees(content, filename="a.csv", actor=None)

    assert reasons_by_row(rejected.value.errors) == {
        2: ["姓名只能包含文字、间隔号和空格，不能包含 < > 等特殊符号。"]
    }


def test_a_row_with_several_problems_reports_each_of_them(community, grid):
    content = csv_bytes([HEADER, ["<i>", "abc", "梨园社区", "", "x@"]])

    with pytest.raises(services.ImportRejected) as rejected:
        services.import_trainees(content, filename="a.csv", actor=None)

    assert reasons_by_row(rejected.value.errors) == {
        2: [
            "姓名只能包含文字、间隔号和空格，不能包含 < > 等特殊符号。",
            "手机号「abc」格式不正确，应为 11 位手机号码。",
            "未找到社区「梨园社区」。",
            "邮箱「x@」格式不正确。",
        ]
    }


def test_a_phone_repeated_in_another_spelling_is_still_a_duplicate(community, grid):
    content = csv_bytes(
        [
            HEADER,
            ["陈一", "13900000001", "桃园社区", "", ""],
            ["陈一", "139-0000-0001", "桃园社区", "", ""],
            ["陈一", "１３９００００００01", "桃园社区", "", ""],
        ]
    )

    with pytest.raises(services.ImportRejected) as rejected:
        services.import_trainees(content, filename="a.csv", actor=None)

    assert reasons_by_row(rejected.value.errors) == {
        3: ["手机号 13900000001 与第 2 行重复。"],
        4: ["手机号 13900000001 与第 2 行重复。"],
    }


def test_blank_lines_are_skipped_and_do_not_shift_row_numbers(community, grid):
    content = csv_bytes(
        [HEADER, GOOD_ROWS[0], ["", "", "", "", ""], [], ["", "1", "桃园社区"], [], []]
    )

    with pytest.raises(services.ImportRejected) as rejected:
        services.import_trainees(content, filename="a.csv", actor=None)

    assert {error.row for error in rejected.value.errors} == {5}


def test_a_community_name_shared_by_two_streets_must_be_given_by_code(community, grid):
    other_street = OrgUnitFactory(
        parent=community.get_parent().get_parent(),
        name="另一街道",
        kind=OrgUnit.Kind.STREET,
    )
    OrgUnitFactory(parent=other_street, name="桃园社区", kind=OrgUnit.Kind.COMMUNITY)
    community.refresh_from_db()
    content = csv_bytes(
        [
            HEADER,
            ["陈一", "13900000001", "桃园社区", "", ""],
            ["陈二", "13900000002", community.code, grid.name, ""],
        ]
    )

    with pytest.raises(services.ImportRejected) as rejected:
        services.import_trainees(content, filename="a.csv", actor=None)

    assert reasons_by_row(rejected.value.errors) == {
        2: ["社区「桃园社区」重名，请改填社区编码。"]
    }


def test_community_and_grid_may_be_given_by_code(community, grid):
    content = csv_bytes([HEADER, ["陈一", "13900000001", community.code, grid.code]])

    services.import_trainees(content, filename="a.csv", actor=None)

    assert User.objects.get(phone="13900000001").org_unit == grid


def test_a_grid_of_another_community_is_not_found(community, grid):
    other = OrgUnitFactory(
        parent=community.get_parent(), name="梨园社区", kind=OrgUnit.Kind.COMMUNITY
    )
    OrgUnitFactory(parent=other, name="第2网格", kind=OrgUnit.Kind.GRID)
    content = csv_bytes([HEADER, ["陈一", "13900000001", "桃园社区", "第2网格"]])

    with pytest.raises(services.ImportRejected) as rejected:
        services.import_trainees(content, filename="a.csv", actor=None)

    assert reasons_by_row(rejected.value.errors) == {
        2: ["社区「桃园社区」下没有网格「第2网格」。"]
    }


def test_a_street_is_not_a_community(community, grid):
    content = csv_bytes([HEADER, ["陈一", "13900000001", "测试街道", ""]])

    with pytest.raises(services.ImportRejected) as rejected:
        services.import_trainees(content, filename="a.csv", actor=None)

    assert reasons_by_row(rejected.value.errors) == {2: ["未找到社区「测试街道」。"]}


def test_full_width_digits_spaces_and_dashes_in_a_phone_are_normalised(community, grid):
    content = csv_bytes(
        [HEADER, ["陈一", "１３９　００００－０００１", "桃园社区", ""]]
    )

    services.import_trainees(content, filename="a.csv", actor=None)

    assert User.objects.filter(phone="13900000001").exists()


# --- Reading files ---------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_csv_is_read_in_utf8_with_or_without_bom_and_in_gb18030(
    community, grid, encoding
):
    content = csv_bytes([HEADER, *GOOD_ROWS], encoding=encoding)
    if encoding == "utf-8-sig":
        assert content.startswith(b"\xef\xbb\xbf")

    record = services.import_trainees(content, filename="名单.CSV", actor=None)

    assert record.created == 3
    assert list(imported_users().values_list("real_name", flat=True)) == [
        "陈一",
        "陈二",
        "欧阳 小明",
    ]


def test_xlsx_is_read_including_a_phone_stored_as_a_number(community, grid):
    content = xlsx_bytes(
        [
            HEADER,
            ["陈一", 13900000001, "桃园社区", "第1网格", None],
            ["陈二", 13900000002.0, "桃园社区", None, "chen2@example.com"],
            ["欧阳 小明", "13900000003", "桃园社区", "第1网格", None],
            [None, None, None, None, None],
        ]
    )

    record = services.import_trainees(content, filename="名单.xlsx", actor=None)

    assert record.created == 3
    users = list(imported_users())
    assert [user.phone for user in users] == PHONES
    assert [user.org_unit for user in users] == [grid, community, grid]


def test_xlsx_rows_are_numbered_as_the_spreadsheet_shows_them(community, grid):
    content = xlsx_bytes([HEADER, GOOD_ROWS[0], ["王五", 1234, "桃园社区"]])

    with pytest.raises(services.ImportRejected) as rejected:
        services.import_trainees(content, filename="a.xlsx", actor=None)

    assert reasons_by_row(rejected.value.errors) == {
        3: ["手机号「1234」格式不正确，应为 11 位手机号码。"]
    }


@pytest.mark.parametrize(
    "header",
    [
        ["name", "phone", "community", "grid", "email"],
        [" Name ", "MOBILE", "Community", "Grid", "Email"],
        ["姓名", "手机", "社区", "网格", "电子邮箱"],
        ["real_name", "手机号码", "community", "网格", "邮箱"],
    ],
)
def test_header_aliases_are_recognised(community, grid, header):
    content = csv_bytes([header, *GOOD_ROWS])

    record = services.import_trainees(content, filename="a.csv", actor=None)

    assert record.created == 3
    assert User.objects.get(phone="13900000002").email == "chen2@example.com"


def test_columns_may_come_in_any_order_and_optional_ones_may_be_absent(community, grid):
    content = csv_bytes(
        [
            ["备注", "社区", "手机号", "姓名"],
            ["新人", "桃园社区", "13900000001", "陈一"],
        ]
    )

    services.import_trainees(content, filename="a.csv", actor=None)

    user = User.objects.get(phone="13900000001")
    assert (user.real_name, user.org_unit, user.email) == ("陈一", community, "")


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (b"", "a.csv", "文件是空的。"),
        (b"\xef\xbb\xbf\r\n\r\n", "a.csv", "文件是空的。"),
        (csv_bytes([HEADER]), "a.csv", "文件只有表头，没有学员。"),
        (csv_bytes([HEADER, ["", "", ""]]), "a.csv", "文件只有表头，没有学员。"),
        (
            csv_bytes([["姓名", "社区"], ["陈一", "桃园社区"]]),
            "a.csv",
            "表头缺少必填列：手机号。",
        ),
        (
            csv_bytes([["陈一", "13900000001", "桃园社区"]]),
            "a.csv",
            "表头缺少必填列：姓名、手机号、社区。",
        ),
        (xlsx_bytes([]), "a.xlsx", "文件是空的。"),
        (xlsx_bytes([HEADER]), "a.xlsx", "文件只有表头，没有学员。"),
        (xlsx_bytes([["姓名", "手机号"]]), "a.xlsx", "表头缺少必填列：社区。"),
        (b"not a zip file", "a.xlsx", "无法读取 XLSX 文件，请确认文件未损坏。"),
        (
            b"\xff\xfe\xff\xfe",
            "a.csv",
            "无法识别文件编码，请另存为 UTF-8 编码的 CSV。",
        ),
        (
            csv_bytes([HEADER, ["陈一", "13900000001", "x" * 200_000]]),
            "a.csv",
            "无法读取 CSV 文件，请确认它是用 Excel 或 WPS 另存的 CSV。",
        ),
        (b"x", "a.xls", "只支持 .csv 或 .xlsx 文件。"),
        (b"x", "a.txt", "只支持 .csv 或 .xlsx 文件。"),
        (b"x" * (MAX_FILE_BYTES + 1), "a.csv", "文件过大（上限 20 MB）。"),
    ],
    ids=[
        "empty",
        "blank-lines",
        "header-only",
        "header-and-blank-row",
        "missing-phone-column",
        "no-header",
        "empty-xlsx",
        "header-only-xlsx",
        "missing-column-xlsx",
        "broken-xlsx",
        "unknown-encoding",
        "oversized-field",
        "xls",
        "txt",
        "too-big",
    ],
)
def test_an_unreadable_file_gets_one_clear_message_and_imports_nothing(
    community, grid, content, filename, message
):
    with pytest.raises(UnreadableFile) as error:
        services.import_trainees(content, filename=filename, actor=None)

    assert str(error.value) == message
    assert not TraineeImport.objects.exists()


def test_read_table_returns_every_cell_as_text_header_first():
    content = xlsx_bytes([["姓名", "手机号"], ["陈一", 13900000001], [None, 1.5]])

    assert read_table(content, "a.xlsx") == [
        ["姓名", "手机号"],
        ["陈一", "13900000001"],
        ["", "1.5"],
    ]


def test_checking_a_file_reads_the_org_tree_once(
    community, grid, django_assert_num_queries
):
    table = [
        HEADER,
        *(["陈一", f"139{n:08d}", "桃园社区", "第1网格"] for n in range(300)),
    ]

    with django_assert_num_queries(1):
        checked = check_table(table)

    assert checked.ok
    assert len(checked.rows) == 300


# --- Scale -----------------------------------------------------------------------


def test_five_thousand_rows_import_in_a_bounded_number_of_queries(
    community, grid, school_admin, django_assert_max_num_queries
):
    rows = [
        [f"学员{n}", f"150{n:08d}", "桃园社区", "第1网格" if n % 2 else "", ""]
        for n in range(5000)
    ]
    content = csv_bytes([HEADER, *rows])

    # Batches, not rows: about 45 queries on PostgreSQL; about 120 on SQLite, where
    # Django 5.2 keeps a statement under 999 parameters (90 new users or 140
    # activation codes per INSERT).
    with django_assert_max_num_queries(150):
        record = services.import_trainees(content, filename="a.csv", actor=None)

    assert (record.rows, record.created) == (5000, 5000)
    imported = User.objects.filter(phone__startswith="150")
    assert imported.count() == 5000
    assert imported.filter(groups__name=roles.TRAINEE).count() == 5000

    rows[0][0] = "改名"
    with django_assert_max_num_queries(150):
        again = services.import_trainees(
            csv_bytes([HEADER, *rows]), filename="a.csv", actor=None
        )

    assert (again.created, again.updated, again.unchanged) == (0, 1, 4999)


# --- The admin upload ------------------------------------------------------------

IMPORT_URL = "/admin/trainees/import/"
INDEX_URL = "/admin/traineeimport/"


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def test_the_upload_view_lives_under_the_admin():
    assert reverse("school_import_trainees") == IMPORT_URL
    assert reverse("traineeimport:index") == INDEX_URL


def test_an_administrator_sees_the_upload_form_and_a_get_imports_nothing(
    client, community, grid, school_admin
):
    client.force_login(school_admin)

    response = client.get(IMPORT_URL, {"file": "名单.csv"})

    assert response.status_code == 200
    content = response.content.decode()
    assert 'enctype="multipart/form-data"' in content
    assert 'name="file"' in content
    assert "检查并导入" in content
    assert not TraineeImport.objects.exists()


def test_an_administrator_uploads_a_good_file_and_lands_on_its_activation_codes(
    client, community, grid, school_admin
):
    client.force_login(school_admin)

    response = client.post(IMPORT_URL, {"file": upload("名单.csv", good_file())})

    assert response.status_code == 302
    record = TraineeImport.objects.get()
    assert response.url == reverse("school_import_codes", args=[record.pk])
    assert imported_users().count() == 3
    record = TraineeImport.objects.get()
    assert (record.actor, record.filename, record.created) == (
        school_admin,
        "名单.csv",
        3,
    )
    page = client.get(response.url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "导入完成：共 3 行，新建 3 人，更新 0 人，未变 0 人。" in text
    assert "名单.csv" in text
    assert text.count("待激活") == 3


def test_an_administrator_uploads_an_xlsx_file(client, community, grid, school_admin):
    client.force_login(school_admin)
    content = xlsx_bytes([HEADER, ["陈一", 13900000001, "桃园社区", "第1网格"]])

    response = client.post(IMPORT_URL, {"file": upload("名单.xlsx", content)})

    assert response.status_code == 302
    assert User.objects.get(phone="13900000001").org_unit == grid


def test_an_administrator_uploading_a_bad_file_sees_every_bad_row_and_nothing_is_created(
    client, community, grid, school_admin
):
    client.force_login(school_admin)
    content = csv_bytes(
        [
            HEADER,
            GOOD_ROWS[0],
            ["<b>x</b>", "13900000002", "桃园社区", "", ""],
            ["王五", "1234", "梨园社区", "", ""],
        ]
    )
    users_before = User.objects.count()

    response = client.post(IMPORT_URL, {"file": upload("名单.csv", content)})

    assert response.status_code == 400
    text = response.content.decode()
    assert "发现 3 处问题，未导入任何学员" in text
    assert "<td>3</td>" in text
    assert "<td>4</td>" in text
    assert "姓名只能包含文字、间隔号和空格，不能包含 &lt; &gt; 等特殊符号。" in text
    assert "手机号「1234」格式不正确，应为 11 位手机号码。" in text
    assert "未找到社区「梨园社区」。" in text
    assert "<b>x</b>" not in text
    assert User.objects.count() == users_before
    assert not TraineeImport.objects.exists()


def test_markup_in_a_bad_row_is_shown_escaped(client, community, grid, school_admin):
    client.force_login(school_admin)
    content = csv_bytes([HEADER, ["王五", "13900000005", "<script>x</script>"]])

    response = client.post(IMPORT_URL, {"file": upload("a.csv", content)})

    assert response.status_code == 400
    text = response.content.decode()
    assert "<script>x</script>" not in text
    assert "未找到社区「&lt;script&gt;x&lt;/script&gt;」。" in text


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("名单.csv", csv_bytes([HEADER]), "文件只有表头，没有学员。"),
        ("名单.csv", b"", FileField.default_error_messages["empty"]),
        ("名单.xlsx", b"not a zip", "无法读取 XLSX 文件，请确认文件未损坏。"),
        ("名单.xls", b"x", "只支持 .csv 或 .xlsx 文件。"),
    ],
)
def test_an_administrator_uploading_an_unreadable_file_gets_the_reason(
    client, community, grid, school_admin, name, content, message
):
    client.force_login(school_admin)

    response = client.post(IMPORT_URL, {"file": upload(name, content)})

    assert response.status_code == 400
    with translation.override("zh-hans"):
        assert str(message) in response.content.decode()
    assert not TraineeImport.objects.exists()


def test_an_upload_over_the_size_limit_is_refused_without_importing(
    client, community, grid, school_admin
):
    client.force_login(school_admin)
    content = good_file() + b"\n" * MAX_FILE_BYTES

    response = client.post(IMPORT_URL, {"file": upload("名单.csv", content)})

    assert response.status_code == 400
    assert "文件过大（上限 20 MB）。" in response.content.decode()
    assert not User.objects.filter(phone__in=PHONES).exists()


def test_posting_without_a_file_asks_for_one(client, community, grid, school_admin):
    client.force_login(school_admin)

    response = client.post(IMPORT_URL, {})

    assert response.status_code == 400
    assert "w-field--error" in response.content.decode()
    assert not TraineeImport.objects.exists()


@pytest.mark.parametrize("role", ["trainee", "instructor", "site_host"])
def test_other_roles_can_neither_see_nor_use_the_upload(
    client, request, community, grid, role
):
    user = request.getfixturevalue(role)
    client.force_login(user)
    users_before = User.objects.count()

    get = client.get(IMPORT_URL)
    post = client.post(IMPORT_URL, {"file": upload("名单.csv", good_file())})

    for response in (get, post):
        assert response.status_code in (302, 403)
        if response.status_code == 302:
            assert not response.url.startswith(IMPORT_URL)
    assert User.objects.count() == users_before
    assert not TraineeImport.objects.exists()


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, community, grid):
    response = client.post(IMPORT_URL, {"file": upload("名单.csv", good_file())})

    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")
    assert not User.objects.filter(phone__in=PHONES).exists()


def test_a_staff_member_without_the_administrator_role_cannot_import(
    client, community, grid, instructor
):
    instructor.is_staff = True
    instructor.save()
    client.force_login(instructor)

    response = client.post(IMPORT_URL, {"file": upload("名单.csv", good_file())})

    assert response.status_code in (302, 403)
    assert not User.objects.filter(phone__in=PHONES).exists()


def test_a_superuser_can_import(client, community, grid):
    admin = UserFactory(is_superuser=True, is_staff=True, org_unit=grid)
    client.force_login(admin)

    response = client.post(IMPORT_URL, {"file": upload("名单.csv", good_file())})

    assert response.status_code == 302
    assert imported_users().count() == 3


def test_the_import_record_index_is_visible_to_the_administrator_with_an_import_button(
    client, community, grid, school_admin
):
    services.import_trainees(good_file(), filename="三月名单.csv", actor=school_admin)
    client.force_login(school_admin)

    response = client.get(INDEX_URL)

    assert response.status_code == 200
    text = response.content.decode()
    assert "三月名单.csv" in text
    assert IMPORT_URL in text


@pytest.mark.parametrize("role", ["instructor", "site_host"])
def test_the_import_record_index_is_closed_to_other_staff(
    client, request, community, grid, school_admin, role
):
    services.import_trainees(good_file(), filename="三月名单.csv", actor=school_admin)
    client.force_login(request.getfixturevalue(role))

    response = client.get(INDEX_URL)

    assert response.status_code in (302, 403)
    assert "三月名单.csv" not in response.content.decode()


def test_import_records_cannot_be_added_or_edited_in_the_admin(
    client, community, grid, school_admin
):
    record = services.import_trainees(good_file(), filename="a.csv", actor=school_admin)
    client.force_login(school_admin)

    add = client.post(reverse("traineeimport:add"), {"filename": "forged.csv"})
    edit = client.post(
        reverse("traineeimport:edit", args=[record.pk]), {"filename": "forged.csv"}
    )

    assert add.status_code in (302, 403)
    assert edit.status_code in (302, 403)
    record.refresh_from_db()
    assert record.filename == "a.csv"
    assert TraineeImport.objects.count() == 1


# --- Staff accounts are never changed by an import ------------------------------


@pytest.mark.parametrize(
    "make_staff",
    [
        pytest.param(lambda user: setattr(user, "is_superuser", True), id="superuser"),
        pytest.param(lambda user: setattr(user, "is_staff", True), id="staff"),
        pytest.param(lambda user: None, id="administrator-role"),
    ],
)
def test_a_row_naming_a_staff_account_is_refused_and_nothing_is_imported(
    make_staff, community, grid
):
    admin = UserFactory(
        phone=GOOD_ROWS[1][1],
        real_name="王管理",
        email="admin@example.com",
        org_unit=grid,
        role=roles.SCHOOL_ADMIN,
    )
    make_staff(admin)
    admin.save()
    before = snapshot()

    with pytest.raises(services.ImportRejected) as rejected:
        services.import_trainees(
            csv_bytes(
                [
                    HEADER,
                    GOOD_ROWS[0],
                    [GOOD_ROWS[1][0], admin.phone, "桃园社区", "", "evil@example.com"],
                ]
            ),
            filename="a.csv",
            actor=None,
        )

    messages = [str(error) for error in rejected.value.errors]
    assert len(messages) == 1
    assert "第 3 行" in messages[0]
    assert "工作人员账号" in messages[0] and "王管理" in messages[0]
    assert snapshot() == before
    admin.refresh_from_db()
    assert admin.email == "admin@example.com"
    assert not TraineeImport.objects.exists()


def test_every_role_holder_counts_as_staff(community, grid):
    for role in (roles.INSTRUCTOR, roles.SITE_HOST):
        UserFactory(phone=f"1360000000{len(role)}", org_unit=grid, role=role)
    rows = [
        [f"某{n}", user.phone, "桃园社区", "", ""]
        for n, user in enumerate(User.objects.filter(phone__startswith="136"))
    ]

    with pytest.raises(services.ImportRejected) as rejected:
        services.import_trainees(
            csv_bytes([HEADER, *rows]), filename="a.csv", actor=None
        )

    assert len(rejected.value.errors) == 2


def test_the_admin_upload_names_the_staff_row_and_leaves_the_superuser_alone(
    client, community, grid, school_admin
):
    # The account-takeover path: an administrator who is not a superuser imports the
    # superuser's phone with their own e-mail, then resets the superuser's password.
    superuser = UserFactory(
        phone="13900000002", is_superuser=True, is_staff=True, email="root@example.com"
    )
    client.force_login(school_admin)
    content = csv_bytes(
        [HEADER, ["冒名", superuser.phone, "桃园社区", "", "me@example.com"]]
    )

    response = client.post(IMPORT_URL, {"file": upload("名单.csv", content)})

    assert response.status_code == 400
    assert "工作人员账号" in response.content.decode()
    superuser.refresh_from_db()
    assert (superuser.email, superuser.real_name) == (
        "root@example.com",
        superuser.real_name,
    )
    assert not TraineeImport.objects.exists()


# --- Imported accounts wait for their owner's activation code --------------------

SIGNUP_PASSWORD = "Sunny-Garden-2026"


def signup_data(**overrides) -> dict:
    return {
        "phone": "13900000001",
        "real_name": "陈一",
        "email": "",
        "org_unit": "",
        "password1": SIGNUP_PASSWORD,
        "password2": SIGNUP_PASSWORD,
        "privacy_consent": "on",
        **overrides,
    }


def test_signing_up_with_an_imported_persons_details_claims_nothing(
    client, community, grid
):
    services.import_trainees(good_file(), filename="a.csv", actor=None)
    before = snapshot()

    response = client.post(reverse("accounts:signup"), signup_data(org_unit=grid.pk))

    assert response.status_code == 200
    assert "该手机号已由学校导入" in response.content.decode()
    assert snapshot() == before
    assert "_auth_user_id" not in client.session


def test_every_new_account_gets_one_live_activation_code(community, grid):
    record = services.import_trainees(good_file(), filename="a.csv", actor=None)

    codes = ActivationCode.objects.filter(trainee_import=record)
    assert sorted(codes.values_list("user__phone", flat=True)) == sorted(PHONES)
    assert codes.live().count() == 3


def test_reimporting_keeps_live_codes_and_replaces_lapsed_ones(community, grid):
    content = good_file()
    first = services.import_trainees(content, filename="a.csv", actor=None)
    lapsed = ActivationCode.objects.get(user__phone=PHONES[0])
    lapsed.expires_at = timezone.now() - timedelta(days=1)
    lapsed.save()
    kept = set(
        ActivationCode.objects.exclude(pk=lapsed.pk).values_list("pk", flat=True)
    )

    second = services.import_trainees(content, filename="a.csv", actor=None)

    assert kept <= set(ActivationCode.objects.live().values_list("pk", flat=True))
    renewed = ActivationCode.objects.live().get(user__phone=PHONES[0])
    assert renewed.trainee_import == second != first
    lapsed.refresh_from_db()
    assert lapsed.voided_at is not None


def test_reimporting_after_activation_keeps_the_persons_password(community, grid):
    content = good_file()
    services.import_trainees(content, filename="a.csv", actor=None)
    person = User.objects.get(phone=PHONES[0])
    person.set_password(SIGNUP_PASSWORD)
    person.save()

    record = services.import_trainees(content, filename="a.csv", actor=None)

    assert (record.created, record.updated) == (0, 0)
    assert User.objects.get(phone=PHONES[0]).check_password(SIGNUP_PASSWORD)
    assert not ActivationCode.objects.filter(
        user=person, trainee_import=record
    ).exists()
