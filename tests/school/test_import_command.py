"""`manage.py import_trainees FILE`: the same rules as the admin upload."""

import io

from django.core.management import CommandError, call_command

import pytest

from school.models import TraineeImport, User
from tests.school.factories import GOOD_ROWS, HEADER, PHONES, csv_bytes, xlsx_bytes

pytestmark = pytest.mark.django_db


def run(path) -> tuple[str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command("import_trainees", str(path), stdout=stdout, stderr=stderr)
    return stdout.getvalue(), stderr.getvalue()


def test_the_command_imports_a_good_file_and_says_what_it_did(
    tmp_path, community, grid
):
    path = tmp_path / "名单.csv"
    path.write_bytes(csv_bytes([HEADER, *GOOD_ROWS]))

    stdout, stderr = run(path)

    assert "导入完成：共 3 行，新建 3 人，更新 0 人，未变 0 人。" in stdout
    assert stderr == ""
    assert User.objects.filter(phone__in=PHONES).count() == 3
    record = TraineeImport.objects.get()
    assert (record.filename, record.actor, record.created) == ("名单.csv", None, 3)


def test_running_the_command_twice_changes_nothing_the_second_time(
    tmp_path, community, grid
):
    path = tmp_path / "名单.xlsx"
    path.write_bytes(xlsx_bytes([HEADER, ["陈一", 13900000001, "桃园社区", "第1网格"]]))
    run(path)
    before = list(User.objects.values())

    stdout, _stderr = run(path)

    assert "新建 0 人，更新 0 人，未变 1 人" in stdout
    assert list(User.objects.values()) == before


def test_a_bad_file_fails_lists_every_bad_row_and_imports_nothing(
    tmp_path, community, grid
):
    path = tmp_path / "名单.csv"
    path.write_bytes(
        csv_bytes(
            [
                HEADER,
                GOOD_ROWS[0],
                ["", "13900000002", "桃园社区", "", ""],
                ["王五", "13900000001", "梨园社区", "", "bad@"],
            ]
        )
    )
    stderr = io.StringIO()

    with pytest.raises(CommandError, match="发现 4 处问题，未导入任何学员。"):
        call_command("import_trainees", str(path), stdout=io.StringIO(), stderr=stderr)

    assert stderr.getvalue().splitlines() == [
        "第 3 行：请填写姓名。",
        "第 4 行：手机号 13900000001 与第 2 行重复。",
        "第 4 行：未找到社区「梨园社区」。",
        "第 4 行：邮箱「bad@」格式不正确。",
    ]
    assert not User.objects.filter(phone__in=PHONES).exists()
    assert not TraineeImport.objects.exists()


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("名单.csv", b"", "文件是空的。"),
        ("名单.csv", "姓名,手机号\n".encode(), "表头缺少必填列：社区。"),
        ("名单.xls", b"x", "只支持 .csv 或 .xlsx 文件。"),
    ],
)
def test_an_unreadable_file_fails_with_its_reason(
    tmp_path, community, grid, filename, content, message
):
    path = tmp_path / filename
    path.write_bytes(content)

    with pytest.raises(CommandError, match=message):
        run(path)

    assert not TraineeImport.objects.exists()


def test_a_missing_file_fails_with_its_name(tmp_path, community, grid):
    with pytest.raises(CommandError, match="找不到文件：.*nowhere.csv"):
        run(tmp_path / "nowhere.csv")
