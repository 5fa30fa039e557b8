"""Certificate PDFs, rendered for real with WeasyPrint and read back with pypdf:
what they print, that rare characters get real glyphs, that the QR decodes, that
hostile names are escaped and that nothing outside the snapshot is fetched."""

import io
import re
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

from django.conf import settings
from django.core.files.storage import default_storage
from django.test import RequestFactory
from django.utils import timezone

import pytest
import wagtail_factories
import zxingcpp
from fontTools.pens.boundsPen import BoundsPen
from fontTools.ttLib import TTFont
from PIL import Image
from pypdf import PdfReader

from certificates import rendering, services, snapshots
from certificates.models import Layout
from tests.certificates.factories import (
    CertificateTemplateFactory,
    completed_enrollment,
)

pytestmark = pytest.mark.django_db

A4_LANDSCAPE_PT = (841.89, 595.28)
RARE_NAME = "张喆堃犇𠀀"


def read(pdf: bytes) -> PdfReader:
    assert pdf.startswith(b"%PDF-")
    return PdfReader(io.BytesIO(pdf))


def text_of(pdf: bytes) -> str:
    reader = read(pdf)
    assert len(reader.pages) == 1
    return reader.pages[0].extract_text()


def flat(text: str) -> str:
    """Text without white space: pypdf spaces justified lines as it sees fit."""
    return re.sub(r"\s+", "", text)


def issue_to(enrollment, template, *, name: str | None = None):
    if name is not None:
        enrollment.trainee.real_name = name
        enrollment.trainee.save(update_fields=["real_name"])
    return services.issue_certificate(enrollment, template=template, deliver=False)


def _to_unicode(font) -> dict[int, str]:
    """Glyph ID → text, from a font's ToUnicode CMap."""
    cmap = font["/ToUnicode"].get_object().get_data().decode("latin-1")
    mapping = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
        for glyph, text in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            mapping[int(glyph, 16)] = bytes.fromhex(text).decode("utf-16-be")
    return mapping


def printed_glyphs(pdf: bytes) -> dict[str, list[tuple[str, bool]]]:
    """Each character the page prints → [(font name, whether its glyph in the
    embedded font has an outline)]. A box (.notdef or a missing glyph) has none."""
    page = read(pdf).pages[0]
    glyphs: dict[str, list[tuple[str, bool]]] = {}
    for font_ref in page["/Resources"]["/Font"].values():
        font = font_ref.get_object()
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
        program = descriptor.get("/FontFile3") or descriptor.get("/FontFile2")
        embedded = TTFont(io.BytesIO(program.get_object().get_data()))
        order, glyph_set = embedded.getGlyphOrder(), embedded.getGlyphSet()
        name = str(font["/BaseFont"])
        for glyph_id, text in _to_unicode(font).items():
            has_outline = False
            if 0 < glyph_id < len(order):
                pen = BoundsPen(glyph_set)
                glyph_set[order[glyph_id]].draw(pen)
                has_outline = pen.bounds is not None
            for character in text:
                glyphs.setdefault(character, []).append((name, has_outline))
    return glyphs


def decoded_qr_codes(pdf: bytes) -> list[str]:
    texts = []
    for image in read(pdf).pages[0].images:
        picture = image.image.convert("L")
        # Decoders want a quiet zone and a few pixels per module.
        picture = picture.resize((picture.width * 4, picture.height * 4), Image.NEAREST)
        texts += [code.text for code in zxingcpp.read_barcodes(picture)]
    return texts


# --- what a certificate prints ------------------------------------------------------


def test_the_pdf_is_one_a4_landscape_page_with_the_name_and_the_number(certificate):
    pdf = rendering.render_pdf(certificate)

    page = read(pdf).pages[0]
    assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(
        A4_LANDSCAPE_PT, abs=1
    )
    text = text_of(pdf)
    snapshot = certificate.snapshot
    assert "张三" in text
    assert certificate.number in text
    for printed in (
        snapshot["heading"].replace("", " ").strip(),  # the title is letter-spaced
        snapshot["course_title"],
        snapshot["tier_label"],
        snapshot["class_label"],
        f"学时：{snapshot['study_hours']}",
        snapshot["starts_on_label"],
        snapshot["school_name"],
        snapshot["issued_on_label"],
        "扫码核验",
        "王建国",
        "校长",
    ):
        assert printed in text


