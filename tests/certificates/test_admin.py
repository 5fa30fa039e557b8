"""The certificate admin through the client, once per role: administrators manage
templates, read certificates, revoke and reinstate them, issue in bulk or by hand
and download a class's ZIP; an instructor gets Wagtail's "no permission" redirect
and a trainee the login page, and neither changes anything."""

import io
import json
import zipfile
from urllib.parse import quote

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from wagtail.test.utils.form_data import nested_form_data, streamfield

import pytest
from pypdf import PdfReader

from certificates import services
from certificates.models import (
    Certificate,
    CertificateBatch,
    CertificateEvent,
    CertificateTemplate,
    Layout,
)
from courses.models import Enrollment, Tier
from tests.certificates.factories import (
    CertificateTemplateFactory,
)
from tests.courses.factories import TrainingClassFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ADMIN_HOME = reverse("wagtailadmin_home")
LOGIN = reverse("wagtailadmin_login")
TEMPLATES = reverse("certificate_templates:list")
CERTIFICATES = reverse("issued_certificates:index")
CLASSES = reverse("certificate_classes:index")
BATCHES = reverse("certificate_batches:index")
Kind = CertificateEvent.Kind


def cert_url(name: str, *args) -> str:
    return reverse(f"issued_certificates:{name}", args=args)


def class_url(name: str, *args) -> str:
    return reverse(f"certificate_classes:{name}", args=args)


def template_url(name: str, *args) -> str:
    return reverse(f"certificate_templates:{name}", args=args)


def listed(response) -> list:
    return list(response.context["object_list"])


def messages_of(response) -> list[str]:
    return [str(message).strip() for message in response.context["messages"]]


def pdf_text(content: bytes) -> str:
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return "".join(text.split())


def certificates_state() -> list[tuple]:
    """Everything the admin's actions could change, as plain values."""
    return [
        *Certificate.objects.order_by("pk").values_list(
            "pk", "number", "status", "revoked_reason", "pdf"
        ),
        *CertificateEvent.objects.order_by("pk").values_list("pk", "kind", "note"),
        *CertificateBatch.objects.order_by("pk").values_list("pk", "status"),
    ]


@pytest.fixture
def admin_client(client, school_admin):
    client.force_login(school_admin)
    return client


@pytest.fixture
def studying(training_class, grid):
    """王五, still studying in the class."""
    trainee = UserFactory(real_name="王五", org_unit=grid)
    enrollment = Enrollment.objects.create(
        training_class=training_class, trainee=trainee, status=Enrollment.Status.ACTIVE
    )
    return enrollment


@pytest.fixture
def other_class(course):
    return TrainingClassFactory(course=course, number=99)


def template_form(school, **overrides) -> dict:
    data = {
        "name": "网格学校专项证书",
        "school": school.pk,
        "tier": Tier.SPECIALIST,
        "is_active": "on",
        "layout": Layout.MODERN,
        "heading": "培训合格证书",
        "body": "{姓名} 完成「{课程}」{学时} 学时。",
        "footer_note": "",
        "background_image": "",
        "signatories": streamfield(
            [("signatory", {"name": "王建国", "title": "校长", "seal": ""})]
        ),
        "validity_months": "24",
    }
    data.update(overrides)
    return nested_form_data(data)


# The menu ------------------------------------------------------------------------


def test_school_admin_sees_the_certificates_menu(admin_client):
    home = admin_client.get(ADMIN_HOME).content.decode()

    for label in ("证书", "证书模板", "按班级签发", "批处理"):
        assert json.dumps(label)[1:-1] in home


def test_instructor_sees_no_certificates_menu(client, instructor):
    client.force_login(instructor)

    home = client.get(ADMIN_HOME).content.decode()

    for label in ("证书模板", "按班级签发", "批处理"):
        assert json.dumps(label)[1:-1] not in home


# Templates ---------------------------------------------------------------------------


