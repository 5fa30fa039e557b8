"""Reading a trainee list (CSV or XLSX) into checked rows.

Parsing and checking are separate from writing (services.import_trainees) so that the
admin upload and `manage.py import_trainees` share every rule, and so that a file is
checked whole before anything is written: one bad row and nothing is imported.
"""

import csv
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from school.forms import clean_real_name
from school.models import OrgUnit, normalise_phone, phone_validator

MAX_ROWS = 50_000
MAX_FILE_BYTES = 20 * 1024 * 1024

# Header aliases, Chinese first; matching ignores case and surrounding spaces.
COLUMNS = {
    "real_name": ("姓名", "name", "real_name"),
    "phone": ("手机号", "手机", "手机号码", "phone", "mobile"),
    "community": ("社区", "community"),
    "grid": ("网格", "grid"),
    "email": ("邮箱", "电子邮箱", "email"),
}
REQUIRED_COLUMNS = ("real_name", "phone", "community")
EMAIL_MAX_LENGTH = 254  # User.email; validate_email alone allows longer addresses


@dataclass(frozen=True)
class RowError:
    row: int
    reason: str

    def __str__(self) -> str:
        return _("第 %(row)s 行：%(reason)s") % {"row": self.row, "reason": self.reason}


@dataclass(frozen=True)
class TraineeRow:
    row: int
    real_name: str
    phone: str
    org_unit: OrgUnit
    email: str


