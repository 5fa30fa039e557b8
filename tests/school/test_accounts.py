"""Accounts end to end: sign-up, log in and out, lockout, profile, passwords, language."""

import re

from django.conf import settings
from django.contrib.auth.models import Group
from django.core import mail
from django.test import override_settings
from django.urls import reverse

import pytest

from school import encryption, roles, services
from school.models import ActivationCode, Level, User
from school.settings import base as base_settings
from tests.factories import TEST_PASSWORD, UserFactory
from tests.school.factories import PHONES, good_file

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Sturdy-Lantern-77"


def signup_data(unit, **overrides) -> dict:
    data = {
        "phone": "13900139000",
        "real_name": "王五",
        "email": "wangwu@example.com",
        "org_unit": unit.pk,
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        "privacy_consent": "on",
    }
    data.update(overrides)
    return data


def logged_in_user_id(client) -> int | None:
    user_id = client.session.get("_auth_user_id")
    return int(user_id) if user_id is not None else None


def login(client, phone: str, password: str):
    return client.post(
        reverse("accounts:login"), {"username": phone, "password": password}
    )


# Sign-up


def test_signup_creates_a_resident_trainee_and_logs_them_in(client, grid):
    response = client.post(reverse("accounts:signup"), signup_data(grid))

    assert response.status_code == 302
    assert response.url == reverse("courses:dashboard")
    user = User.objects.get(phone="13900139000")
    assert user.real_name == "王五"
    assert user.org_unit == grid
    assert user.level == Level.RESIDENT
    assert list(user.groups.values_list("name", flat=True)) == [roles.TRAINEE]
    assert user.check_password(NEW_PASSWORD)
    assert logged_in_user_id(client) == user.pk
    learning = client.get(response.url)
    assert "注册成功，欢迎加入！" in learning.content.decode()


def test_signup_page_offers_communities_and_grids_only(client, community, grid):
    response = client.get(reverse("accounts:signup"))

    assert response.status_code == 200
    options = response.context["form"].fields["org_unit"].queryset
    assert set(options) == {community, grid}


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"phone": "1234567"}, "phone", "请输入 11 位中国大陆手机号码"),
        ({"phone": "23800138000"}, "phone", "请输入 11 位中国大陆手机号码"),
        ({"real_name": "<img src=x>"}, "real_name", "姓名只能包含文字"),
        ({"real_name": "   "}, "real_name", "请填写姓名。"),
        ({"password2": "Other-Lantern-77"}, "password2", "两次输入的密码不一致。"),
        (
            {"password1": "12345678", "password2": "12345678"},
            "password1",
            "密码只包含数字。",
        ),
        (
            {"password1": "password", "password2": "password"},
            "password1",
            "这个密码太常见了。",
        ),
        ({"email": "not-an-email"}, "email", "输入一个有效的 Email 地址。"),
        ({"org_unit": ""}, "org_unit", "请选择所属社区或网格。"),
        ({"privacy_consent": ""}, "privacy_consent", "请阅读并勾选同意"),
    ],
    ids=[
        "short phone",
        "not a mobile number",
        "markup in name",
        "blank name",
        "mismatched passwords",
        "numeric password",
        "common password",
        "bad email",
        "no community",
        "no privacy consent",
    ],
)
def test_signup_with_bad_input_explains_in_chinese_and_creates_nothing(
    client, grid, overrides, field, message
):
    users_before = User.objects.count()

    response = client.post(reverse("accounts:signup"), signup_data(grid, **overrides))

    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors.get(field, []))
    assert message in errors
    assert message in response.content.decode()
    assert User.objects.count() == users_before
    assert logged_in_user_id(client) is None


def test_signup_never_echoes_markup_unescaped(client, grid):
    response = client.post(
        reverse("accounts:signup"), signup_data(grid, real_name="<img src=x>")
    )

    content = response.content.decode()
    assert "<img src=x>" not in content
    assert "&lt;img src=x&gt;" in content