def test_template_list_filters_by_school_tier_layout_and_state(
    admin_client, certificate_template, volunteer_academy
):
    academy_template = CertificateTemplateFactory(
        school=volunteer_academy,
        name="学院专项证书",
        tier=Tier.SPECIALIST,
        layout=Layout.MODERN,
        is_active=False,
    )

    assert set(listed(admin_client.get(TEMPLATES))) == {
        certificate_template,
        academy_template,
    }
    assert listed(admin_client.get(TEMPLATES, {"school": volunteer_academy.pk})) == [
        academy_template
    ]
    assert listed(admin_client.get(TEMPLATES, {"tier": Tier.SPECIALIST})) == [
        academy_template
    ]
    assert listed(admin_client.get(TEMPLATES, {"tier": "every"})) == [
        certificate_template
    ]
    assert listed(admin_client.get(TEMPLATES, {"layout": Layout.CLASSIC})) == [
        certificate_template
    ]
    assert listed(admin_client.get(TEMPLATES, {"is_active": "false"})) == [
        academy_template
    ]
    assert listed(admin_client.get(TEMPLATES, {"q": "学院"})) == [academy_template]


def test_school_admin_creates_a_template_with_its_first_revision(
    admin_client, grid_school
):
    response = admin_client.post(template_url("add"), template_form(grid_school))

    assert response.status_code == 302
    template = CertificateTemplate.objects.get(name="网格学校专项证书")
    assert (template.school, template.tier, template.validity_months) == (
        grid_school,
        Tier.SPECIALIST,
        24,
    )
    assert template.signatories[0].value["name"] == "王建国"
    assert template.latest_revision is not None


def test_a_body_with_an_unknown_placeholder_is_refused_in_chinese(
    admin_client, grid_school
):
    response = admin_client.post(
        template_url("add"), template_form(grid_school, body="{姓名} 的{职务}")
    )

    assert response.status_code == 200
    assert response.context["form"].errors["body"] == ["正文中有未知的占位符：{职务}"]
    assert not CertificateTemplate.objects.filter(name="网格学校专项证书").exists()


def test_editing_a_template_adds_a_revision_and_leaves_issued_certificates_alone(
    admin_client, certificate_template, certificate
):
    printed = dict(certificate.snapshot)

    response = admin_client.post(
        template_url("edit", certificate_template.pk),
        template_form(
            certificate_template.school,
            name=certificate_template.name,
            tier="",
            heading="新标题证书",
        ),
    )

    assert response.status_code == 302
    certificate_template.refresh_from_db()
    assert certificate_template.heading == "新标题证书"
    assert certificate_template.revisions.count() == 2
    certificate.refresh_from_db()
    assert certificate.snapshot == printed


def test_the_edit_views_preview_is_the_real_pdf_of_the_unsaved_form(
    admin_client, certificate_template
):
    preview = template_url("preview_on_edit", certificate_template.pk)
    data = template_form(
        certificate_template.school, name=certificate_template.name, tier=""
    )
    data["heading"] = "预览样张证书"

    checked = admin_client.post(preview, data)
    response = admin_client.get(preview, {"in_preview_panel": "true"})

    assert checked.json() == {"is_valid": True, "is_available": True}
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    # Wagtail's preview panel shows it in a same-origin <iframe>.
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    text = pdf_text(response.content)
    assert "预览样张证书" in text
    assert "张喆" in text
    certificate_template.refresh_from_db()
    assert certificate_template.heading == "结业证书"


def test_the_add_views_preview_renders_too(admin_client, grid_school):
    preview = template_url("preview_on_add")

    admin_client.post(preview, template_form(grid_school))
    response = admin_client.get(preview)

    assert response["Content-Type"] == "application/pdf"
    assert "培训合格证书" in pdf_text(response.content)


def test_the_edit_view_offers_the_preview_panel(admin_client, certificate_template):
    response = admin_client.get(template_url("edit", certificate_template.pk))

    assert template_url("preview_on_edit", certificate_template.pk) in (
        response.content.decode()
    )


# Certificates: list and detail --------------------------------------------------------


@pytest.fixture
def certificates(certificate, other_enrollment, certificate_template):
    """张三's and 李四's certificates."""
    other = services.issue_certificate(
        other_enrollment, template=certificate_template, deliver=False
    )
    return certificate, other