def test_the_expiry_date_is_printed_only_when_the_certificate_has_one(
    enrollment, other_enrollment, grid_school
):
    lasting = CertificateTemplateFactory(school=grid_school)
    expiring = CertificateTemplateFactory(school=grid_school, validity_months=24)

    lasting_text = text_of(rendering.render_pdf(issue_to(enrollment, lasting)))
    certificate = issue_to(other_enrollment, expiring)
    expiring_text = text_of(rendering.render_pdf(certificate))

    assert "有效期至" not in lasting_text
    assert f"有效期至：{certificate.snapshot['valid_until_label']}" in expiring_text


@pytest.mark.parametrize("layout", Layout.values)
def test_both_layouts_print_the_certificate(layout, enrollment, grid_school):
    template = CertificateTemplateFactory(school=grid_school, layout=layout)
    certificate = issue_to(enrollment, template)

    text = text_of(rendering.render_pdf(certificate))

    assert "张三" in text
    assert certificate.number in text
    assert decoded_qr_codes(rendering.render_pdf(certificate)) == [
        certificate.verification_url
    ]


def test_the_qr_code_decodes_to_the_verification_url(certificate):
    pdf = rendering.render_pdf(certificate)

    assert decoded_qr_codes(pdf) == [certificate.verification_url]
    assert certificate.verification_url.startswith(settings.SITE_URL)
    assert certificate.verification_url.endswith(f"/verify/{certificate.code}/")


def test_rendering_again_from_the_snapshot_prints_the_same_after_live_edits(
    certificate, certificate_template, training_class, trainee
):
    before = text_of(rendering.render_pdf(certificate))
    certificate_template.heading = "培训合格证"
    certificate_template.body = "{姓名} 已改写。"
    certificate_template.save()
    training_class.course.title = "改过的课程名"
    training_class.course.save()
    trainee.real_name = "改过的名字"
    trainee.save()

    certificate.refresh_from_db()
    after = text_of(rendering.render_pdf(certificate))

    assert after == before
    assert "改过" not in after


def test_the_images_the_snapshot_names_are_printed(enrollment, grid_school):
    seal, signature_seal, background = (
        wagtail_factories.ImageFactory(title=title)
        for title in ("公章", "私章", "底纹")
    )
    grid_school.seal_image = seal
    grid_school.save()
    template = CertificateTemplateFactory(
        school=grid_school,
        background_image=background,
        signatories=[
            {
                "type": "signatory",
                "value": {"name": "王建国", "title": "校长", "seal": signature_seal.pk},
            }
        ],
    )
    certificate = issue_to(enrollment, template)

    images = read(rendering.render_pdf(certificate)).pages[0].images

    assert certificate.snapshot["seal"].startswith(snapshots.FROZEN_IMAGES)
    assert len(images) == 4  # the background, two seals and the QR code


def test_deleting_or_replacing_the_images_later_changes_no_issued_certificate(
    enrollment, grid_school, django_capture_on_commit_callbacks
):
    seal = wagtail_factories.ImageFactory(title="公章")
    grid_school.seal_image = seal
    grid_school.save()
    template = CertificateTemplateFactory(school=grid_school)
    certificate = issue_to(enrollment, template)
    before = read(rendering.render_pdf(certificate)).pages[0].images
    original = seal.file.name
    with django_capture_on_commit_callbacks(execute=True):
        seal.delete()  # Wagtail deletes the file with the image, after commit
    assert not default_storage.exists(original)

    after = read(rendering.render_pdf(certificate)).pages[0].images

    assert len(before) == len(after) == 2  # the seal and the QR code
    assert [image.data for image in after] == [image.data for image in before]


# --- fonts: real glyphs for rare characters ------------------------------------------


@pytest.mark.parametrize("layout", Layout.values)
def test_rare_characters_in_a_name_print_with_real_glyphs(
    layout, enrollment, grid_school
):
    template = CertificateTemplateFactory(school=grid_school, layout=layout)
    certificate = issue_to(enrollment, template, name=RARE_NAME)

    pdf = rendering.render_pdf(certificate)

    assert RARE_NAME in text_of(pdf)
    glyphs = printed_glyphs(pdf)
    for character in RARE_NAME:
        fonts = glyphs[character]
        assert all(has_outline for _, has_outline in fonts), (character, fonts)
        assert all(re.search(r"Noto|HanaMin", name) for name, _ in fonts)
    # Extension B is not in Noto CJK: HanaMinB (or A) draws it.
    assert all("HanaMin" in name for name, _ in glyphs["𠀀"])


