"""How fast certificate PDFs render, alone and in bulk through a real django-q2
cluster, and how much memory the workers hold.

- cert_latin_ms / cert_cjk_ms: warm medians of the same classic layout with a
  Latin-only snapshot (English name, course, school and labels) and with the real
  Chinese template and a Chinese name; cert_cjk_over_latin is their ratio.
  cert_cjk_rare_ms is the Chinese one with rare characters in the name (喆, 堃),
  which the compact font lacks, so the full Noto face is subset as well.
- cert_name_plain_ms: the warm median of the Chinese certificate for 陈志强;
  cert_name_long_over_plain: a 10,000-character name (cut to fit by the renderer)
  against it; cert_name_hostile_over_plain: the slowest of a markup, an Arabic, a
  Hebrew and an emoji name against it. The test suite checks what these print;
  here is how long they take (a render must stay far inside the task timeout).
- weasyprint_plain_cjk_ms: the same Chinese certificate (the project's HTML and
  layout stylesheet, the same images inlined as data: URIs) through plain
  WeasyPrint with the system Noto CJK font and nothing kept between renders: a
  fresh HTML, a freshly parsed stylesheet and a new default font configuration
  each time, the PDF embedding subset fonts like the project's;
  cert_cjk_over_plain: the project's render of that certificate (the calls taking
  turns, warm medians) against it. Aim: at most 0.5.
- cert_first_render_ms: the first render in a fresh Python process, after Django
  has started: importing the renderer (WeasyPrint) and rendering, which loads the
  fonts and layouts on the way (the worker does this at start-up instead).
- cert_bulk_1000_s: 1,000 certificates issued and rendered by `start_bulk_issue`
  through `manage.py qcluster` with 2 workers (ORM broker, or Redis when set),
  timed from the call to the batch's end, the workers having started and warmed.
- cert_bulk_efficiency: bulk throughput over twice the single-render throughput
  measured in the same test; cert_worker_peak_rss_mb: the largest resident set of
  any cluster process during the bulk run (VmHWM and VmRSS sampled from /proc).
  The machine may be shared: cert_bulk_other_load_cores is the CPU other processes
  took meanwhile, and cert_bulk_cpu_efficiency the efficiency counted on the
  workers' CPU time instead of the wall clock (the single render counted in CPU
  time too, cert_bulk_single_render_cpu_ms). Aim: cert_bulk_efficiency at least
  0.75.

A figure that misses its aim is a warning naming the figures (the machine may be
shared and loaded); BENCH_STRICT=1 makes it a failure.
"""

import json
import os
import statistics
import subprocess
import sys
import threading
import time
import warnings
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from django.core.files.images import ImageFile
from django.core.files.storage import default_storage, storages
from django.db import connection
from django.utils import timezone

import pytest
import wagtail_factories
from PIL import Image, ImageDraw
from pypdf import PdfReader

from certificates import rendering, services
from certificates.models import Certificate, CertificateBatch, Layout
from courses.models import Enrollment, TrainingClass
from school import roles
from school.models import User
from tests.bench.conftest import medians_ms
from tests.certificates.factories import (
    CertificateTemplateFactory,
    completed_enrollment,
)
from tests.courses.factories import CourseIndexPageFactory, CoursePageFactory
from tests.factories import UserFactory

REPOSITORY = Path(__file__).resolve().parents[2]
RUNS, WARMUP = 40, 8
BULK = 1_000
WORKERS = 2
BULK_TIMEOUT_S = 900
SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕"
)
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚华建国红梅志海燕晓东玉"
RARE = "喆堃犇淼垚鑫"


def chinese_name(index: int) -> str:
    """A plausible name; one in twenty has a rare character."""
    surname = SURNAMES[index % len(SURNAMES)]
    given = GIVEN[(index * 7) % len(GIVEN)] + GIVEN[(index * 13) % len(GIVEN)]
    if index % 20 == 19:
        given = given[0] + RARE[index % len(RARE)]
    return surname + given[: 1 + index % 2 + (index % 3 == 0)]


def seal_image(title: str, size: int):
    """A red round seal with a star, on a transparent background (PNG)."""
    picture = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(picture)
    draw.ellipse(
        (6, 6, size - 6, size - 6), outline=(200, 20, 20, 255), width=size // 22
    )
    centre, radius = size / 2, size / 6
    draw.regular_polygon((centre, centre, radius), 5, fill=(200, 20, 20, 255))
    from io import BytesIO

    buffer = BytesIO()
    picture.save(buffer, "PNG")
    return wagtail_factories.ImageFactory(
        title=title, file=ImageFile(buffer, name=f"bench-seal-{title}.png")
    )