@dataclass
class CheckedFile:
    rows: list[TraineeRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class UnreadableFile(ValueError):
    """The file as a whole cannot be read (wrong format, no header, too big)."""


def read_table(content: bytes, filename: str) -> list[list[str]]:
    """The file's cells as text, the header first."""
    if len(content) > MAX_FILE_BYTES:
        raise UnreadableFile(_("文件过大（上限 20 MB）。"))
    name = filename.lower()
    if name.endswith(".xlsx"):
        return _read_xlsx(content)
    if name.endswith(".csv"):
        return _read_csv(content)
    raise UnreadableFile(_("只支持 .csv 或 .xlsx 文件。"))


def _read_csv(content: bytes) -> list[list[str]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        try:
            return list(csv.reader(io.StringIO(text, newline="")))
        except csv.Error as error:  # a NUL byte, an oversized field: not a CSV
            raise UnreadableFile(
                _("无法读取 CSV 文件，请确认它是用 Excel 或 WPS 另存的 CSV。")
            ) from error
    raise UnreadableFile(_("无法识别文件编码，请另存为 UTF-8 编码的 CSV。"))


def _read_xlsx(content: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    # Read-only mode parses the sheet lazily, so a broken file can fail while the rows
    # are read as well as when the workbook is opened.
    workbook = None
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        return [
            ["" if cell is None else _cell_text(cell) for cell in row]
            for row in sheet.iter_rows(values_only=True)
        ]
    except Exception as error:  # openpyxl raises many kinds for a broken file
        raise UnreadableFile(_("无法读取 XLSX 文件，请确认文件未损坏。")) from error
    finally:
        if workbook is not None:
            workbook.close()


def _cell_text(value) -> str:
    # Excel stores a phone number typed without a leading apostrophe as a number.
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _is_mobile_number(value: str) -> bool:
    try:
        phone_validator(value)
    except ValidationError:
        return False
    return True


def _is_email(value: str) -> bool:
    if len(value) > EMAIL_MAX_LENGTH:
        return False
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


def _header_map(header: list[str]) -> dict[str, int]:
    normalised = [cell.strip().lower() for cell in header]
    positions = {}
    for key, aliases in COLUMNS.items():
        for alias in aliases:
            if alias.lower() in normalised:
                positions[key] = normalised.index(alias.lower())
                break
    missing = [COLUMNS[key][0] for key in REQUIRED_COLUMNS if key not in positions]
    if missing:
        raise UnreadableFile(
            _("表头缺少必填列：%(columns)s。") % {"columns": "、".join(missing)}
        )
    return positions


class _UnitDirectory:
    """Finds communities by code or unique name and grids by name within them,
    from two queries for the whole file."""

    def __init__(self) -> None:
        units = list(
            OrgUnit.objects.placeable().only("pk", "name", "code", "kind", "path")
        )
        self.by_code = {unit.code: unit for unit in units}
        self.communities_by_name: dict[str, list[OrgUnit]] = {}
        self.grids: dict[tuple[str, str], OrgUnit] = {}
        for unit in units:
            if unit.kind == OrgUnit.Kind.COMMUNITY:
                self.communities_by_name.setdefault(unit.name, []).append(unit)
        for unit in units:
            if unit.kind == OrgUnit.Kind.GRID:
                parent_path = unit.path[: -OrgUnit.steplen]
                self.grids[(parent_path, unit.name)] = unit
                self.grids[(parent_path, unit.code)] = unit

    def community(self, value: str) -> OrgUnit:
        unit = self.by_code.get(value)
        if unit is not None and unit.kind == OrgUnit.Kind.COMMUNITY:
            return unit
        matches = self.communities_by_name.get(value, [])
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise ValidationError(
                _("社区「%(name)s」重名，请改填社区编码。") % {"name": value}
            )
        raise ValidationError(_("未找到社区「%(name)s」。") % {"name": value})

    def grid(self, community: OrgUnit, value: str) -> OrgUnit:
        unit = self.grids.get((community.path, value))
        if unit is None:
            raise ValidationError(
                _("社区「%(community)s」下没有网格「%(grid)s」。")
                % {"community": community.name, "grid": value}
            )
        return unit


def check_table(table: list[list[str]]) -> CheckedFile:
    """Every row checked; every problem reported with its row number (the header is
    row 1, as a spreadsheet shows it)."""
    rows = list(table)
    while rows and not any(cell.strip() for cell in rows[-1]):
        rows.pop()
    if not rows:
        raise UnreadableFile(_("文件是空的。"))
    positions = _header_map(rows[0])
    if len(rows) - 1 > MAX_ROWS:
        raise UnreadableFile(_("一次最多导入 %(max)s 行。") % {"max": MAX_ROWS})
    if len(rows) == 1:
        raise UnreadableFile(_("文件只有表头，没有学员。"))

    units = _UnitDirectory()
    checked = CheckedFile()
    first_row_of_phone: dict[str, int] = {}

    def cell(values: list[str], key: str) -> str:
        index = positions.get(key)
        if index is None or index >= len(values):
            return ""
        return values[index].strip()

    for number, values in enumerate(rows[1:], start=2):
        if not any(value.strip() for value in values):
            continue
        reasons: list[str] = []
        try:
            real_name = clean_real_name(cell(values, "real_name"))
        except ValidationError as error:
            reasons.extend(error.messages)
            real_name = ""
        if len(real_name) > 50:
            reasons.append(_("姓名过长（最多 50 个字）。"))

        phone = normalise_phone(cell(values, "phone"))
        if not phone:
            reasons.append(_("缺少手机号。"))
        elif not _is_mobile_number(phone):
            reasons.append(
                _("手机号「%(phone)s」格式不正确，应为 11 位手机号码。")
                % {"phone": phone}
            )
        elif phone in first_row_of_phone:
            reasons.append(
                _("手机号 %(phone)s 与第 %(row)s 行重复。")
                % {"phone": phone, "row": first_row_of_phone[phone]}
            )
        else:
            first_row_of_phone[phone] = number

        org_unit = None
        community_value = cell(values, "community")
        if not community_value:
            reasons.append(_("缺少社区。"))
        else:
            try:
                org_unit = units.community(community_value)
                grid_value = cell(values, "grid")
                if grid_value:
                    org_unit = units.grid(org_unit, grid_value)
            except ValidationError as error:
                reasons.extend(error.messages)

        email = cell(values, "email")
        if email and not _is_email(email):
            reasons.append(_("邮箱「%(email)s」格式不正确。") % {"email": email})

        if reasons:
            checked.errors.extend(RowError(number, reason) for reason in reasons)
        else:
            checked.rows.append(TraineeRow(number, real_name, phone, org_unit, email))
    return checked
