"""Public verification: the canonical record from the snapshot, the masked name,
one 404 for every unknown code, revoked and expired shown as such, the lookup by
number and name, and the per-address rate limit. No login anywhere."""

import re
from datetime import date, timedelta

from django.test import Client
from django.utils import timezone

import pytest

from certificates import services
from certificates.models import Certificate, CertificateEvent
from certificates.views import mask_name
from courses.models import CoursePage

pytestmark = pytest.mark.django_db

LOOKUP_URL = "/verify/"


def verify_url(code: str) -> str:
    return f"/verify/{code}/"


def page(response) -> str:
    return response.content.decode()


def state() -> list:
    """Everything a verification request could change, as plain values."""
    return [
        list(
            Certificate.objects.order_by("pk").values_list(
                "pk", "status", "revoked_at", "valid_until", "pdf", "code", "snapshot"
            )
        ),
        list(CertificateEvent.objects.order_by("pk").values_list("pk", "kind")),
    ]


# --- the masking rule ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张三", "张*"),
        ("张三丰", "张*丰"),
        ("欧阳修文", "欧阳**"),
        ("司马相如", "司马**"),
        ("爱新觉罗溥仪", "爱新****"),
        ("李", "*"),
        ("张 三", "张*"),
        ("𠀀喆堃", "𠀀*堃"),
        ("阿依古丽·买买提", "阿***·买**"),
        ("John Smith", "J*** S****"),
        ("Madonna", "M******"),
        ("J. K.", "J****"),
        ("  张三丰 ", "张*丰"),
        ("", ""),
    ],
)
def test_the_public_sees_the_holders_name_partly_masked(name, masked):
    assert mask_name(name) == masked


def test_a_very_long_name_masks_to_at_most_forty_characters():
    assert len(mask_name("王" * 10_000)) <= 40
    assert len(mask_name("Ab " * 5_000)) <= 40


# --- the verification page ----------------------------------------------------------


def test_anyone_sees_the_canonical_record_without_logging_in(client, certificate):
    response = client.get(verify_url(certificate.code))

    assert response.status_code == 200
    content = page(response)
    snapshot = certificate.snapshot
    assert "有效" in content
    assert "张*" in content and "张三" not in content
    for value in (
        snapshot["course_title"],
        snapshot["tier_label"],
        snapshot["class_label"],
        snapshot["study_hours"],
        snapshot["school_name"],
        certificate.number,
        "以本页为准",
    ):
        assert value in content
    issued = date.fromisoformat(snapshot["issued_on"])
    assert f"{issued.year}年{issued.month}月{issued.day}日" in content
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-store" in response["Cache-Control"]


def test_the_page_shows_the_frozen_snapshot_not_later_edits(
    client, certificate, trainee, course
):
    trainee.real_name = "王五"
    trainee.save()
    CoursePage.objects.filter(pk=course.pk).update(title="改过的课程名")

    content = page(client.get(verify_url(certificate.code)))

    assert "张*" in content and "王*" not in content
    assert certificate.snapshot["course_title"] in content
    assert "改过的课程名" not in content


def test_a_certificate_with_a_validity_period_shows_when_it_ends(client, certificate):
    ends = timezone.localdate() + timedelta(days=400)
    Certificate.objects.filter(pk=certificate.pk).update(valid_until=ends)

    content = page(client.get(verify_url(certificate.code)))

    assert "有效" in content
    assert f"{ends.year}年{ends.month}月{ends.day}日" in content


def test_an_expired_certificate_shows_expired_with_the_date(client, certificate):
    Certificate.objects.filter(pk=certificate.pk).update(valid_until=date(2020, 1, 31))

    content = page(client.get(verify_url(certificate.code)))

    assert "已过期" in content
    assert "2020年1月31日" in content
    assert "真实有效" not in content


def test_a_revoked_certificate_shows_revoked_with_the_date_but_not_the_reason(
    client, certificate, school_admin
):
    services.revoke_certificate(certificate, actor=school_admin, reason="冒名顶替参训")
    revoked_on = timezone.localdate(
        Certificate.objects.get(pk=certificate.pk).revoked_at
    )

    content = page(client.get(verify_url(certificate.code)))

    assert "已撤销" in content
    assert f"{revoked_on.year}年{revoked_on.month}月{revoked_on.day}日" in content
    assert "冒名顶替参训" not in content
    assert "真实有效" not in content