def test_signup_refuses_a_password_that_resembles_the_phone_number(client, grid):
    response = client.post(
        reverse("accounts:signup"),
        signup_data(grid, password1="13900139000ab", password2="13900139000ab"),
    )

    assert response.status_code == 200
    assert "密码跟 手机号 太相似了。" in response.content.decode()
    assert not User.objects.filter(phone="13900139000").exists()


def test_signup_with_a_taken_phone_is_refused_and_changes_nothing(
    client, trainee, grid
):
    password_before = trainee.password

    response = client.post(
        reverse("accounts:signup"),
        signup_data(grid, phone=trainee.phone, real_name=trainee.real_name),
    )

    assert response.status_code == 200
    assert "该手机号已注册。" in response.content.decode()
    trainee.refresh_from_db()
    assert trainee.password == password_before
    assert User.objects.filter(phone=trainee.phone).count() == 1
    assert logged_in_user_id(client) is None


def test_knowing_an_imported_persons_phone_name_and_unit_does_not_claim_the_account(
    client, grid
):
    # Phone, name and community are public facts: signing up with them used to set
    # the imported account's password. Now only the activation code does.
    imported = UserFactory(phone="13900139000", real_name="王五", org_unit=grid)
    imported.set_unusable_password()
    imported.save()
    imported.groups.add(Group.objects.get(name=roles.TRAINEE))

    response = client.post(reverse("accounts:signup"), signup_data(grid))

    assert response.status_code == 200
    page = response.content.decode()
    assert "该手机号已由学校导入" in page
    assert reverse("accounts:activate") in page
    imported.refresh_from_db()
    assert not imported.has_usable_password()
    assert logged_in_user_id(client) is None


def test_a_logged_in_user_visiting_signup_goes_to_their_learning(client, trainee):
    client.force_login(trainee)

    response = client.get(reverse("accounts:signup"))

    assert response.status_code == 302
    assert response.url == reverse("courses:dashboard")


# Log in, lockout, log out


def test_login_by_phone_goes_to_my_learning(client, trainee):
    response = login(client, trainee.phone, TEST_PASSWORD)

    assert response.status_code == 302
    assert response.url == reverse("courses:dashboard")
    assert logged_in_user_id(client) == trainee.pk


def test_login_accepts_a_phone_typed_with_spaces(client, trainee):
    spaced = f"{trainee.phone[:3]} {trainee.phone[3:7]} {trainee.phone[7:]}"

    response = login(client, spaced, TEST_PASSWORD)

    assert response.status_code == 302
    assert logged_in_user_id(client) == trainee.pk


def test_login_follows_next_within_the_site_only(client, trainee, other_trainee):
    local = client.post(
        reverse("accounts:login"),
        {"username": trainee.phone, "password": TEST_PASSWORD, "next": "/admin/"},
    )
    other_client = client.__class__()
    foreign = other_client.post(
        reverse("accounts:login"),
        {
            "username": other_trainee.phone,
            "password": TEST_PASSWORD,
            "next": "https://evil.example/",
        },
    )

    assert local.url == "/admin/"
    assert foreign.url == reverse("courses:dashboard")


def test_login_with_a_wrong_password_says_so_in_chinese(client, trainee):
    response = login(client, trainee.phone, "wrong-password")

    assert response.status_code == 200
    assert "手机号或密码不正确。请注意密码区分大小写。" in response.content.decode()
    assert logged_in_user_id(client) is None


def test_login_of_a_disabled_account_is_refused(client, trainee):
    trainee.is_active = False
    trainee.save()

    response = login(client, trainee.phone, TEST_PASSWORD)

    assert response.status_code == 200
    assert logged_in_user_id(client) is None


def test_sixth_attempt_after_five_failures_is_locked_out_even_with_the_right_password(
    client, trainee
):
    for _attempt in range(4):
        response = login(client, trainee.phone, "wrong-password")
        assert response.status_code == 200
        assert "手机号或密码不正确" in response.content.decode()
    fifth = login(client, trainee.phone, "wrong-password")
    assert fifth.status_code == 429

    response = login(client, trainee.phone, TEST_PASSWORD)

    assert response.status_code == 429
    content = response.content.decode()
    assert "登录已暂时锁定" in content
    assert "请 15 分钟后再试" in content
    assert logged_in_user_id(client) is None


