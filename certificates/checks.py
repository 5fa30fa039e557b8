"""System checks for what certificates need from the operating system.

Without HarfBuzz-subset, WeasyPrint falls back to fontTools and one Chinese
certificate takes ~15 s instead of ~0.2 s; without a CJK font, names print as boxes,
and without a font for CJK Extension B (Noto CJK has none; HanaMinB from
fonts-hanazono has it) so do rare characters in names such as 𠀀 (U+20000).
All are installed by `make run` / `make test`; a machine without them must refuse
to start rather than silently issue unusable certificates.
"""

import ctypes
import ctypes.util
import shutil
import subprocess
from collections.abc import Callable

from django.conf import settings
from django.core.checks import Error

HARFBUZZ_SUBSET_NAMES = ("libharfbuzz-subset.so.0", "libharfbuzz-subset.so")


def harfbuzz_subset_available() -> bool:
    """Whether the system's libharfbuzz-subset loads (WeasyPrint subsets with it)."""
    candidates = [*HARFBUZZ_SUBSET_NAMES]
    found = ctypes.util.find_library("harfbuzz-subset")
    if found:
        candidates.insert(0, found)
    for name in candidates:
        try:
            ctypes.CDLL(name)
        except OSError:
            continue
        return True
    return False


def cjk_font_available() -> bool:
    """Whether fontconfig has a font for Chinese."""
    return _fonts_matching(":lang=zh")


def _fonts_matching(pattern: str) -> bool:
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return False
    result = subprocess.run(  # noqa: S603 - fixed arguments, no shell
        [fc_list, pattern, "family"], capture_output=True, text=True, timeout=20
    )
    return result.returncode == 0 and bool(result.stdout.strip())


def cjk_extension_b_font_available() -> bool:
    """A font with U+20000, the first character of CJK Extension B."""
    return _fonts_matching(":charset=20000")


def check_pdf_dependencies(
    *,
    harfbuzz: Callable[[], bool] = harfbuzz_subset_available,
    cjk_font: Callable[[], bool] = cjk_font_available,
    extension_b_font: Callable[[], bool] = cjk_extension_b_font_available,
) -> list[Error]:
    """An error for each missing dependency; the probes are parameters so that a
    test can say what is missing."""
    errors = []
    if not harfbuzz():
        errors.append(
            Error(
                "HarfBuzz-subset (libharfbuzz-subset0) is not installed.",
                hint=(
                    "Without it WeasyPrint subsets fonts with fontTools and a Chinese "
                    "certificate takes ~15 s. Install it: apt-get install "
                    "libharfbuzz-subset0 (make run does this)."
                ),
                id="certificates.E001",
            )
        )
    if not cjk_font():
        errors.append(
            Error(
                "No Chinese (CJK) font is installed.",
                hint=(
                    "Certificates would print names as empty boxes. Install one: "
                    "apt-get install fonts-noto-cjk (make run does this)."
                ),
                id="certificates.E002",
            )
        )
    if not extension_b_font():
        errors.append(
            Error(
                "No font for CJK Extension B (U+20000 and beyond) is installed.",
                hint=(
                    "Rare characters in names, such as 𠀀, would print as empty "
                    "boxes. Install one: apt-get install fonts-hanazono (make run "
                    "does this)."
                ),
                id="certificates.E003",
            )
        )
    return errors


def pdf_dependencies_check(app_configs, **kwargs) -> list[Error]:
    """The system check (tag "gridschool", registered by the certificates app):
    what `check_pdf_dependencies` finds, unless GRIDSCHOOL_REQUIRE_PDF_FONTS is
    off on a host that renders no certificates."""
    if not getattr(settings, "GRIDSCHOOL_REQUIRE_PDF_FONTS", True):
        return []
    return check_pdf_dependencies()