def test_common_characters_come_from_the_compact_font_and_latin_from_a_latin_font(
    certificate,
):
    glyphs = printed_glyphs(rendering.render_pdf(certificate))

    assert all(
        name.endswith("+Gridschool-Noto-Serif-CJK-SC") for name, _ in glyphs["张"]
    )
    assert all(name.endswith("+DejaVu-Serif") for name, _ in glyphs["W"])
    assert all(has_outline for _, has_outline in glyphs["张"] + glyphs["W"])


# --- hostile names ---------------------------------------------------------------------

HOSTILE_NAMES = {
    "markup": "<img src=file:///etc/passwd>",
    "arabic": "محمد عبد الله",
    "hebrew": "דוד כהן",
    "emoji": "王小明😀👍",
}


@pytest.mark.parametrize("kind", HOSTILE_NAMES)
def test_a_hostile_name_is_printed_as_text(kind, enrollment, certificate_template):
    name = HOSTILE_NAMES[kind]
    certificate = issue_to(enrollment, certificate_template, name=name)

    pdf = rendering.render_pdf(certificate)

    text = flat(text_of(pdf))
    # Right-to-left words come back from the PDF in visual order, each intact.
    assert all(word in text for word in name.split())
    assert len(read(pdf).pages[0].images) == 1  # the QR code, nothing fetched


def test_a_10000_character_name_is_cut_visibly_and_stays_on_one_page(certificate):
    """Names are at most 50 characters in the database; a snapshot is JSON, so the
    renderer must still cope with whatever it holds."""
    name = "长名" * 5000
    snapshot = {
        **certificate.snapshot,
        "holder_name": name,
        "body": certificate.snapshot["body"].replace("张三", name),
    }

    text = text_of(
        rendering.render_snapshot_pdf(
            snapshot, verification_url=certificate.verification_url
        )
    )

    printed = rendering.printed_name(name)
    assert printed.endswith("…")
    assert rendering.display_width(printed) <= rendering.NAME_MAX_WIDTH
    assert flat(printed) in flat(text)
    assert name[:100] not in flat(text)
    assert certificate.number in text


def test_names_up_to_the_limit_print_in_full():
    name = "欧阳" * (rendering.NAME_MAX_WIDTH // 4)
    assert rendering.printed_name(name) == name
    assert rendering.printed_name("  Anna   Maria ") == "Anna Maria"


# --- fetching: nothing outside the snapshot -------------------------------------------


@pytest.fixture
def web_server():
    """A local web server that records every request made to it."""
    requests: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            requests.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()
            buffer = io.BytesIO()
            Image.new("RGB", (4, 4), "red").save(buffer, "PNG")
            self.wfile.write(buffer.getvalue())

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", requests
    server.shutdown()
    server.server_close()


def test_a_layout_that_asks_for_local_files_or_the_network_gets_nothing(
    certificate, web_server, tmp_path, settings, caplog
):
    base, requests = web_server
    hostile = tmp_path / "certificates" / "pdf"
    hostile.mkdir(parents=True)
    (hostile / "classic.html").write_text(
        f"""<html><head>
        <link rel="stylesheet" href="{base}/style.css">
        <link rel="stylesheet" href="file:///etc/passwd">
        <style>
          @import url("{base}/import.css");
          @font-face {{ font-family: X; src: url("file:///etc/passwd"); }}
          body {{ background: url("{base}/background.png"); }}
        </style></head><body>
        <img src="file:///etc/passwd"><img src="{base}/remote.png">
        <img src="data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==">
        <img src="gridschool:image/original_images/not-in-the-snapshot.png">
        <img src="../../../etc/passwd"><iframe src="file:///etc/passwd"></iframe>
        <object data="file:///etc/passwd"></object>
        <p>{{{{ snapshot.holder_name }}}} {{{{ snapshot.number }}}}</p>
        </body></html>""",
        encoding="utf-8",
    )
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}
    ]

    with caplog.at_level("WARNING", logger="certificates.rendering"):
        pdf = rendering.render_pdf(certificate)

    assert requests == []
    assert len(read(pdf).pages[0].images) == 0
    text = text_of(pdf)
    assert "张三" in text  # the hostile layout was the one rendered
    assert "root:" not in text
    refused = " ".join(r.getMessage() for r in caplog.records)
    for url in (
        "file:///etc/passwd",
        f"{base}/remote.png",
        f"{base}/style.css",
        "data:image/png",
        "gridschool:image/original_images/not-in-the-snapshot.png",
    ):
        assert url in refused


