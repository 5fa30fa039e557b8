"""Secrets at rest: encrypted under GRIDSCHOOL_ENCRYPTION_KEYS (or a key derived
from SECRET_KEY), decrypted under any configured key, rotated to the first one; and
check --deploy warns when production has no key of its own."""

import pytest

from school import encryption


def test_a_secret_round_trips_and_is_not_stored_in_clear(settings):
    settings.GRIDSCHOOL_ENCRYPTION_KEYS = ["first-key"]

    token = encryption.encrypt("秘密 secret")

    assert "secret" not in token
    assert encryption.decrypt(token) == "秘密 secret"


def test_a_new_first_key_still_opens_what_the_old_one_closed_and_rotates_it(settings):
    settings.GRIDSCHOOL_ENCRYPTION_KEYS = ["old-key"]
    token = encryption.encrypt("secret")

    settings.GRIDSCHOOL_ENCRYPTION_KEYS = ["new-key", "old-key"]
    rotated = encryption.rotate(token)
    settings.GRIDSCHOOL_ENCRYPTION_KEYS = ["new-key"]

    assert encryption.decrypt(rotated) == "secret"
    with pytest.raises(encryption.InvalidToken):
        encryption.decrypt(token)


def test_without_keys_the_secret_key_derives_one(settings):
    settings.GRIDSCHOOL_ENCRYPTION_KEYS = []
    token = encryption.encrypt("secret")

    settings.GRIDSCHOOL_ENCRYPTION_KEYS = ["new-key", settings.SECRET_KEY]

    assert encryption.decrypt(token) == "secret"


def test_check_deploy_warns_without_encryption_keys(settings):
    settings.GRIDSCHOOL_ENCRYPTION_KEYS = []
    assert [w.id for w in encryption.encryption_keys_check(None)] == ["school.W001"]

    settings.GRIDSCHOOL_ENCRYPTION_KEYS = ["a-key-of-its-own"]
    assert encryption.encryption_keys_check(None) == []