def test_a_reinstated_certificate_shows_valid_again(client, certificate, school_admin):
    services.revoke_certificate(certificate, actor=school_admin, reason="误操作")
    services.reinstate_certificate(certificate, actor=school_admin, reason="已核实")

    content = page(client.get(verify_url(certificate.code)))

    assert "真实有效" in content and "已撤销" not in content


def _normalised(response, code: str) -> str:
    """The body with what differs by request alone taken out: the CSRF token and
    the requested path (echoed in the language form's `next`)."""
    content = page(response).replace(code, "CODE")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "TOKEN", content)


def test_every_unknown_code_gives_the_same_404(client, certificate):
    near_miss = certificate.code[:-1] + ("A" if certificate.code[-1] != "A" else "B")
    codes = ["AAAAAAAAAAAAAAAA", near_miss, "x" * 200, "issuers", "%E5%BC%A0"]

    responses = [client.get(verify_url(code)) for code in codes]

    assert {response.status_code for response in responses} == {404}
    bodies = {
        _normalised(response, code)
        for response, code in zip(responses, codes, strict=True)
    }
    assert len(bodies) == 1
    assert "您要找的页面不存在" in bodies.pop()
    assert {response.get("Content-Type") for response in responses} == {
        "text/html; charset=utf-8"
    }


def test_verification_accepts_no_post(client, certificate):
    assert client.post(verify_url(certificate.code)).status_code == 405


# --- lookup by number and name ------------------------------------------------------


def test_the_lookup_form_shows_without_counting_as_a_lookup(client, db, settings):
    settings.CERTIFICATE_VERIFY_RATE_LIMIT = 1
    for query in ({}, {"from": "qr"}, {}):
        response = client.get(LOOKUP_URL, query)
        assert response.status_code == 200
    assert 'name="number"' in page(response)
    assert 'method="post"' in page(response)
    assert 'name="csrfmiddlewaretoken"' in page(response)
    assert 'class="error"' not in page(response)


def test_a_lookup_in_the_query_string_is_not_a_lookup(client, certificate):
    response = client.get(LOOKUP_URL, {"number": certificate.number, "name": "张三"})

    assert response.status_code == 200
    assert "张三" not in page(response)
    assert "certificates:verified_names" not in client.session


def test_the_lookup_form_needs_its_csrf_token(certificate):
    client = Client(enforce_csrf_checks=True)

    response = client.post(LOOKUP_URL, {"number": certificate.number, "name": "张三"})

    assert response.status_code == 403


def test_a_matching_number_and_name_lead_to_the_verification_page(client, certificate):
    response = client.post(LOOKUP_URL, {"number": certificate.number, "name": "张三"})

    assert response.status_code == 302
    assert response["Location"] == verify_url(certificate.code)


def test_the_number_is_matched_in_any_case_and_width_and_the_name_trimmed(
    client, certificate
):
    typed = certificate.number.lower().replace("-", "－")  # full-width hyphens
    response = client.post(LOOKUP_URL, {"number": f" {typed} ", "name": " 张三 "})

    assert response.status_code == 302
    assert response["Location"] == verify_url(certificate.code)


@pytest.mark.parametrize(
    "wrong",
    [
        {"name": "张"},
        {"name": "张三丰"},
        {"number": "WGXX-1999-JC-000001"},
        {"number": "WGXX-1999-JC-000001", "name": "李四"},
    ],
    ids=["part-of-the-name", "another-name", "another-number", "both"],
)
def test_a_miss_says_only_that_nothing_matched(client, certificate, wrong):
    query = {"number": certificate.number, "name": "张三", **wrong}

    response = client.post(LOOKUP_URL, query)

    assert response.status_code == 200
    content = page(response)
    assert "未找到与该证书编号和姓名相符的证书" in content
    assert 'class="error"' not in content  # no field singled out
    assert certificate.code not in content


def test_the_name_of_another_holder_does_not_match(
    client, certificate, other_enrollment, certificate_template
):
    other = services.issue_certificate(
        other_enrollment, template=certificate_template, deliver=False
    )

    response = client.post(LOOKUP_URL, {"number": certificate.number, "name": "李四"})

    assert response.status_code == 200
    assert other.code not in page(response) and certificate.code not in page(response)


def test_a_lookup_missing_a_field_asks_for_it(client, certificate):
    response = client.post(LOOKUP_URL, {"number": certificate.number, "name": ""})

    assert response.status_code == 200
    assert "请填写持证人姓名" in page(response)