def test_certificate_list_searches_by_number_name_and_phone(
    admin_client, certificates, other_trainee
):
    mine, other = certificates

    assert set(listed(admin_client.get(CERTIFICATES))) == {mine, other}
    assert listed(admin_client.get(CERTIFICATES, {"q": other.number})) == [other]
    assert listed(admin_client.get(CERTIFICATES, {"q": "李四"})) == [other]
    assert listed(admin_client.get(CERTIFICATES, {"q": other_trainee.phone})) == [other]


def test_certificate_list_filters_by_status_school_template_class_and_date(
    admin_client, certificates, school_admin, grid_school, certificate_template
):
    mine, other = certificates
    services.revoke_certificate(other, actor=school_admin, reason="信息有误")
    today = timezone.localdate(mine.issued_at).isoformat()

    def filtered(**params):
        return set(listed(admin_client.get(CERTIFICATES, params)))

    assert filtered(standing="revoked") == {other}
    assert filtered(standing="valid") == {mine}
    assert filtered(standing="expired") == set()
    assert filtered(school=grid_school.pk) == {mine, other}
    assert filtered(template=certificate_template.pk) == {mine, other}
    training_class_id = mine.enrollment.training_class_id
    assert filtered(training_class=training_class_id) == {mine, other}
    assert filtered(issued_at_from=today, issued_at_to=today) == {mine, other}
    assert filtered(issued_at_from="2001-01-01", issued_at_to="2001-12-31") == set()


def test_certificate_detail_shows_the_snapshot_and_the_events(
    admin_client, certificate, school_admin
):
    services.revoke_certificate(certificate, actor=school_admin, reason="信息有误")

    response = admin_client.get(cert_url("inspect", certificate.pk))

    page = response.content.decode()
    assert response.status_code == 200
    assert certificate.number in page
    assert certificate.snapshot["course_title"] in page
    assert certificate.snapshot["class_label"] in page
    assert "已撤销" in page
    assert "信息有误" in page
    assert "王管理" in page  # who revoked it
    assert cert_url("reinstate", certificate.pk) in page


def test_an_unknown_certificate_is_a_404(admin_client, certificate):
    assert (
        admin_client.get(cert_url("inspect", certificate.pk + 1000)).status_code == 404
    )
    response = admin_client.post(
        cert_url("revoke", certificate.pk + 1000), {"reason": "x"}
    )
    assert response.status_code == 404


def test_certificates_are_never_added_edited_or_deleted_through_forms(
    client, certificate
):
    root = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(root)
    before = certificates_state()

    for path in (
        cert_url("add"),
        cert_url("edit", certificate.pk),
        cert_url("delete", certificate.pk),
    ):
        assert client.get(path).url == ADMIN_HOME
        assert client.post(path, {"number": "FAKE-1"}).url == ADMIN_HOME

    assert certificates_state() == before
    page = client.get(cert_url("inspect", certificate.pk)).content.decode()
    assert cert_url("edit", certificate.pk) not in page


# Revoke and reinstate -------------------------------------------------------------------


def test_revoking_with_a_reason_revokes_and_records_who_and_why(
    admin_client, certificate, school_admin
):
    response = admin_client.post(
        cert_url("revoke", certificate.pk), {"reason": "  冒名参训  "}, follow=True
    )

    assert messages_of(response) == [f"已撤销证书 {certificate.number}。"]
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.REVOKED
    assert certificate.revoked_reason == "冒名参训"
    event = certificate.events.get(kind=Kind.REVOKED)
    assert (event.actor, event.note) == (school_admin, "冒名参训")


@pytest.mark.parametrize("reason", ["", "   "])
def test_revoking_without_a_reason_says_so_and_changes_nothing(
    admin_client, certificate, reason
):
    before = certificates_state()

    response = admin_client.post(
        cert_url("revoke", certificate.pk), {"reason": reason}, follow=True
    )

    assert messages_of(response) == ["请填写撤销原因。"]
    assert certificates_state() == before