def chinese_template(school):
    """The school's real classic template: default texts, a school seal and two
    signatories, one with a seal."""
    school.seal_image = seal_image("school", 480)
    school.save()
    return CertificateTemplateFactory(
        school=school,
        name="结业证书",
        layout=Layout.CLASSIC,
        footer_note="本证书可扫描二维码核验真伪。",
        validity_months=36,
        signatories=[
            {
                "type": "signatory",
                "value": {
                    "name": "王建国",
                    "title": "校长",
                    "seal": seal_image("principal", 240).pk,
                },
            },
            {"type": "signatory", "value": {"name": "李红梅", "title": "教务处主任"}},
        ],
    )


def course_and_class(school, *, capacity: int) -> TrainingClass:
    index = CourseIndexPageFactory(parent=school, title="课程", slug="courses")
    course = CoursePageFactory(
        parent=index,
        title="社区网格化管理与服务实务",
        slug="grid-practice",
        study_hours=Decimal(32),
    )
    now, today = timezone.now(), timezone.localdate()
    return TrainingClass.objects.create(
        course=course,
        number=3,
        capacity=capacity,
        enrol_opens_at=now - timedelta(days=30),
        enrol_closes_at=now - timedelta(days=20),
        starts_on=today - timedelta(days=10),
        ends_on=today - timedelta(days=5),
    )


def latin_snapshot(snapshot: dict) -> dict:
    """The same certificate for an English holder, printed in English."""
    return {
        **snapshot,
        "language": "en",
        "holder_name": "John Smith",
        "course_title": "Community Grid Management in Practice",
        "tier_label": "Basic",
        "class_label": "Class 3",
        "class_level_label": "District",
        "starts_on_label": "1 March 2026",
        "ends_on_label": "5 March 2026",
        "school_name": "Riverside Grid School",
        "issued_on_label": "6 March 2026",
        "valid_until_label": "6 March 2029",
        "heading": "Certificate of Completion",
        "footer_note": "Scan the QR code to verify this certificate.",
        "body": (
            "John Smith attended Community Grid Management in Practice, class 3, "
            "at Riverside Grid School from 1 March 2026 to 5 March 2026, "
            "completed 32 study hours and passed the assessment."
        ),
        "signatories": [
            {
                **snapshot["signatories"][0],
                "name": "Jianguo Wang",
                "title": "Principal",
            },
            {**snapshot["signatories"][1], "name": "Hongmei Li", "title": "Dean"},
        ],
    }


def _fonts_and_text(pdf: bytes) -> tuple[set[str], str]:
    from io import BytesIO

    page = PdfReader(BytesIO(pdf)).pages[0]
    fonts = {
        str(f.get_object()["/BaseFont"]) for f in page["/Resources"]["/Font"].values()
    }
    return fonts, page.extract_text()


def _has_cjk(text: str) -> bool:
    return any("\u2e80" <= c <= "\u9fff" or "\uff00" <= c <= "\uffef" for c in text)


@pytest.fixture
def cleanup_files():
    """Remove the files the bench wrote (the database is emptied by pytest)."""
    yield
    for name in Certificate.objects.exclude(pdf="").values_list("pdf", flat=True):
        storages["private"].delete(name)
    for folder in ("original_images", "images"):
        if default_storage.exists(folder):
            for name in default_storage.listdir(folder)[1]:
                if name.startswith("bench-seal-"):
                    default_storage.delete(f"{folder}/{name}")


# --- single renders ----------------------------------------------------------------