def test_no_verification_request_changes_anything(client, certificate, school_admin):
    services.revoke_certificate(certificate, actor=school_admin, reason="测试")
    before = state()

    client.get(verify_url(certificate.code))
    client.get(verify_url("unknown-code"))
    client.get(LOOKUP_URL)
    client.post(LOOKUP_URL, {"number": certificate.number, "name": "张三"})
    client.get(verify_url(certificate.code))
    client.post(LOOKUP_URL, {"number": certificate.number, "name": "李四"})
    client.head(verify_url(certificate.code))

    assert state() == before


# --- after a lookup: the full name, to that visitor only ----------------------------


def looked_up(client, certificate, name="张三") -> str:
    """Look the certificate up by number and name; the verification page's HTML."""
    response = client.post(
        LOOKUP_URL, {"number": certificate.number, "name": name}, follow=True
    )
    assert response.redirect_chain == [(verify_url(certificate.code), 302)]
    return page(response)


def test_after_a_lookup_the_page_shows_the_typed_full_name(client, certificate):
    content = looked_up(client, certificate, name=" 张三 ")

    assert "<dd>张三</dd>" in content
    assert "张*" not in content
    assert "证书编号和姓名查询</a>" not in content  # no second lookup asked for
    assert "与您输入的姓名相符" in content
    assert "<dd>张三</dd>" in page(client.get(verify_url(certificate.code)))


def test_another_visitor_still_sees_the_masked_name(client, certificate):
    looked_up(client, certificate)

    content = page(Client().get(verify_url(certificate.code)))

    assert "<dd>张*</dd>" in content
    assert "<dd>张三</dd>" not in content
    assert "证书编号和姓名查询</a>" in content


def test_the_typed_name_is_shown_only_for_the_certificate_looked_up(
    client, certificate, other_enrollment, certificate_template
):
    other = services.issue_certificate(
        other_enrollment, template=certificate_template, deliver=False
    )
    looked_up(client, certificate)

    content = page(client.get(verify_url(other.code)))

    assert "<dd>李*</dd>" in content
    assert "张三" not in content


def test_the_typed_name_is_forgotten_after_its_time(client, certificate, settings):
    settings.CERTIFICATE_VERIFIED_NAME_SECONDS = 0
    looked_up(client, certificate)

    content = page(client.get(verify_url(certificate.code)))

    assert "<dd>张*</dd>" in content
    assert not client.session.get("certificates:verified_names")


def test_the_name_appears_in_no_url(client, certificate):
    response = client.post(
        LOOKUP_URL, {"number": certificate.number, "name": "张三"}, follow=True
    )

    urls = [url for url, _status in response.redirect_chain]
    urls.append(response.request["PATH_INFO"] + response.request["QUERY_STRING"])
    assert "张三" in page(response)
    assert not [url for url in urls if "张三" in url or "%E5%BC%A0" in url.upper()]


def test_a_miss_shows_no_full_name_afterwards(client, certificate):
    client.post(LOOKUP_URL, {"number": certificate.number, "name": "张三丰"})

    content = page(client.get(verify_url(certificate.code)))

    assert "<dd>张*</dd>" in content
    assert "张三丰" not in content


# --- the rate limit -----------------------------------------------------------------


def from_address(address: str, **headers) -> Client:
    return Client(REMOTE_ADDR=address, **headers)


def test_thirty_lookups_a_minute_then_429_for_that_address_only(
    certificate, steady_rate_windows
):
    first, second = from_address("198.51.100.7"), from_address("198.51.100.8")
    statuses = [first.get(verify_url(certificate.code)).status_code for _ in range(30)]

    refused = first.get(verify_url(certificate.code))

    assert statuses == [200] * 30
    assert refused.status_code == 429
    assert "查询过于频繁" in page(refused)
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert certificate.number not in page(refused)
    assert second.get(verify_url(certificate.code)).status_code == 200


def test_unknown_codes_and_lookups_count_against_the_same_limit(
    certificate, settings, steady_rate_windows
):
    settings.CERTIFICATE_VERIFY_RATE_LIMIT = 3
    client = from_address("198.51.100.9")

    client.get(verify_url("guess-one"))
    client.post(LOOKUP_URL, {"number": "WGXX-2026-JC-000999", "name": "张三"})
    client.get(verify_url("guess-two"))

    assert client.get(verify_url(certificate.code)).status_code == 429
    assert client.post(LOOKUP_URL, {"number": "x", "name": "y"}).status_code == 429


