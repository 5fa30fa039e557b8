"""Trainee import files: a good list of three people, written as CSV or XLSX bytes.

Shared by the service tests (tests/school/test_import.py) and the management
command's (tests/school/test_import_command.py).
"""

import csv
import io

from openpyxl import Workbook

HEADER = ["姓名", "手机号", "社区", "网格", "邮箱"]
GOOD_ROWS = [
    ["陈一", "13900000001", "桃园社区", "第1网格", ""],
    ["陈二", "13900000002", "桃园社区", "", "chen2@example.com"],
    ["欧阳 小明", "139 0000 0003", "桃园社区", "第1网格", ""],
]
PHONES = ["13900000001", "13900000002", "13900000003"]


def csv_bytes(rows, *, encoding="utf-8-sig") -> bytes:
    """The rows as a CSV file, with a BOM as Excel writes it unless told otherwise."""
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows) -> bytes:
    """The rows as the first sheet of an XLSX workbook."""
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def good_file() -> bytes:
    """The three good rows under the header, as CSV."""
    return csv_bytes([HEADER, *GOOD_ROWS])
