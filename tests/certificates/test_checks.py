"""The system check for what certificate PDFs need from the operating system:
HarfBuzz-subset, a Chinese font and a font for CJK Extension B."""

from django.core import checks

from certificates.checks import (
    check_pdf_dependencies,
    cjk_extension_b_font_available,
    cjk_font_available,
    harfbuzz_subset_available,
    pdf_dependencies_check,
)


def present() -> bool:
    return True


def missing() -> bool:
    return False


def test_pdf_check_passes_when_harfbuzz_and_a_cjk_font_are_present():
    assert check_pdf_dependencies(harfbuzz=present, cjk_font=present) == []


def test_pdf_check_names_harfbuzz_subset_when_it_is_missing():
    errors = check_pdf_dependencies(harfbuzz=missing, cjk_font=present)

    assert [error.id for error in errors] == ["certificates.E001"]
    error = errors[0]
    assert error.level == checks.ERROR
    assert "libharfbuzz-subset0" in error.msg
    assert "apt-get install libharfbuzz-subset0" in error.hint
    assert "15 s" in error.hint


def test_pdf_check_names_the_cjk_font_when_it_is_missing():
    errors = check_pdf_dependencies(harfbuzz=present, cjk_font=missing)

    assert [error.id for error in errors] == ["certificates.E002"]
    assert "CJK" in errors[0].msg
    assert "apt-get install fonts-noto-cjk" in errors[0].hint


def test_pdf_check_names_the_extension_b_font_when_it_is_missing():
    errors = check_pdf_dependencies(
        harfbuzz=present, cjk_font=present, extension_b_font=missing
    )

    assert [error.id for error in errors] == ["certificates.E003"]
    assert "Extension B" in errors[0].msg
    assert "apt-get install fonts-hanazono" in errors[0].hint


def test_this_machine_has_a_font_for_cjk_extension_b():
    assert cjk_extension_b_font_available()


def test_pdf_check_reports_both_when_both_are_missing():
    errors = check_pdf_dependencies(harfbuzz=missing, cjk_font=missing)

    assert [error.id for error in errors] == ["certificates.E001", "certificates.E002"]


def test_this_machine_has_harfbuzz_subset_and_a_cjk_font():
    assert harfbuzz_subset_available()
    assert cjk_font_available()


def test_the_certificates_app_registers_the_check_under_the_gridschool_tag():
    assert pdf_dependencies_check in checks.registry.registry.get_checks()
    assert "gridschool" in pdf_dependencies_check.tags


def test_the_registered_system_check_passes_on_this_machine(settings):
    settings.GRIDSCHOOL_REQUIRE_PDF_FONTS = True

    errors = checks.run_checks(tags=["gridschool"])

    assert errors == []


def test_the_system_check_is_skipped_where_certificates_are_not_rendered(settings):
    settings.GRIDSCHOOL_REQUIRE_PDF_FONTS = False

    assert pdf_dependencies_check(None) == []