def test_revoking_a_revoked_certificate_says_so(
    admin_client, certificate, school_admin
):
    services.revoke_certificate(certificate, actor=school_admin, reason="信息有误")
    before = certificates_state()

    response = admin_client.post(
        cert_url("revoke", certificate.pk), {"reason": "再撤一次"}, follow=True
    )

    assert messages_of(response) == ["该证书已被撤销。"]
    assert certificates_state() == before


def test_reinstating_needs_a_reason_then_makes_the_certificate_valid_again(
    admin_client, certificate, school_admin
):
    services.revoke_certificate(certificate, actor=school_admin, reason="信息有误")
    before = certificates_state()

    refused = admin_client.post(
        cert_url("reinstate", certificate.pk), {"reason": ""}, follow=True
    )
    assert messages_of(refused) == ["请填写恢复原因。"]
    assert certificates_state() == before

    response = admin_client.post(
        cert_url("reinstate", certificate.pk), {"reason": "核实无误"}, follow=True
    )

    assert messages_of(response) == [f"已恢复证书 {certificate.number}。"]
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.VALID
    assert certificate.events.get(kind=Kind.REINSTATED).note == "核实无误"


def test_reinstating_a_valid_certificate_says_so_and_changes_nothing(
    admin_client, certificate
):
    before = certificates_state()

    response = admin_client.post(
        cert_url("reinstate", certificate.pk), {"reason": "核实无误"}, follow=True
    )

    assert messages_of(response) == ["该证书未被撤销，无需恢复。"]
    assert certificates_state() == before


def test_a_get_never_revokes_or_reinstates(admin_client, certificate):
    before = certificates_state()

    for name in ("revoke", "reinstate"):
        response = admin_client.get(cert_url(name, certificate.pk), {"reason": "x"})
        assert response.status_code == 405

    assert certificates_state() == before


# Bulk issue ------------------------------------------------------------------------------


def test_class_index_lists_classes_with_completed_trainees(
    admin_client, training_class, enrollment, other_class, certificate
):
    response = admin_client.get(CLASSES)

    assert listed(response) == [training_class]
    row = listed(response)[0]
    assert (row.completed, row.certified) == (1, 1)
    assert class_url("issue", training_class.pk) in response.content.decode()


def test_bulk_issue_page_ticks_every_completed_trainee_and_marks_who_has_one(
    admin_client, training_class, certificate, other_enrollment, studying
):
    response = admin_client.get(class_url("issue", training_class.pk))

    rows = {
        row["enrollment"].trainee.real_name: row for row in response.context["rows"]
    }
    assert set(rows) == {"张三", "李四"}  # 王五 is still studying
    assert all(row["checked"] for row in rows.values())
    assert rows["张三"]["number"] == certificate.number
    assert rows["李四"]["number"] is None
    page = response.content.decode()
    assert "已签发" in page
    assert certificate.number in page


def test_bulk_issue_runs_in_the_background_and_the_progress_shows_it_finished(
    admin_client,
    training_class,
    enrollment,
    other_enrollment,
    certificate_template,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            class_url("issue", training_class.pk),
            {
                "template": certificate_template.pk,
                "enrollments": [enrollment.pk, other_enrollment.pk],
            },
        )

    batch = CertificateBatch.objects.get()
    assert response.status_code == 302
    assert response.url == class_url("batch", training_class.pk, batch.pk)
    state = admin_client.get(
        class_url("batch_status", training_class.pk, batch.pk)
    ).json()
    assert state == {
        "status": "finished",
        "status_label": "已完成",
        "done": 2,
        "failed": 0,
        "total": 2,
        "percent": 100,
        "finished": True,
    }
    certificates = Certificate.objects.filter(enrollment__training_class=training_class)
    assert certificates.count() == 2
    assert all(certificate.pdf for certificate in certificates)
    page = admin_client.get(response.url).content.decode()
    assert "已签发 2 张证书，失败 0 张。" in page
    assert f"training_class={training_class.pk}" in page
    assert class_url("archive", training_class.pk) in page
    assert "batch-progress.js" not in page  # finished: nothing left to poll


