"""Fixtures for certificates: a second trainee who completed the class. The learning
and certificate fixtures the school's tests use too are in tests/conftest.py."""

import pytest

from tests.certificates.factories import completed_enrollment


@pytest.fixture
def other_enrollment(training_class, other_trainee):
    return completed_enrollment(training_class, other_trainee)
