"""Certificate PDFs: WeasyPrint, from the frozen snapshot only.

What a PDF prints comes from ``certificate.snapshot`` (see snapshots.py), never
from the live course, template or user, so rendering again gives the same text.

Security. Every text is escaped by the Django template engine, and WeasyPrint
fetches through `SnapshotFetcher`, which serves exactly the images the snapshot
names (read from the default storage), the QR code made here and the layout's
font, and refuses everything else (file:, http(s):, other data: URIs), logging
what it refused.

Names. A name prints in full up to `NAME_MAX_WIDTH` display columns (a Chinese
character counts two), in a smaller size the longer it is, wrapping if needed;
a longer name is cut there and ends in "…" where it is printed (the full name
stays in the snapshot and on the verification page). Names are isolated for the
bidirectional algorithm, so Arabic or Hebrew prints right to left without
reordering the text around it.

Speed (the worker renders thousands in a row). One FontConfiguration, the
parsed layout stylesheets and the compiled templates live for the process and
are warmed up once (`warm_up`, run when a django-q2 worker starts). The costly
part of a Chinese PDF is font subsetting: WeasyPrint subsets each font used with
HarfBuzz, keeping glyph IDs, so its cost and the embedded size grow with the
highest glyph ID used, and Noto CJK's 65,535-glyph collections put common
characters at IDs around 10,000–40,000. Each layout therefore uses one CJK
family in one weight, and that face is first cut down once, with HarfBuzz (the
uharfbuzz package), to a compact font of the GB 2312 repertoire (Latin,
punctuation and the 6,763 common characters: about 7,900 glyphs instead of
65,535), cached on disk under VAR_DIR, keyed by the source font file, and loaded
through @font-face. The font stack falls back to the
full Noto CJK face for other characters (喆, 堃, 犇 …) and to HanaMin A/B for
what Noto lacks (CJK Extension B, e.g. 𠀀), so every character has a real glyph.
Latin text takes a Latin font first (DejaVu, always present with fontconfig).
The images the snapshot names (a school's seal is on every certificate) are
decoded and converted for the PDF once per process: WeasyPrint's image cache is
shared across renders for them (never for the QR code, which is each
certificate's own), and the PDF image objects made from them are kept
(`_reuse_image_objects`), so a seal is not split into colour and alpha and
compressed again for every certificate.
Before the first render, what lives as long as the process is frozen out of the
garbage collector's way; after each render, garbage is collected (cheaply, then),
so a worker's memory stays flat over thousands of certificates.
"""

import gc
import hashlib
import io
import logging
import os
import shutil
import subprocess
import threading
import unicodedata
from datetime import date
from functools import lru_cache
from multiprocessing.util import Finalize
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import get_template, render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

import pydyf
import segno
import uharfbuzz as hb
from weasyprint import CSS, HTML
from weasyprint.images import RasterImage
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from certificates.models import Certificate, CertificateTemplate, Layout
from certificates.numbering import format_number
from certificates.snapshots import (
    PRINT_LANGUAGE,
    date_label,
    image_storage,
    printed_by_template,
    valid_until_for,
)
from courses.models import Tier

logger = logging.getLogger(__name__)

SCHEME = "gridschool:"
QR_URL = f"{SCHEME}qr"
IMAGE_PREFIX = f"{SCHEME}image/"
FONT_PREFIX = f"{SCHEME}font/"

# A name wider than this (in display columns: a Chinese character counts two) is
# cut and ends in "…".
NAME_MAX_WIDTH = 60
# Name sizes by display width: (widest, CSS class).
NAME_SIZES = (
    (12, "name-xl"),
    (20, "name-l"),
    (32, "name-m"),
    (NAME_MAX_WIDTH, "name-s"),
)
# Title spacing and size by display width.
HEADING_SIZES = ((10, "heading-wide"), (20, "heading-normal"))
# Body text sizes by length in characters.
BODY_SIZES = ((110, "body-l"), (180, "body-m"), (280, "body-s"))
# Bidirectional isolation (FSI … PDI) around names.
ISOLATE = "\u2068{}\u2069"

# The CJK face each layout uses (one family, one weight), as fontconfig names it:
# the designed layouts of templates, then the fixed layouts of the other document
# kinds (templates/certificates/pdf/<kind>.html, chosen by the snapshot).
LAYOUT_CJK_FACES = {
    Layout.CLASSIC: "Noto Serif CJK SC",
    Layout.MODERN: "Noto Sans CJK SC",
    Certificate.Kind.SERVICE_PROOF.value: "Noto Serif CJK SC",
    Certificate.Kind.APPOINTMENT.value: "Noto Serif CJK SC",
}
# What the compact font keeps besides GB 2312: Latin, general punctuation, CJK
# symbols and punctuation, full-width forms.
COMPACT_RANGES = ((0x20, 0x24F), (0x2000, 0x206F), (0x3000, 0x303F), (0xFF00, 0xFFEF))
COMPACT_VERSION = 3