def test_lockout_of_one_phone_leaves_other_people_able_to_log_in(
    client, trainee, other_trainee
):
    for _attempt in range(5):
        login(client, trainee.phone, "wrong-password")

    response = login(client, other_trainee.phone, TEST_PASSWORD)

    assert response.status_code == 302
    assert logged_in_user_id(client) == other_trainee.pk


def test_a_password_hashed_with_pbkdf2_still_logs_in_and_is_rehashed_with_argon2(
    client, trainee
):
    production_hashers = base_settings.PASSWORD_HASHERS
    with override_settings(PASSWORD_HASHERS=production_hashers[1:]):
        trainee.set_password(NEW_PASSWORD)
        trainee.save(update_fields=["password"])
    assert trainee.password.startswith("pbkdf2_sha256$")

    with override_settings(PASSWORD_HASHERS=production_hashers):
        response = login(client, trainee.phone, NEW_PASSWORD)

        trainee.refresh_from_db()
        assert response.status_code == 302
        assert logged_in_user_id(client) == trainee.pk
        assert trainee.password.startswith("argon2$argon2id$")
        assert trainee.check_password(NEW_PASSWORD)


def test_logout_by_post_logs_out(client, trainee):
    client.force_login(trainee)

    response = client.post(reverse("accounts:logout"))

    assert response.status_code == 302
    assert logged_in_user_id(client) is None


def test_logout_by_get_is_refused_and_keeps_the_session(client, trainee):
    client.force_login(trainee)

    response = client.get(reverse("accounts:logout"))

    assert response.status_code == 405
    assert logged_in_user_id(client) == trainee.pk


# Profile


def test_profile_of_an_anonymous_visitor_redirects_to_login(client):
    response = client.get(reverse("accounts:profile"))

    assert response.status_code == 302
    assert response.url == (
        f"{reverse('accounts:login')}?next={reverse('accounts:profile')}"
    )


def test_profile_shows_the_users_own_data(client, trainee, other_trainee):
    client.force_login(trainee)

    response = client.get(reverse("accounts:profile"))

    assert response.status_code == 200
    content = response.content.decode()
    assert "张三" in content
    assert trainee.masked_phone in content
    assert "测试街道 › 桃园社区 › 第1网格" in content
    assert "居民" in content
    assert "李四" not in content
    assert other_trainee.masked_phone not in content


def test_profile_edit_saves_name_email_and_unit(client, trainee, community):
    client.force_login(trainee)

    response = client.post(
        reverse("accounts:profile"),
        {"real_name": "张 三丰", "email": "zs@example.com", "org_unit": community.pk},
    )

    assert response.status_code == 302
    trainee.refresh_from_db()
    assert trainee.real_name == "张 三丰"
    assert trainee.email == "zs@example.com"
    assert trainee.org_unit == community
    assert "个人资料已保存。" in client.get(response.url).content.decode()


def test_profile_edit_cannot_change_phone_or_level(client, trainee, grid):
    client.force_login(trainee)

    client.post(
        reverse("accounts:profile"),
        {
            "real_name": "张三",
            "org_unit": grid.pk,
            "phone": "13900000000",
            "level": Level.MANAGER,
        },
    )

    trainee.refresh_from_db()
    assert trainee.phone != "13900000000"
    assert trainee.level == Level.RESIDENT