def test_a_running_batch_polls_its_json_and_refreshes_without_javascript(
    admin_client, training_class, enrollment, certificate_template
):
    # Without capturing on-commit callbacks the queued chunk never runs here.
    admin_client.post(
        class_url("issue", training_class.pk),
        {"template": certificate_template.pk, "enrollments": [enrollment.pk]},
    )
    batch = CertificateBatch.objects.get()

    page = admin_client.get(class_url("batch", training_class.pk, batch.pk))
    state = admin_client.get(class_url("batch_status", training_class.pk, batch.pk))

    html = page.content.decode()
    assert "certificates/batch-progress.js" in html
    assert '<meta http-equiv="refresh"' in html
    assert class_url("batch_status", training_class.pk, batch.pk) in html
    assert state.json()["finished"] is False
    assert (state.json()["done"], state.json()["total"]) == (0, 1)
    assert "no-store" in state["Cache-Control"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("enrollments", [], "请至少选择一名学员。"),
        ("enrollments", ["studying"], "所选学员中有人不在本班或尚未结业。"),
        ("template", "academy", "该证书模板不适用于这门课程。"),
        ("template", "", "请选择证书模板。"),
    ],
)
def test_bad_bulk_issue_input_gets_a_chinese_message_and_starts_nothing(
    admin_client,
    training_class,
    enrollment,
    studying,
    certificate_template,
    volunteer_academy,
    field,
    value,
    message,
):
    academy_template = CertificateTemplateFactory(school=volunteer_academy)
    values = {"studying": studying.pk, "academy": academy_template.pk}
    post = {"template": certificate_template.pk, "enrollments": [enrollment.pk]}
    if isinstance(value, list):
        post[field] = [values[item] for item in value]
    else:
        post[field] = values.get(value, value)

    response = admin_client.post(class_url("issue", training_class.pk), post)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not CertificateBatch.objects.exists()
    assert not Certificate.objects.exists()


def test_a_batch_of_another_class_or_an_unknown_one_is_a_404(
    admin_client, training_class, other_class, enrollment, certificate_template
):
    admin_client.post(
        class_url("issue", training_class.pk),
        {"template": certificate_template.pk, "enrollments": [enrollment.pk]},
    )
    batch = CertificateBatch.objects.get()

    for name in ("batch", "batch_status", "download"):
        assert (
            admin_client.get(class_url(name, other_class.pk, batch.pk)).status_code
            == 404
        )
        assert (
            admin_client.get(
                class_url(name, training_class.pk, batch.pk + 1)
            ).status_code
            == 404
        )
    assert (
        admin_client.get(class_url("issue", other_class.pk + 1000)).status_code == 404
    )


def test_batch_list_is_read_only_and_links_to_the_progress_page(
    admin_client, training_class, enrollment, certificate_template
):
    admin_client.post(
        class_url("issue", training_class.pk),
        {"template": certificate_template.pk, "enrollments": [enrollment.pk]},
    )
    batch = CertificateBatch.objects.get()

    response = admin_client.get(BATCHES)

    assert listed(response) == [batch]
    page = response.content.decode()
    assert class_url("batch", training_class.pk, batch.pk) in page
    assert reverse("certificate_batches:edit", args=[batch.pk]) not in page
    assert admin_client.get(reverse("certificate_batches:add")).url == ADMIN_HOME


# Manual issue -------------------------------------------------------------------------