# Sample data for the preview, printed like a real certificate (in Chinese).
SAMPLE_NAME = "张喆"
SAMPLE_COURSE = "社区网格化管理与服务实务"


# --- fetching: only what the snapshot names ----------------------------------------


class RefusedURL(ValueError):
    """A URL a certificate PDF may not fetch."""


class SnapshotFetcher(URLFetcher):
    """WeasyPrint's URL fetcher for one PDF: it serves `resources` (URL → bytes and
    media type: the images the snapshot names, the QR code made for it, the layout
    font) and refuses every other URL, so nothing is read from the network or the
    local file system."""

    def __init__(self, resources: dict[str, tuple[bytes | None, str]]):
        super().__init__(timeout=1, allowed_protocols=())
        self._resources = resources

    def fetch(self, url, headers=None):
        body, media_type = self._resources.get(url, (None, ""))
        if body is None:
            logger.warning("Certificate PDF: refused to fetch %.200s", url)
            raise RefusedURL(f"Refused to fetch {url[:200]}")
        return URLFetcherResponse(url, body, {"Content-Type": media_type})


def image_url(name: str) -> str:
    return IMAGE_PREFIX + quote(name)


_images: dict[str, bytes] = {}
IMAGE_CACHE_BYTES = 24 * 1024 * 1024


def image_bytes(name: str) -> bytes | None:
    """An image's bytes (None if the file is missing: it prints nothing). The last
    ones read are kept, up to IMAGE_CACHE_BYTES: a school's seal is on every PDF,
    and frozen copies are named by their content, so a name never changes bytes."""
    if name in _images:
        return _images[name]
    try:
        with image_storage(name).open(name, "rb") as image:
            data = image.read()
    except (OSError, ValueError):
        logger.warning("Certificate PDF: image %s is missing", name)
        return None
    while _images and sum(map(len, _images.values())) + len(data) > IMAGE_CACHE_BYTES:
        _images.pop(next(iter(_images)))
    _images[name] = data
    return data


# WeasyPrint's images of the snapshot images (URL → RasterImage), kept across
# renders: the names are frozen copies named by their content, so a URL never
# changes bytes. Only images that loaded are kept; the QR code never is.
_raster_images: dict[str, RasterImage] = {}
RASTER_IMAGES_KEPT = 64


def _copy_stream(stream: pydyf.Stream) -> pydyf.Stream:
    """A fresh PDF stream with the same data and dictionary (writing a PDF
    numbers the stream and replaces its mask by a reference, so each PDF needs
    its own)."""
    extra = pydyf.Dictionary(stream.extra)
    if isinstance(extra.get("SMask"), pydyf.Stream):
        extra["SMask"] = _copy_stream(extra["SMask"])
    return pydyf.Stream(list(stream.stream), extra, stream.compress)


def _solid(stream: pydyf.Stream) -> pydyf.Stream:
    """`stream` with its lazily read image data read into bytes, so it holds on to
    no render's cache."""
    data = [getattr(item, "data", item) for item in stream.stream]
    extra = pydyf.Dictionary(stream.extra)
    if isinstance(extra.get("SMask"), pydyf.Stream):
        extra["SMask"] = _solid(extra["SMask"])
    return pydyf.Stream(data, extra, stream.compress)


def _reuse_image_objects(image: RasterImage) -> None:
    """Make `image` build its PDF image object (colour and alpha mask, each
    PNG-compressed) once, and hand each later PDF a copy of it."""
    if getattr(image, "_gridschool_reused", False):
        return
    build, made = image.get_x_object, {}

    def get_x_object(interpolate, dpi_ratio):
        key = (interpolate, dpi_ratio)
        if key not in made:
            made[key] = _solid(build(interpolate, dpi_ratio))
        return _copy_stream(made[key])

    image.get_x_object = get_x_object
    image._gridschool_reused = True


def _image_cache() -> dict:
    """WeasyPrint's image cache for one render, holding the kept images."""
    return dict(_raster_images)