def test_a_forged_forwarded_for_header_does_not_escape_the_limit(certificate, settings):
    settings.CERTIFICATE_VERIFY_RATE_LIMIT = 2
    for forged in ("1.1.1.1", "2.2.2.2", "3.3.3.3"):
        response = from_address("198.51.100.10", HTTP_X_FORWARDED_FOR=forged).get(
            verify_url(certificate.code)
        )

    assert response.status_code == 429


def test_behind_a_trusted_proxy_the_address_it_saw_is_limited(certificate, settings):
    settings.CERTIFICATE_VERIFY_RATE_LIMIT = 2
    settings.PROXY_COUNT = 1

    def through_proxy(client_sent: str, proxy_saw: str) -> int:
        proxy = from_address(
            "10.0.0.1", HTTP_X_FORWARDED_FOR=f"{client_sent}, {proxy_saw}"
        )
        return proxy.get(verify_url(certificate.code)).status_code

    statuses = [
        through_proxy(forged, "203.0.113.5")
        for forged in ("1.1.1.1", "2.2.2.2", "3.3.3.3")
    ]

    assert statuses == [200, 200, 429]
    assert through_proxy("1.1.1.1", "203.0.113.6") == 200


def test_ipv6_clients_are_limited_per_64_block(certificate, settings):
    settings.CERTIFICATE_VERIFY_RATE_LIMIT = 2
    for host in ("1", "2", "3"):
        response = from_address(f"2001:db8:1:2::{host}").get(
            verify_url(certificate.code)
        )

    assert response.status_code == 429
    assert (
        from_address("2001:db8:1:3::1").get(verify_url(certificate.code)).status_code
        == 200
    )


# --- the same URL as the Open Badges credential status, and the issuer profile -----


def test_asked_for_json_the_verification_url_answers_with_the_revocation_list(
    client, certificate, school_admin
):
    from certificates.badges import credential_id

    valid = client.get(verify_url(certificate.code), HTTP_ACCEPT="application/json")
    services.revoke_certificate(certificate, actor=school_admin, reason="测试")
    revoked = client.get(verify_url(certificate.code), HTTP_ACCEPT="application/json")

    assert valid.status_code == 200 and valid["Content-Type"].startswith(
        "application/ld+json"
    )
    assert valid.json()["id"] == certificate.verification_url
    assert valid.json()["revokedCredentials"] == []
    assert revoked.json()["revokedCredentials"] == [
        {"id": credential_id(certificate), "revoked": True}
    ]
    assert "Accept" in valid["Vary"]
    assert "张三" not in valid.content.decode()


def test_a_browser_gets_the_page_at_the_same_url(client, certificate):
    response = client.get(
        verify_url(certificate.code),
        HTTP_ACCEPT="text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    )

    assert response["Content-Type"].startswith("text/html")


def test_the_issuer_profile_is_public_json_with_the_schools_keys(
    client, certificate, grid_school
):
    from certificates.badges import credential_for, verify_credential

    signed = credential_for(certificate)  # makes the school's key

    response = client.get(f"/verify/issuers/{grid_school.pk}/")

    assert response.status_code == 200
    profile = response.json()
    assert profile["name"] == "测试区网格学校"
    method = signed["proof"]["verificationMethod"]
    keys = {key["id"]: key for key in profile["verificationMethod"]}
    assert verify_credential(signed, keys[method]["publicKeyMultibase"])
    assert response["Access-Control-Allow-Origin"] == "*"


def test_the_issuer_profile_of_an_unknown_school_is_404(client, db):
    assert client.get("/verify/issuers/999999/").status_code == 404


def test_the_record_shows_the_study_period_and_one_date_for_one_day(
    client, certificate, other_enrollment, certificate_template
):
    content = page(client.get(verify_url(certificate.code)))
    starts = date.fromisoformat(certificate.snapshot["starts_on"])
    ends = date.fromisoformat(certificate.snapshot["ends_on"])
    assert starts < ends  # enrolled before the class started, completed today
    assert re.search(
        rf"{starts.year}年{starts.month}月{starts.day}日\s*–\s*"
        rf"{ends.year}年{ends.month}月{ends.day}日",
        content,
    )

    training_class = other_enrollment.training_class
    training_class.starts_on = training_class.ends_on = timezone.localdate()
    training_class.save()
    one_day = services.issue_certificate(
        other_enrollment, template=certificate_template, deliver=False
    )
    content = page(client.get(verify_url(one_day.code)))
    day = timezone.localdate()
    label = f"{day.year}年{day.month}月{day.day}日"
    assert re.search(rf"<dd>\s*{label}\s*</dd>", content)