def test_profile_refuses_a_name_with_markup_and_keeps_the_old_one(
    client, trainee, grid
):
    client.force_login(trainee)

    response = client.post(
        reverse("accounts:profile"),
        {"real_name": "<script>alert(1)</script>", "email": "", "org_unit": grid.pk},
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert "姓名只能包含文字、间隔号和空格" in content
    assert "<script>alert(1)</script>" not in content
    trainee.refresh_from_db()
    assert trainee.real_name == "张三"


# Passwords


def test_password_reset_mails_a_chinese_link_that_sets_a_new_password(client, trainee):
    trainee.email = "zhangsan@example.com"
    trainee.save()

    response = client.post(
        reverse("accounts:password_reset"), {"email": "ZhangSan@example.com"}
    )

    assert response.status_code == 302
    assert response.url == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["zhangsan@example.com"]
    assert message.subject == "重置您在网格学校的密码"
    assert "张三，您好" in message.body
    assert "请打开下面的链接设置新密码" in message.body
    link = re.search(
        re.escape(settings.SITE_URL) + r"(/accounts/password/reset/\S+/\S+/)",
        message.body,
    )
    assert link is not None

    form_page = client.get(link.group(1), follow=True)
    assert form_page.status_code == 200
    assert form_page.context["validlink"] is True
    set_password_url = form_page.redirect_chain[-1][0]
    done = client.post(
        set_password_url,
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert done.status_code == 302
    assert done.url == reverse("accounts:password_reset_complete")
    trainee.refresh_from_db()
    assert trainee.check_password(NEW_PASSWORD)
    client.logout()
    assert login(client, trainee.phone, NEW_PASSWORD).status_code == 302


def test_a_used_password_reset_link_no_longer_works(client, trainee):
    trainee.email = "zhangsan@example.com"
    trainee.save()
    client.post(reverse("accounts:password_reset"), {"email": trainee.email})
    path = re.search(
        re.escape(settings.SITE_URL) + r"(\S+)", mail.outbox[0].body
    ).group(1)
    form_page = client.get(path, follow=True)
    client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    again = client.get(path, follow=True)

    assert again.context["validlink"] is False
    assert "重置链接无效或已过期" in again.content.decode()


def test_password_reset_for_an_unknown_email_sends_nothing_but_looks_the_same(
    client, trainee
):
    response = client.post(
        reverse("accounts:password_reset"), {"email": "nobody@example.com"}
    )

    assert response.status_code == 302
    assert response.url == reverse("accounts:password_reset_done")
    assert mail.outbox == []


def test_password_change_keeps_the_user_logged_in(client, trainee):
    client.force_login(trainee)

    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": TEST_PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )

    assert response.status_code == 302
    assert response.url == reverse("accounts:profile")
    trainee.refresh_from_db()
    assert trainee.check_password(NEW_PASSWORD)
    assert client.get(reverse("accounts:profile")).status_code == 200


def test_password_change_with_a_wrong_old_password_changes_nothing(client, trainee):
    client.force_login(trainee)

    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": "wrong-password",
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )

    assert response.status_code == 200
    assert "你的旧密码不正确" in response.content.decode()
    trainee.refresh_from_db()
    assert trainee.check_password(TEST_PASSWORD)


# Language


def test_pages_are_in_chinese_by_default(client):
    response = client.get(reverse("accounts:login"))

    assert '<html lang="zh-hans">' in response.content.decode()


def test_switching_language_by_post_renders_english(client):
    response = client.post(
        reverse("set_language"),
        {"language": "en", "next": reverse("accounts:login")},
        follow=True,
    )

    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("accounts:login")
    assert '<html lang="en">' in response.content.decode()


def test_switching_language_never_redirects_to_another_site(client):
    response = client.post(
        reverse("set_language"), {"language": "en", "next": "https://evil.example/"}
    )

    assert response.status_code == 302
    assert not response.url.startswith("https://evil.example")


def test_the_admin_login_labels_its_fields_in_chinese(client):
    page = client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "手机号" in page
    assert "密码" in page
    assert ">Password<" not in page


def test_the_reset_link_points_at_site_url_whatever_host_the_request_named(
    client, trainee
):
    trainee.email = "zhangsan@example.com"
    trainee.save()

    client.post(
        reverse("accounts:password_reset"),
        {"email": trainee.email},
        HTTP_HOST="evil.example.net",
    )

    assert len(mail.outbox) == 1
    assert "evil.example.net" not in mail.outbox[0].body
    assert settings.SITE_URL + "/accounts/password/reset/" in mail.outbox[0].body


# The 个人信息保护说明, the unit picker, and where people land


def test_signup_records_which_privacy_notice_was_accepted_and_when(client, grid):
    client.post(reverse("accounts:signup"), signup_data(grid))

    user = User.objects.get(phone="13900139000")
    assert user.privacy_consent_version == settings.GRIDSCHOOL_PRIVACY_NOTICE_VERSION
    assert user.privacy_consented_at == user.date_joined


def test_signup_shows_the_privacy_notice_and_its_version(client, grid):
    page = client.get(reverse("accounts:signup")).content.decode()

    assert "我已阅读并同意《个人信息保护说明》" in page
    assert '<details class="privacy-notice">' in page
    assert settings.GRIDSCHOOL_PRIVACY_NOTICE_VERSION in page
    for collected in ("手机号", "姓名", "学习记录", "注销账号"):
        assert collected in page


def test_the_privacy_notice_has_a_public_page_of_its_own(client, db):
    response = client.get(reverse("accounts:privacy"))

    assert response.status_code == 200
    assert "<h1>个人信息保护说明</h1>" in response.content.decode()


def test_activation_needs_the_privacy_consent_and_records_it(client, grid):
    services.import_trainees(good_file(), filename="名单.csv", actor=None)
    row = ActivationCode.objects.live().get(user__phone=PHONES[0])
    data = {
        "phone": PHONES[0],
        "code": encryption.decrypt(row.code_encrypted),
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
    }

    refused = client.post(reverse("accounts:activate"), data)
    accepted = client.post(
        reverse("accounts:activate"), {**data, "privacy_consent": "on"}
    )

    assert "请阅读并勾选同意《个人信息保护说明》。" in refused.content.decode()
    assert accepted.url == reverse("courses:dashboard")
    person = User.objects.get(phone=PHONES[0])
    assert person.privacy_consent_version == settings.GRIDSCHOOL_PRIVACY_NOTICE_VERSION
    assert person.privacy_consented_at is not None


def test_grid_options_name_their_community_under_their_street(client, grid):
    page = client.get(reverse("accounts:signup")).content.decode()
    street, community = grid.get_ancestors()[1:]

    assert f'<optgroup label="{street.name} › {community.name}">' in page
    assert f">{community.name} · {grid.name}</option>" in page
    assert f">{community.name} · 社区本级（不分网格）</option>" in page
    assert f'data-street="{street.name}"' in page


def test_signup_goes_back_to_the_page_that_sent_the_visitor(client, grid):
    form = client.get(reverse("accounts:signup") + "?next=/courses/first-aid/")
    response = client.post(
        reverse("accounts:signup"),
        {**signup_data(grid), "next": "/courses/first-aid/"},
    )

    assert 'name="next" value="/courses/first-aid/"' in form.content.decode()
    assert response.url == "/courses/first-aid/"


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/", "javascript:alert(1)"]
)
def test_signup_never_follows_a_next_to_another_site(client, grid, next_url):
    response = client.post(
        reverse("accounts:signup"), {**signup_data(grid), "next": next_url}
    )

    assert response.url == reverse("courses:dashboard")


def test_the_login_page_says_why_a_visitor_was_sent_there(client, db):
    sent = client.get(reverse("courses:dashboard"), follow=True)
    plain = client.get(reverse("accounts:login"))

    assert "需要先登录" in sent.content.decode()
    assert "需要先登录" not in plain.content.decode()
    signup_link = reverse("accounts:signup") + "?next=/learning/"
    assert signup_link in sent.content.decode()


def test_login_goes_back_to_the_page_that_sent_the_visitor(client, trainee):
    response = client.post(
        reverse("accounts:login") + "?next=/learning/",
        {"username": trainee.phone, "password": TEST_PASSWORD, "next": "/learning/"},
    )

    assert response.url == "/learning/"