def _keep_images(cache: dict) -> None:
    """Keep the snapshot images this render loaded, for the next renders."""
    for url, image in cache.items():
        if (
            isinstance(url, str)
            and url.startswith(IMAGE_PREFIX)
            and isinstance(image, RasterImage)
            and url not in _raster_images
        ):
            _reuse_image_objects(image)
            while len(_raster_images) >= RASTER_IMAGES_KEPT:
                _raster_images.pop(next(iter(_raster_images)))
            _raster_images[url] = image


# --- fonts: one compact CJK face per layout ------------------------------------------


def _font_file(family: str) -> tuple[str, int] | None:
    """The file and face index fontconfig gives for `family`, if installed."""
    try:
        result = subprocess.run(  # noqa: S603 - fixed arguments, no shell
            ["fc-match", "--format=%{family}\n%{file}\n%{index}", family],  # noqa: S607
            capture_output=True,
            text=True,
            timeout=20,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    lines = result.stdout.split("\n")
    if result.returncode or len(lines) < 3 or family not in lines[0].split(","):
        return None
    return lines[1], int(lines[2] or 0)


def _compact_charset() -> list[int]:
    codepoints = {c for low, high in COMPACT_RANGES for c in range(low, high + 1)}
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                codepoints.add(ord(bytes((high, low)).decode("gb2312")))
            except UnicodeDecodeError:
                continue
    return sorted(codepoints)


# Keep OpenType tables HarfBuzz does not subset, but drop GSUB: its closure would
# add every kept character's vertical, Japanese, Korean and traditional variants
# (doubling the font), and horizontal Simplified Chinese needs none of them.
_GSUB = int.from_bytes(b"GSUB", "big")


def _subset_face(path: str, index: int, codepoints: list[int]) -> bytes | None:
    """Face `index` of the font file at `path`, cut down to `codepoints` with
    HarfBuzz (through uharfbuzz); None if HarfBuzz cannot read or subset it."""
    try:
        face = hb.Face(hb.Blob.from_file_path(path), index)
        subset_input = hb.SubsetInput()
        subset_input.unicode_set.update(codepoints)
        subset_input.flags = hb.SubsetFlags.PASSTHROUGH_UNRECOGNIZED
        subset_input.drop_table_tag_set.add(_GSUB)
        return hb.subset(face, subset_input).blob.data or None
    except (hb.HarfBuzzError, RuntimeError):
        return None


@lru_cache(maxsize=4)
def compact_font(family: str) -> bytes | None:
    """`family` cut down to the compact repertoire, built once per machine (cached
    under VAR_DIR, named after the source file's size and date) and kept per
    process. None when the face is missing or HarfBuzz cannot subset it: the
    layout then uses the full face, slower but the same glyphs."""
    found = _font_file(family)
    if found is None:
        logger.warning("Certificate PDF: font %s is not installed", family)
        return None
    path, index = found
    stat = os.stat(path)
    key = f"{path}:{index}:{stat.st_size}:{stat.st_mtime_ns}:{COMPACT_VERSION}"
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    cached = (
        Path(settings.VAR_DIR) / "fonts" / f"{family.replace(' ', '')}-{digest}.otf"
    )
    if cached.exists():
        return cached.read_bytes()
    font = _subset_face(path, index, _compact_charset())
    if font is None:
        logger.warning("Certificate PDF: could not subset %s with HarfBuzz", family)
        return None
    cached.parent.mkdir(parents=True, exist_ok=True)
    temporary = cached.with_suffix(f".{os.getpid()}.tmp")
    temporary.write_bytes(font)
    temporary.replace(cached)
    for stale in cached.parent.glob(f"{family.replace(' ', '')}-*.otf"):
        if stale != cached:
            stale.unlink(missing_ok=True)
    return font


# --- the per-process machinery ---------------------------------------------------

FONT_CONFIG = FontConfiguration()
_lock = threading.Lock()
_stylesheets: dict[str, CSS] = {}


def _remove_font_folder(folder: Path, owner: int) -> None:
    if os.getpid() == owner:  # not a forked child's: the folder is its parent's
        shutil.rmtree(folder, ignore_errors=True)


def _remove_at_exit(folder: Path) -> None:
    """WeasyPrint writes the fonts of @font-face rules to a temporary folder and
    removes it in FontConfiguration.__del__, which a django-q2 worker never
    reaches: multiprocessing children leave through os._exit, and each recycled
    worker left its ~10 MB folder in /tmp. multiprocessing's finalizers run on
    that way out, and at the exit of any other process (not after SIGKILL)."""
    Finalize(None, _remove_font_folder, args=(folder, os.getpid()), exitpriority=0)


def _font_url(layout: str) -> str:
    return f"{FONT_PREFIX}{layout}"


def layout_stylesheet(layout: str) -> CSS:
    """The layout's parsed stylesheet, with its compact CJK font registered in the
    process-wide font configuration; built once per process."""
    stylesheet = _stylesheets.get(layout)
    if stylesheet is not None:
        return stylesheet
    with _lock:
        if layout not in _stylesheets:
            folder = FONT_CONFIG._folder  # made by the first @font-face rule
            font = compact_font(LAYOUT_CJK_FACES[layout])
            css = render_to_string(
                f"certificates/pdf/{layout}.css",
                {"compact_font_url": _font_url(layout) if font else None},
            )
            fetcher = SnapshotFetcher({_font_url(layout): (font, "font/otf")})
            _stylesheets[layout] = CSS(
                string=css, url_fetcher=fetcher, font_config=FONT_CONFIG
            )
            if folder is None and FONT_CONFIG._folder is not None:
                _remove_at_exit(FONT_CONFIG._folder)
    return _stylesheets[layout]


# --- what the layouts print ------------------------------------------------------


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def printed_name(name: str) -> str:
    """The name as printed: in full, or cut at NAME_MAX_WIDTH columns with "…"."""
    name = " ".join(name.split())
    if display_width(name) <= NAME_MAX_WIDTH:
        return name
    width, cut = 0, []
    for character in name:
        width += display_width(character)
        if width > NAME_MAX_WIDTH - 1:
            break
        cut.append(character)
    return "".join(cut).rstrip() + "…"


def _size_class(length: int, sizes: tuple[tuple[int, str], ...], smallest: str) -> str:
    return next((name for limit, name in sizes if length <= limit), smallest)


def body_parts(body: str, holder_name: str, name: str) -> list[tuple[str, bool]]:
    """The body split around the holder's name, so the layout prints the name
    large inside the sentence: [(text, is_name), …]."""
    if not holder_name or holder_name not in body:
        return [(body, False)]
    parts: list[tuple[str, bool]] = []
    for index, text in enumerate(body.split(holder_name)):
        if index:
            parts.append((ISOLATE.format(name), True))
        if text:
            parts.append((text, False))
    return parts


def pdf_context(snapshot: dict, *, verification_url: str, specimen: bool) -> dict:
    """The template context of a layout: the snapshot plus what is derived from it
    for printing (names cut, size classes, image URLs)."""
    holder_name = snapshot.get("holder_name", "")
    name = printed_name(holder_name)
    body = snapshot.get("body", "")
    if name != holder_name:
        body = body.replace(holder_name, name)
    signatories = [
        {
            "name": ISOLATE.format(printed_name(s.get("name", ""))),
            "title": s.get("title", ""),
            "seal_url": image_url(s["seal"]) if s.get("seal") else None,
        }
        for s in snapshot.get("signatories", [])
    ]
    return {
        "snapshot": snapshot,
        "name": ISOLATE.format(name),
        "name_class": _size_class(display_width(name), NAME_SIZES, "name-s"),
        "name_in_body": holder_name in snapshot.get("body", "") and bool(holder_name),
        "body_parts": body_parts(body, holder_name, name),
        "body_class": _size_class(len(body), BODY_SIZES, "body-xs"),
        "heading_class": _size_class(
            display_width(snapshot.get("heading", "")), HEADING_SIZES, "heading-long"
        ),
        "signatories": signatories,
        "seal_url": image_url(snapshot["seal"]) if snapshot.get("seal") else None,
        "background_url": (
            image_url(snapshot["background"]) if snapshot.get("background") else None
        ),
        "qr_url": QR_URL,
        "verification_url": verification_url,
        "specimen": specimen,
    }


def qr_png(url: str) -> bytes:
    """The QR code of `url` as a 1-bit PNG (error correction M, 2-module border)."""
    buffer = io.BytesIO()
    segno.make_qr(url, error="m").save(buffer, kind="png", scale=4, border=2)
    return buffer.getvalue()


def snapshot_images(snapshot: dict) -> set[str]:
    """The storage names of the images a snapshot prints."""
    names = {snapshot.get("seal"), snapshot.get("background")}
    names |= {s.get("seal") for s in snapshot.get("signatories", [])}
    return {name for name in names if name}


# --- rendering ---------------------------------------------------------------------


def render_snapshot_pdf(
    snapshot: dict, *, verification_url: str, specimen: bool = False
) -> bytes:
    """The PDF of a certificate from its frozen snapshot alone: the layout it names
    (classic if unknown), its texts, its images from the default storage, and a QR
    code of `verification_url`. `specimen` marks a preview 样张."""
    if not _frozen:
        _freeze_long_lived_objects()
    layout = snapshot.get("layout")
    layout = layout if layout in LAYOUT_CJK_FACES else Layout.CLASSIC
    language = snapshot.get("language", PRINT_LANGUAGE)
    stylesheet = layout_stylesheet(layout)
    with translation.override(language):
        html = get_template(f"certificates/pdf/{layout}.html").render(
            pdf_context(snapshot, verification_url=verification_url, specimen=specimen)
        )
    resources = {
        image_url(name): (image_bytes(name), "") for name in snapshot_images(snapshot)
    }
    resources[QR_URL] = (qr_png(verification_url), "image/png")
    fetcher = SnapshotFetcher(resources)
    images = _image_cache()
    try:
        pdf = HTML(string=html, url_fetcher=fetcher).write_pdf(
            stylesheets=[stylesheet], font_config=FONT_CONFIG, cache=images
        )
        _keep_images(images)
        return pdf
    finally:
        # A rendered document is a web of reference cycles holding font data:
        # collected now, the worker's memory stays flat over a batch. Cheap: what
        # lives for the whole process is frozen out of the collector's way.
        gc.collect()


def render_pdf(certificate: Certificate) -> bytes:
    """The certificate's PDF, from its snapshot (see render_snapshot_pdf)."""
    return render_snapshot_pdf(
        certificate.snapshot, verification_url=certificate.verification_url
    )


def sample_snapshot(
    template: CertificateTemplate, *, today: date | None = None
) -> dict:
    """A snapshot as the template would issue it to a sample trainee today: the
    template's own texts, images and signatories, the school's name and seal."""
    today = today or timezone.localdate()
    tier = template.tier or Tier.BASIC
    school = template.school if template.school_id else None
    school_name = (school.display_name or school.title) if school else _("网格学校")
    with translation.override(PRINT_LANGUAGE):
        starts_on, ends_on = today.replace(day=1), today
        values = {
            "holder_name": SAMPLE_NAME,
            "course_title": SAMPLE_COURSE,
            "tier_label": str(Tier(tier).label),
            "class_label": "第 1 期",
            "class_level_label": _("区级"),
            "study_hours": "32",
            "starts_on_label": date_label(starts_on),
            "ends_on_label": date_label(ends_on),
            "school_name": school_name,
        }
    prefix = school.certificate_prefix if school else "WGXX"
    return {
        **values,
        **printed_by_template(
            template,
            school=school,
            values=values,
            number=format_number(prefix, today.year, tier, 0),
            issued_on=today,
            valid_until=valid_until_for(template, today),
            frozen=False,
        ),
    }


def preview_response(template: CertificateTemplate) -> HttpResponse:
    """The template's preview in the admin: the real PDF, rendered with sample
    data and marked 样张, shown inline."""
    pdf = render_snapshot_pdf(
        sample_snapshot(template),
        verification_url=f"{settings.SITE_URL.rstrip('/')}/verify/",
        specimen=True,
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="preview.pdf"'
    return response


_frozen = False


def _freeze_long_lived_objects() -> None:
    """Move what exists now (Django, Wagtail, WeasyPrint, the fonts: what lives as
    long as the process) out of the garbage collector's sight, once, so the
    collection after each render only walks that render's objects."""
    global _frozen
    _frozen = True
    gc.freeze()


_warm = False


def warm_up(**kwargs) -> None:
    """Load fonts, stylesheets and templates by rendering a throwaway PDF of each
    layout, so that a worker's first certificate is as fast as the rest. Run once
    per process when a django-q2 worker starts; without it, each layout loads on
    its first use."""
    global _warm
    if _warm:
        return
    _warm = True
    today = timezone.localdate()
    for layout in LAYOUT_CJK_FACES:
        snapshot = {
            "layout": layout,
            "holder_name": f"{SAMPLE_NAME} Warm-up",
            "heading": "结业证书",
            "body": f"{SAMPLE_NAME} Warm-up 同志完成学习，经考核合格，准予结业。",
            "number": "WARM-UP-2026",
            "issued_on_label": date_label(today),
            "school_name": "网格学校",
            "signatories": [{"name": "王建国", "title": "校长", "seal": None}],
        }
        try:
            render_snapshot_pdf(snapshot, verification_url=settings.SITE_URL)
        except Exception:  # the worker must start anyway; the real render will say
            logger.exception("Certificate PDF: warming up the %s layout failed", layout)
