"""Admin pages of activation codes: after an import, the administrator sees each
new account's code, downloads them as a spreadsheet, prints slips to hand out, and
renews the code of anyone who lost theirs. Importing administrators only; reads
are GET, the renewal a POST."""

import io

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from school import services
from school.activation import display_code
from school.models import SchoolPage, TraineeImport, User
from school.permissions import user_can_import_trainees
from school.selectors import activation_rows


def _get_import(request: HttpRequest, import_id: int) -> TraineeImport:
    if not user_can_import_trainees(request.user):
        raise PermissionDenied
    return get_object_or_404(TraineeImport, pk=import_id)


def _live(rows):
    return [row for row in rows if row.status == "live"]


def _activation_url() -> str:
    return settings.SITE_URL.rstrip("/") + reverse("accounts:activate")


@never_cache
@require_safe
def import_codes(request: HttpRequest, import_id: int) -> HttpResponse:
    """The import's accounts and their activation codes."""
    trainee_import = _get_import(request, import_id)
    rows = activation_rows(trainee_import)
    return render(
        request,
        "school/admin/import_codes.html",
        {
            "trainee_import": trainee_import,
            "rows": rows,
            "live_count": len(_live(rows)),
            "activation_url": _activation_url(),
        },
    )


@never_cache
@require_safe
def import_codes_xlsx(request: HttpRequest, import_id: int) -> HttpResponse:
    """The live codes as a spreadsheet (full phone numbers: it is for the
    administrator who hands them out)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    trainee_import = _get_import(request, import_id)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_("激活码"))
    sheet.append([_("姓名"), _("手机号"), _("所属单位"), _("激活码"), _("有效期至")])
    for row in _live(activation_rows(trainee_import)):
        values = [
            row.user.real_name,
            row.user.phone,
            row.unit,
            row.code,
            f"{timezone.localtime(row.expires_at):%Y-%m-%d}",
        ]
        cells = []
        for value in values:
            cell = WriteOnlyCell(sheet, value)
            cell.data_type = "s"  # text, never a formula or a number
            cells.append(cell)
        sheet.append(cells)
    sheet.append([])
    sheet.append([_("激活网址"), _activation_url()])
    output = io.BytesIO()
    workbook.save(output)
    response = HttpResponse(
        output.getvalue(),
        content_type=(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        ),
    )
    response["Content-Disposition"] = (
        f'attachment; filename="activation-codes-{trainee_import.pk}.xlsx"'
    )
    response["Cache-Control"] = "private, no-store"
    return response


@never_cache
@require_safe
def import_codes_print(request: HttpRequest, import_id: int) -> HttpResponse:
    """Slips to print, cut and hand out: one per person with a live code."""
    trainee_import = _get_import(request, import_id)
    school = SchoolPage.objects.live().order_by("path").first()
    return render(
        request,
        "school/admin/activation_slips.html",
        {
            "rows": _live(activation_rows(trainee_import)),
            "school_name": (school.display_name or school.title) if school else "",
            "activation_url": _activation_url(),
        },
    )


@require_POST
def renew_code(request: HttpRequest, user_id: int) -> HttpResponse:
    """A new code for one imported account; the old one stops working."""
    if not user_can_import_trainees(request.user):
        raise PermissionDenied
    account = User.objects.filter(pk=user_id).first()
    if account is None:
        raise Http404
    try:
        row, code = services.renew_activation_code(account, actor=request.user)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
        return redirect("traineeimport:index")
    messages.success(
        request,
        _("已为%(name)s生成新激活码 %(code)s，原激活码已作废。")
        % {"name": account.real_name, "code": display_code(code)},
    )
    if row.trainee_import_id:
        return redirect("school_import_codes", import_id=row.trainee_import_id)
    return redirect("traineeimport:index")