@pytest.mark.django_db
def test_chinese_against_latin_certificate(grid_school, record_figures, cleanup_files):
    template = chinese_template(grid_school)
    training_class = course_and_class(grid_school, capacity=10)
    issued = {}
    for name in ("陈志强", "张喆堃"):
        trainee = UserFactory(real_name=name)
        enrollment = completed_enrollment(training_class, trainee)
        issued[name] = services.issue_certificate(
            enrollment, template=template, deliver=False
        )
    cjk, rare = issued["陈志强"], issued["张喆堃"]
    latin = latin_snapshot(cjk.snapshot)
    url = cjk.verification_url

    def render(snapshot):
        return lambda: rendering.render_snapshot_pdf(snapshot, verification_url=url)

    latin_fonts, latin_text = _fonts_and_text(render(latin)())
    cjk_pdf = render(cjk.snapshot)()
    cjk_fonts, cjk_text = _fonts_and_text(cjk_pdf)
    assert not _has_cjk(latin_text) and "John Smith" in latin_text
    assert all("DejaVu" in font for font in latin_fonts)  # no CJK font at all
    assert "陈志强" in cjk_text and cjk.number in cjk_text

    medians = medians_ms(
        {
            "latin": render(latin),
            "cjk": render(cjk.snapshot),
            "rare": render(rare.snapshot),
        },
        runs=RUNS,
        warmup=WARMUP,
    )
    record_figures(
        cert_latin_ms=medians["latin"],
        cert_cjk_ms=medians["cjk"],
        cert_cjk_over_latin=medians["cjk"] / medians["latin"],
        cert_cjk_rare_ms=medians["rare"],
        cert_cjk_pdf_kb=len(cjk_pdf) / 1024,
    )


# --- against plain WeasyPrint --------------------------------------------------------

PLAIN_RUNS, PLAIN_WARMUP = 9, 2
# The aims of issue 16: a Chinese certificate in at most half the time plain
# WeasyPrint takes, and two workers issuing at least 1.5 times as fast as one.
CJK_OVER_PLAIN_AIM = 0.5
BULK_EFFICIENCY_AIM = 0.75
# On a shared, loaded machine these figures wander (the bulk one above all: other
# processes take the workers' cores), so a miss is a warning that names the
# figures; BENCH_STRICT=1 (a quiet machine, a release check) makes it a failure.
STRICT = os.environ.get("BENCH_STRICT") == "1"


def check_aim(reached: bool, message: str) -> None:
    """Fail (BENCH_STRICT=1) or warn, loudly, when a figure misses its aim."""
    if reached:
        return
    if STRICT:
        pytest.fail(message)
    print(f"\nAIM MISSED: {message}")
    warnings.warn(message, stacklevel=2)


def plain_document(snapshot: dict, *, verification_url: str) -> tuple[str, str]:
    """The HTML and CSS the project renders for `snapshot`, for plain WeasyPrint:
    the same markup and layout stylesheet, but the images (seals, QR code) inlined
    as data: URIs (plain WeasyPrint reads those itself) and the font stack without
    the project's compact font, so Chinese text takes the system Noto CJK face."""
    from base64 import b64encode

    from django.template.loader import get_template, render_to_string
    from django.utils import translation

    layout = snapshot.get("layout") or Layout.CLASSIC
    with translation.override(snapshot.get("language", "zh-hans")):
        html = get_template(f"certificates/pdf/{layout}.html").render(
            rendering.pdf_context(
                snapshot, verification_url=verification_url, specimen=False
            )
        )
    css = render_to_string(f"certificates/pdf/{layout}.css", {"compact_font_url": None})
    images = {
        rendering.image_url(name): rendering.image_bytes(name)
        for name in rendering.snapshot_images(snapshot)
    }
    images[rendering.QR_URL] = rendering.qr_png(verification_url)
    for url, data in sorted(images.items(), key=lambda item: -len(item[0])):
        inline = "data:image/png;base64," + b64encode(data).decode()
        html = html.replace(f'"{url}"', f'"{inline}"')
    assert rendering.SCHEME not in html
    return html, css


def plain_weasyprint_pdf(html: str, css: str) -> bytes:
    """What a project without caches does: a fresh document, a freshly parsed
    stylesheet and WeasyPrint's default (new) font configuration every time."""
    import weasyprint

    return weasyprint.HTML(string=html).write_pdf(
        stylesheets=[weasyprint.CSS(string=css)]
    )


def _embedded_fonts(pdf: bytes) -> set[str]:
    """The fonts of page 1 embedded as subsets (ABCDEF+Name)."""
    from io import BytesIO

    page = PdfReader(BytesIO(pdf)).pages[0]
    found = set()
    for font in page["/Resources"]["/Font"].values():
        font = font.get_object()
        for descendant in font.get("/DescendantFonts", [font]):
            descriptor = descendant.get_object().get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor else {}
            if any(
                key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")
            ):
                found.add(str(font["/BaseFont"]))
    return found


