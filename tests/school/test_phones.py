"""One phone normaliser for forms and the import: full-width digits, spaces,
hyphens and a +86 prefix all give the same 11 digits, and non-ASCII digits of other
scripts are refused alike."""

from django.core.exceptions import ValidationError

import pytest

from school.forms import PhoneField
from school.importing import check_table
from school.models import normalise_phone

TYPED = ["１３８００１３８０００", "138 0013 8000", "138-0013-8000", "+86 13800138000"]


@pytest.mark.parametrize("typed", TYPED)
def test_forms_and_the_import_read_a_phone_the_same_way(typed, community):
    field = PhoneField()
    table = [["姓名", "手机号", "社区"], ["张三", typed, community.name]]

    assert normalise_phone(typed) == "13800138000"
    assert field.clean(typed) == "13800138000"
    assert check_table(table).rows[0].phone == "13800138000"


def test_digits_of_other_scripts_are_refused_by_both(community):
    arabic_indic = "١٣٨٠٠١٣٨٠٠٠"
    table = [["姓名", "手机号", "社区"], ["张三", arabic_indic, community.name]]

    with pytest.raises(ValidationError, match="11"):
        PhoneField().clean(arabic_indic)
    assert not check_table(table).ok
