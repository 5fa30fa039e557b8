"""我的服务证明: a volunteer's service-record proofs, the form that issues one for
a chosen period (POST), and each proof's PDF (the holder only; anyone else 404).
The PDF is rendered by the worker right after issue; a GET writes nothing."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from certificates.services import archive_member_name
from volunteers.proofs import (
    approved_records,
    get_proof_for_holder,
    issue_service_proof,
    proofs_of,
)

# Seconds after which the "being prepared" page of a PDF looks again.
PDF_PENDING_RETRY = 10


class ProofPeriodForm(forms.Form):
    """The period a proof covers; either end may stay empty (all records)."""

    since = forms.DateField(
        label=gettext_lazy("开始日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    until = forms.DateField(
        label=gettext_lazy("结束日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


def _mine(request: HttpRequest, form: ProofPeriodForm, status: int = 200):
    response = render(
        request,
        "volunteers/proof_mine.html",
        {
            "form": form,
            "proofs": list(proofs_of(request.user)),
            "has_service": approved_records(
                request.user, since=None, until=None
            ).exists(),
        },
        status=status,
    )
    patch_cache_control(response, private=True)
    return response


@login_required
@require_safe
def my_proofs(request: HttpRequest) -> HttpResponse:
    """我的服务证明: the proofs issued so far and the form for a new one."""
    return _mine(request, ProofPeriodForm())


@login_required
@require_POST
def issue_proof(request: HttpRequest) -> HttpResponse:
    """Issue a proof of the user's own approved service for the chosen period."""
    form = ProofPeriodForm(request.POST)
    if form.is_valid():
        try:
            proof = issue_service_proof(
                request.user,
                since=form.cleaned_data["since"],
                until=form.cleaned_data["until"],
                actor=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("证明 %(number)s 已出具，PDF 生成后即可下载。")
                % {"number": proof.number},
            )
            return redirect("proofs:mine")
    return _mine(request, form, status=400)


@login_required
@require_safe
def download_proof(request: HttpRequest, pk: int) -> HttpResponse:
    """The proof's PDF, for its holder (anyone else gets 404). Not rendered yet:
    a page that says so and looks again by itself."""
    proof = get_proof_for_holder(request.user, pk)
    if not proof.pdf:
        response = render(
            request,
            "volunteers/proof_pending.html",
            {"proof": proof, "retry_after": PDF_PENDING_RETRY},
            status=202,
        )
        response["Retry-After"] = str(PDF_PENDING_RETRY)
    else:
        response = FileResponse(
            proof.pdf.open("rb"),
            as_attachment=True,
            filename=archive_member_name(proof),
            content_type="application/pdf",
        )
    patch_cache_control(response, private=True, no_store=True)
    return response