@pytest.mark.django_db
def test_chinese_certificate_against_plain_weasyprint(
    grid_school, record_figures, cleanup_files
):
    """The project's render of a Chinese certificate against the same page through
    plain WeasyPrint with the system Noto CJK font, in the same process, the calls
    taking turns; both print the same text with subset fonts embedded."""
    template = chinese_template(grid_school)
    training_class = course_and_class(grid_school, capacity=2)
    enrollment = completed_enrollment(training_class, UserFactory(real_name="陈志强"))
    certificate = services.issue_certificate(
        enrollment, template=template, deliver=False
    )
    snapshot, url = certificate.snapshot, certificate.verification_url
    html, css = plain_document(snapshot, verification_url=url)

    def project():
        return rendering.render_snapshot_pdf(snapshot, verification_url=url)

    def plain():
        return plain_weasyprint_pdf(html, css)

    ours, theirs = project(), plain()
    our_fonts, our_text = _fonts_and_text(ours)
    plain_fonts, plain_text = _fonts_and_text(theirs)
    assert our_text == plain_text
    assert "陈志强" in our_text and certificate.number in our_text
    assert any("Noto-Serif-CJK" in font for font in plain_fonts), plain_fonts
    assert _embedded_fonts(ours) == our_fonts
    assert _embedded_fonts(theirs) == plain_fonts

    medians = medians_ms(
        {"project": project, "plain": plain}, runs=PLAIN_RUNS, warmup=PLAIN_WARMUP
    )
    ratio = medians["project"] / medians["plain"]
    record_figures(
        cert_cjk_plain_pair_ms=medians["project"],
        weasyprint_plain_cjk_ms=medians["plain"],
        cert_cjk_over_plain=ratio,
    )
    check_aim(
        ratio <= CJK_OVER_PLAIN_AIM,
        f"cert_cjk_over_plain is {ratio:.3f} (the project {medians['project']:.0f} ms"
        f" against plain WeasyPrint {medians['plain']:.0f} ms), aim <= "
        f"{CJK_OVER_PLAIN_AIM}",
    )


# The names tests/certificates/test_rendering.py checks the printing of.
HOSTILE_NAMES = {
    "markup": "<img src=file:///etc/passwd>",
    "arabic": "محمد عبد الله",
    "hebrew": "דוד כהן",
    "emoji": "王小明😀👍",
}
LONG_NAME = "长名" * 5000