def test_manual_issue_gives_a_studying_trainee_a_certificate_with_the_reason(
    admin_client, training_class, studying, certificate_template, school_admin
):
    response = admin_client.post(
        class_url("issue_one", training_class.pk),
        {
            "enrollment": studying.pk,
            "template": certificate_template.pk,
            "reason": "补考合格",
        },
    )

    certificate = Certificate.objects.get(enrollment=studying)
    assert response.url == cert_url("inspect", certificate.pk)
    event = certificate.events.get(kind=Kind.ISSUED)
    assert (event.actor, event.note) == (school_admin, "手动签发：补考合格")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("reason", "", "请填写签发原因。"),
        ("reason", "   ", "请填写签发原因。"),
        ("enrollment", "", "请选择学员。"),
        ("enrollment", "other_class", "该学员不在本班，或已退出。"),
        ("template", "inactive", "该证书模板不适用于这门课程。"),
    ],
)
def test_bad_manual_issue_input_gets_a_chinese_message_and_changes_nothing(
    admin_client,
    training_class,
    other_class,
    studying,
    certificate_template,
    grid,
    field,
    value,
    message,
):
    elsewhere = Enrollment.objects.create(
        training_class=other_class,
        trainee=UserFactory(org_unit=grid),
        status=Enrollment.Status.ACTIVE,
    )
    inactive = CertificateTemplateFactory(
        school=certificate_template.school, is_active=False
    )
    values = {"other_class": elsewhere.pk, "inactive": inactive.pk}
    data = {
        "enrollment": studying.pk,
        "template": certificate_template.pk,
        "reason": "补考合格",
        field: values.get(value, value),
    }

    response = admin_client.post(class_url("issue_one", training_class.pk), data)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Certificate.objects.exists()


def test_manual_issue_of_a_certificate_the_trainee_holds_says_so(
    admin_client, training_class, certificate, certificate_template
):
    before = certificates_state()

    response = admin_client.post(
        class_url("issue_one", training_class.pk),
        {
            "enrollment": certificate.enrollment_id,
            "template": certificate_template.pk,
            "reason": "补发",
        },
    )

    assert f"张三 已持有这一模板的证书（{certificate.number}）。" in (
        response.content.decode()
    )
    assert certificates_state() == before


# ZIP ----------------------------------------------------------------------------------


