"""Forms of the public side of certificates."""

import unicodedata

from django import forms
from django.utils.translation import gettext_lazy as _

from certificates.models import Certificate

NOT_FOUND = _("未找到与该证书编号和姓名相符的证书，请核对后重新输入。")


def normalise_number(value: str) -> str:
    """Certificate numbers are upper-case ASCII; people type them in any case,
    with full-width characters from a Chinese input method, or with spaces."""
    return "".join(unicodedata.normalize("NFKC", value).split()).upper()


def normalise_name(value: str) -> str:
    """Names match exactly, after trimming (and in one Unicode form, so that a
    name typed with combining accents matches the same name typed precomposed)."""
    return unicodedata.normalize("NFC", value).strip()


class VerificationLookupForm(forms.Form):
    """Find a certificate by its number and its holder's full name. Both must
    match; a miss says nothing about which of the two was wrong."""

    number = forms.CharField(
        label=_("证书编号"),
        max_length=60,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "placeholder": "WGXX-2026-JC-000123",
            }
        ),
        error_messages={"required": _("请填写证书编号。")},
    )
    name = forms.CharField(
        label=_("持证人姓名"),
        max_length=100,
        help_text=_("请填写证书上的完整姓名。"),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={"required": _("请填写持证人姓名。")},
    )

    certificate: Certificate | None = None

    def clean_number(self) -> str:
        return normalise_number(self.cleaned_data["number"])

    def clean_name(self) -> str:
        return normalise_name(self.cleaned_data["name"])

    def clean(self) -> dict:
        cleaned = super().clean()
        number, name = cleaned.get("number"), cleaned.get("name")
        if not number or not name:
            return cleaned
        certificate = Certificate.objects.filter(number=number).first()
        if certificate is None or (
            normalise_name(certificate.snapshot.get("holder_name", "")) != name
        ):
            raise forms.ValidationError(NOT_FOUND, code="not_found")
        self.certificate = certificate
        return cleaned