@pytest.mark.django_db
def test_hostile_and_overlong_names_against_a_plain_one(
    grid_school, record_figures, cleanup_files
):
    template = chinese_template(grid_school)
    training_class = course_and_class(grid_school, capacity=2)
    enrollment = completed_enrollment(training_class, UserFactory(real_name="陈志强"))
    certificate = services.issue_certificate(
        enrollment, template=template, deliver=False
    )
    url = certificate.verification_url

    def render(name):
        snapshot = {
            **certificate.snapshot,
            "holder_name": name,
            "body": certificate.snapshot["body"].replace("陈志强", name),
        }
        return lambda: rendering.render_snapshot_pdf(snapshot, verification_url=url)

    calls = {"plain": render("陈志强"), "long": render(LONG_NAME)}
    calls.update((kind, render(name)) for kind, name in HOSTILE_NAMES.items())
    for call in calls.values():
        assert call().startswith(b"%PDF-")

    medians = medians_ms(calls, runs=RUNS // 2, warmup=WARMUP // 2)
    plain = medians["plain"]
    record_figures(
        cert_name_plain_ms=plain,
        cert_name_long_over_plain=medians["long"] / plain,
        cert_name_hostile_over_plain=max(medians[kind] for kind in HOSTILE_NAMES)
        / plain,
    )


FIRST_RENDER_SCRIPT = """
import json, sys, time
import django
django.setup()
snapshot = json.loads(sys.stdin.read())
started = time.perf_counter()
from certificates.rendering import render_snapshot_pdf
pdf = render_snapshot_pdf(snapshot, verification_url="http://127.0.0.1:8000/verify/x/")
elapsed = (time.perf_counter() - started) * 1000
assert pdf.startswith(b"%PDF-")
print(json.dumps({"ms": elapsed}))
"""


@pytest.mark.django_db
def test_first_render_in_a_fresh_process(grid_school, record_figures, cleanup_files):
    """Django start-up is not timed; importing the renderer and its first PDF are.
    The compact CJK font is already cached on disk, as on a running machine."""
    template = chinese_template(grid_school)
    training_class = course_and_class(grid_school, capacity=2)
    enrollment = completed_enrollment(training_class, UserFactory(real_name="陈志强"))
    certificate = services.issue_certificate(
        enrollment, template=template, deliver=False
    )
    rendering.render_pdf(certificate)  # builds the compact fonts if missing

    runs = []
    for _ in range(3):
        result = subprocess.run(
            [sys.executable, "-c", FIRST_RENDER_SCRIPT],
            input=json.dumps(certificate.snapshot),
            capture_output=True,
            text=True,
            cwd=REPOSITORY,
            env={**os.environ, "DJANGO_SETTINGS_MODULE": "school.settings.test"},
            timeout=120,
            check=True,
        )
        runs.append(json.loads(result.stdout.strip().splitlines()[-1])["ms"])
    record_figures(cert_first_render_ms=statistics.median(runs))


# --- bulk through a real cluster ---------------------------------------------------

CLUSTER_SETTINGS = """
from school.settings.test import *  # noqa: F403
from school.settings.test import DATABASES, Q_CLUSTER

DATABASES["default"]["NAME"] = {database!r}
# The workers keep their connection between tasks as in production
# (school.settings.base), not one per task as the test run does.
if DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
    DATABASES["default"].update(CONN_MAX_AGE=60, CONN_HEALTH_CHECKS=True)
Q_CLUSTER = {{**Q_CLUSTER, "sync": False, "workers": {workers}}}
"""


def _descendants(pid: int) -> list[int]:
    children = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found = (task / "children").read_text().split()
        except OSError:
            continue
        for child in map(int, found):
            children += [child, *_descendants(child)]
    return children


def _memory_kb(pid: int) -> dict[str, int]:
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return {}
    fields = (line.split(":", 1) for line in lines)
    return {
        key: int(value.split()[0]) for key, value in fields if key in ("VmRSS", "VmHWM")
    }


def _cpu_ticks(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total


def _machine_busy_ticks() -> int:
    """CPU time the whole machine spent busy (all CPUs), from /proc/stat."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split()[1:9]]
    user, nice, system, idle, iowait, irq, softirq, steal = fields
    return user + nice + system + irq + softirq + steal


class PeakMemory(threading.Thread):
    """Samples the resident set of every process of the cluster."""

    def __init__(self, root: int):
        super().__init__(daemon=True)
        self.root, self.peak_kb, self.stopped = root, 0, threading.Event()

    def sample(self) -> None:
        for pid in _descendants(self.root):
            self.peak_kb = max(self.peak_kb, *_memory_kb(pid).values(), 0)

    def run(self) -> None:
        while not self.stopped.wait(0.2):
            self.sample()


@pytest.fixture
def cluster(tmp_path, monkeypatch):
    """`manage.py qcluster` with 2 workers in a subprocess, on the bench's database;
    this process enqueues to the same broker instead of running tasks itself."""
    from django_q.conf import Conf

    monkeypatch.setattr(Conf, "SYNC", False)
    (tmp_path / "bench_cluster_settings.py").write_text(
        CLUSTER_SETTINGS.format(
            database=str(connection.settings_dict["NAME"]), workers=WORKERS
        )
    )
    log = (tmp_path / "qcluster.log").open("w+")
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "manage.py", "qcluster"],
        cwd=REPOSITORY,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bench_cluster_settings",
            "PYTHONPATH": os.pathsep.join([str(tmp_path), str(REPOSITORY)]),
        },
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_for_warm_workers(process, tmp_path / "qcluster.log")
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _wait_for_warm_workers(process, log_path: Path, timeout: float = 120) -> None:
    """Until the cluster's processes are all up (a sentinel, a monitor, a pusher
    and the workers) and have stayed idle, their warm-up done, for a moment."""
    deadline = time.monotonic() + timeout
    previous = -1
    while True:
        assert process.poll() is None, log_path.read_text()
        assert time.monotonic() < deadline, log_path.read_text()
        processes = _descendants(process.pid)
        ticks = _cpu_ticks(processes)
        if len(processes) >= WORKERS + 3 and 0 <= ticks - previous < 5:
            return
        previous = ticks if len(processes) >= WORKERS + 3 else -1
        time.sleep(0.5)


@pytest.mark.django_db(transaction=True)
def test_bulk_issue_of_1000_certificates_through_two_workers(
    grid_school, record_figures, cleanup_files, cluster
):
    template = chinese_template(grid_school)
    training_class = course_and_class(grid_school, capacity=BULK + 10)
    trainees = User.objects.bulk_create(
        User(phone=f"1380000{index:04d}", real_name=chinese_name(index))
        for index in range(BULK)
    )
    Enrollment.objects.bulk_create(
        Enrollment(
            training_class=training_class,
            trainee=trainee,
            status=Enrollment.Status.COMPLETED,
            completed_at=timezone.now(),
        )
        for trainee in trainees
    )
    admin = UserFactory(real_name="王管理", role=roles.SCHOOL_ADMIN)
    enrollment_ids = list(
        Enrollment.objects.filter(training_class=training_class).values_list(
            "pk", flat=True
        )
    )
    # The single-render baseline, in this process, before the cluster works.
    sample = completed_enrollment(
        course_and_class_sibling(training_class), UserFactory(real_name="陈志强")
    )
    single = services.issue_certificate(sample, template=template, deliver=False)
    single_ms = medians_ms(
        {"render": lambda: rendering.render_pdf(single)}, runs=20, warmup=5
    )["render"]
    # The same render counted in this process's CPU time, which a loaded machine
    # does not inflate: the baseline of cert_bulk_cpu_efficiency.
    cpu_runs = []
    for _ in range(10):
        started_cpu = time.process_time()
        rendering.render_pdf(single)
        cpu_runs.append((time.process_time() - started_cpu) * 1000)
    single_cpu_ms = statistics.median(cpu_runs)

    memory = PeakMemory(cluster.pid)
    memory.start()
    processes = _descendants(cluster.pid)
    ticks_before = {pid: _cpu_ticks([pid]) for pid in processes}
    ours_before, machine_before = _cpu_ticks([os.getpid()]), _machine_busy_ticks()
    started = time.perf_counter()
    batch = services.start_bulk_issue(
        training_class, template=template, enrollment_ids=enrollment_ids, actor=admin
    )
    deadline = time.monotonic() + BULK_TIMEOUT_S
    while True:
        batch.refresh_from_db()
        if batch.status == CertificateBatch.Status.FINISHED:
            break
        assert time.monotonic() < deadline, (batch.done, batch.failed)
        time.sleep(0.25)
    elapsed = time.perf_counter() - started
    ticks = sorted(_cpu_ticks([pid]) - ticks_before[pid] for pid in processes)
    ours = sum(ticks) + _cpu_ticks([os.getpid()]) - ours_before
    others = _machine_busy_ticks() - machine_before - ours
    tick = os.sysconf("SC_CLK_TCK")
    memory.sample()
    memory.stopped.set()
    memory.join()

    assert batch.done == BULK and batch.failed == 0
    assert (
        Certificate.objects.filter(template=template, enrollment_id__in=enrollment_ids)
        .exclude(pdf="")
        .count()
        == BULK
    )
    throughput = BULK / elapsed
    efficiency = throughput / (WORKERS * 1000 / single_ms)
    other_load = max(0, others) / (tick * elapsed)
    cpu_efficiency = single_cpu_ms / (1000 * sum(ticks[-WORKERS:]) / tick / BULK)
    record_figures(
        cert_bulk_1000_s=elapsed,
        cert_bulk_single_render_ms=single_ms,
        cert_bulk_single_render_cpu_ms=single_cpu_ms,
        cert_bulk_efficiency=efficiency,
        cert_worker_peak_rss_mb=memory.peak_kb / 1024,
        # How busy the two busiest processes (the workers) were: 1.0 is all along.
        cert_bulk_worker_busy=sum(ticks[-WORKERS:]) / (tick * elapsed * WORKERS),
        # Cores taken meanwhile by processes outside this bench and its cluster
        # (the machine is shared): above 0 the workers could not have all of it.
        cert_bulk_other_load_cores=other_load,
        # The efficiency had the workers had their cores to themselves: the single
        # render's CPU time against the workers' CPU time per certificate.
        cert_bulk_cpu_efficiency=cpu_efficiency,
    )
    check_aim(
        efficiency >= BULK_EFFICIENCY_AIM,
        f"cert_bulk_efficiency is {efficiency:.3f} with {WORKERS} workers, aim >= "
        f"{BULK_EFFICIENCY_AIM} ({elapsed:.0f} s for {BULK}, single render "
        f"{single_ms:.0f} ms; other processes took {other_load:.2f} cores "
        f"meanwhile; counted on the workers' CPU time: {cpu_efficiency:.3f})",
    )


def course_and_class_sibling(training_class: TrainingClass) -> TrainingClass:
    """Another class of the same course, for the baseline certificate."""
    return TrainingClass.objects.create(
        course=training_class.course,
        number=training_class.number + 1,
        capacity=2,
        enrol_opens_at=training_class.enrol_opens_at,
        enrol_closes_at=training_class.enrol_closes_at,
        starts_on=training_class.starts_on,
        ends_on=training_class.ends_on,
    )