def test_the_fetcher_serves_only_its_resources():
    fetcher = rendering.SnapshotFetcher({"gridschool:qr": (b"png", "image/png")})

    assert fetcher.fetch("gridschool:qr").read() == b"png"
    for url in (
        "file:///etc/passwd",
        "http://127.0.0.1/",
        "https://example.com/x.png",
        "data:text/plain,hello",
        "gridschool:image/original_images%2F..%2F..%2Fetc%2Fpasswd",
        "ftp://127.0.0.1/x",
    ):
        with pytest.raises(rendering.RefusedURL):
            fetcher.fetch(url)


def test_an_image_the_snapshot_names_but_storage_lacks_prints_nothing(
    certificate, caplog
):
    snapshot = {**certificate.snapshot, "seal": "original_images/gone.png"}

    with caplog.at_level("WARNING", logger="certificates.rendering"):
        pdf = rendering.render_snapshot_pdf(
            snapshot, verification_url=certificate.verification_url
        )

    assert len(read(pdf).pages[0].images) == 1
    assert "gone.png" in caplog.text


# --- the admin preview ---------------------------------------------------------------


def test_the_preview_is_the_real_pdf_with_sample_data(certificate_template):
    certificate_template.heading = "培训结业证"
    certificate_template.footer_note = "本证书仅用于测试预览。"

    response = certificate_template.serve_preview(RequestFactory().get("/"), "")

    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    text = flat(text_of(response.content))
    assert rendering.SAMPLE_NAME in text
    assert "测试区网格学校" in text  # the school's name
    assert "培训结业证" in text
    assert "本证书仅用于测试预览。" in text
    assert "样张" in text


def test_an_english_snapshot_prints_english_labels(certificate):
    snapshot = {
        **certificate.snapshot,
        "language": "en",
        "holder_name": "John Smith",
        "heading": "Certificate of Completion",
        "body": "John Smith completed the course.",
    }

    text = text_of(
        rendering.render_snapshot_pdf(
            snapshot, verification_url=certificate.verification_url
        )
    )

    assert "Scan to verify" in " ".join(text.split())
    assert "扫码核验" not in text


@pytest.mark.parametrize("layout", Layout.values)
def test_a_one_day_class_prints_one_date_and_no_period(
    layout, training_class, trainee, grid_school
):
    today = timezone.localdate()
    training_class.starts_on = training_class.ends_on = today
    training_class.save()
    enrollment = completed_enrollment(training_class, trainee)
    template = CertificateTemplateFactory(school=grid_school, layout=layout)
    certificate = issue_to(enrollment, template)

    text = flat(text_of(rendering.render_pdf(certificate)))

    label = snapshots.date_label(today)
    assert f"培训时间：{label}" in text
    assert f"{label}至" not in text


def test_the_printed_study_period_ends_at_the_completion_not_the_class_end(
    enrollment, certificate_template
):
    training_class = enrollment.training_class
    certificate = issue_to(enrollment, certificate_template)
    completed = snapshots.date_label(timezone.localdate(enrollment.completed_at))

    text = flat(text_of(rendering.render_pdf(certificate)))

    assert f"至{completed}" in text
    assert snapshots.date_label(training_class.ends_on) not in text


FONT_FOLDERS = """
import multiprocessing, os, sys, tempfile
import django
django.setup()
from certificates import rendering

temporary, parent_first = sys.argv[1], sys.argv[2] == "parent-first"
tempfile.tempdir = temporary

def folders():
    return [name for name in os.listdir(temporary) if name.startswith("weasyprint-")]

def worker():
    rendering.layout_stylesheet("modern")
    assert folders(), "the worker wrote no fonts"

if parent_first:
    rendering.layout_stylesheet("classic")
child = multiprocessing.get_context("fork").Process(target=worker)
child.start()
child.join()
assert child.exitcode == 0, child.exitcode
print(len(folders()))
"""


@pytest.mark.parametrize(
    ("parent_first", "left_after_the_worker"),
    [("worker-only", "0"), ("parent-first", "1")],
)
def test_a_worker_process_leaves_no_font_folder_behind(
    tmp_path, parent_first, left_after_the_worker
):
    """A django-q2 worker is a multiprocessing child leaving through os._exit: the
    fonts WeasyPrint wrote to /tmp go with it (a recycled worker used to leave
    ~10 MB each time), but never a folder its parent made and still uses; the
    parent's goes when the parent exits."""
    import subprocess
    import sys

    run = subprocess.run(  # noqa: S603
        [sys.executable, "-c", FONT_FOLDERS, str(tmp_path), parent_first],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.split()[-1] == left_after_the_worker
    assert not list(tmp_path.glob("weasyprint-*"))