def test_class_zip_is_built_in_the_background_and_downloaded_with_named_pdfs(
    admin_client, training_class, certificates, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(class_url("archive", training_class.pk))

    batch = CertificateBatch.objects.get(kind=CertificateBatch.Kind.ARCHIVE)
    assert response.url == class_url("batch", training_class.pk, batch.pk)
    page = admin_client.get(response.url).content.decode()
    download = class_url("download", training_class.pk, batch.pk)
    assert download in page

    response = admin_client.get(download)

    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert f"filename*=utf-8''{quote(f'{training_class}证书.zip')}" in disposition
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert sorted(archive.namelist()) == sorted(
        f"{c.number}-{c.snapshot['holder_name']}.pdf" for c in certificates
    )
    member = archive.read(f"{certificates[0].number}-张三.pdf")
    assert certificates[0].number in pdf_text(member)


def test_a_class_without_certificates_has_no_zip_to_build(
    admin_client, training_class, enrollment
):
    response = admin_client.post(class_url("archive", training_class.pk), follow=True)

    assert messages_of(response) == ["本班还没有可下载的有效证书。"]
    assert not CertificateBatch.objects.exists()


def test_an_unfinished_or_issuing_batch_has_nothing_to_download(
    admin_client, training_class, certificates
):
    admin_client.post(class_url("archive", training_class.pk))  # queued, not run
    batch = CertificateBatch.objects.get()

    response = admin_client.get(class_url("download", training_class.pk, batch.pk))

    assert response.status_code == 404


# Who may ---------------------------------------------------------------------------------


@pytest.fixture
def batch(training_class, certificates, school_admin):
    return services.start_class_archive(training_class, actor=school_admin)


def every_page(certificate, batch) -> list[str]:
    class_id = batch.training_class_id
    return [
        TEMPLATES,
        template_url("add"),
        template_url("edit", certificate.template_id),
        CERTIFICATES,
        cert_url("inspect", certificate.pk),
        CLASSES,
        BATCHES,
        class_url("issue", class_id),
        class_url("issue_one", class_id),
        class_url("batch", class_id, batch.pk),
        class_url("batch_status", class_id, batch.pk),
        class_url("download", class_id, batch.pk),
    ]


def every_post(certificate, studying) -> list[tuple[str, dict]]:
    class_id = studying.training_class_id
    return [
        (cert_url("revoke", certificate.pk), {"reason": "冒名参训"}),
        (cert_url("reinstate", certificate.pk), {"reason": "核实无误"}),
        (
            class_url("issue", class_id),
            {
                "template": certificate.template_id,
                "enrollments": [certificate.enrollment_id],
            },
        ),
        (
            class_url("issue_one", class_id),
            {
                "enrollment": studying.pk,
                "template": certificate.template_id,
                "reason": "补考合格",
            },
        ),
        (class_url("archive", class_id), {}),
        (template_url("edit", certificate.template_id), {"name": "改名"}),
    ]


def test_an_instructor_is_refused_every_certificate_page_and_changes_nothing(
    client, instructor, certificates, batch, studying, training_class
):
    training_class.instructors.add(instructor)
    client.force_login(instructor)
    certificate = certificates[0]
    before = certificates_state()

    for path in every_page(certificate, batch):
        response = client.get(path)
        assert (response.status_code, response.url) == (302, ADMIN_HOME), path
    for path, data in every_post(certificate, studying):
        response = client.post(path, data)
        assert (response.status_code, response.url) == (302, ADMIN_HOME), path

    assert certificates_state() == before
    assert CertificateTemplate.objects.get().name == "网格学校结业证书"


def test_a_trainee_is_sent_to_the_login_page_and_changes_nothing(
    client, trainee, certificates, batch, studying
):
    client.force_login(trainee)
    certificate = certificates[0]
    before = certificates_state()

    for path in every_page(certificate, batch):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.url.startswith(LOGIN), path
    for path, data in every_post(certificate, studying):
        response = client.post(path, data)
        assert response.url.startswith(LOGIN), path

    assert certificates_state() == before


def test_every_certificate_admin_post_needs_the_csrf_token(
    school_admin, certificates, studying
):
    client = Client(enforce_csrf_checks=True)
    client.force_login(school_admin)
    before = certificates_state()

    for path, data in every_post(certificates[0], studying):
        assert client.post(path, data).status_code == 403, path

    assert certificates_state() == before


# A second template for the same class -----------------------------------------


@pytest.fixture
def second_template(grid_school):
    return CertificateTemplateFactory(school=grid_school, name="网格学校荣誉证书")


def test_issuing_with_a_second_template_warns_who_holds_the_first(
    admin_client, training_class, certificate, other_enrollment, second_template
):
    page = admin_client.get(
        class_url("issue", training_class.pk), {"template": second_template.pk}
    )

    content = page.content.decode()
    assert "本班已有 1 名学员持有《网格学校结业证书》证书" in content
    assert 'name="confirm_second_template"' in content
    same = admin_client.get(
        class_url("issue", training_class.pk), {"template": certificate.template_id}
    )
    assert "confirm_second_template" not in same.content.decode()


def test_a_second_template_is_issued_only_once_confirmed(
    admin_client,
    training_class,
    certificate,
    enrollment,
    other_enrollment,
    second_template,
    django_capture_on_commit_callbacks,
):
    data = {
        "template": second_template.pk,
        "enrollments": [enrollment.pk, other_enrollment.pk],
    }

    refused = admin_client.post(class_url("issue", training_class.pk), data)

    assert refused.status_code == 200
    assert "如确需再签发一种证书，请勾选确认。" in refused.content.decode()
    assert not CertificateBatch.objects.exists()
    assert not Certificate.objects.filter(template=second_template).exists()

    with django_capture_on_commit_callbacks(execute=True):
        confirmed = admin_client.post(
            class_url("issue", training_class.pk),
            {**data, "confirm_second_template": "1"},
        )

    assert confirmed.status_code == 302
    assert Certificate.objects.filter(template=second_template).count() == 2


def test_a_revoked_certificate_of_another_template_does_not_warn(
    admin_client, training_class, certificate, school_admin, second_template
):
    services.revoke_certificate(certificate, actor=school_admin, reason="信息有误")

    page = admin_client.get(
        class_url("issue", training_class.pk), {"template": second_template.pk}
    )

    assert "confirm_second_template" not in page.content.decode()
