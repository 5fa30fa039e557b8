"""Fixtures for certificates: the learning fixtures, a school template, a trainee who
completed the class, and that trainee's certificate (issued, not yet rendered)."""

import pytest

from certificates import services
from tests.certificates.factories import (
    CertificateTemplateFactory,
    completed_enrollment,
)
from tests.courses.conftest import course, course_index, lessons, training_class  # noqa: F401


@pytest.fixture
def certificate_template(grid_school):
    return CertificateTemplateFactory(school=grid_school, name="网格学校结业证书")


@pytest.fixture
def enrollment(training_class, trainee):  # noqa: F811
    return completed_enrollment(training_class, trainee)


@pytest.fixture
def other_enrollment(training_class, other_trainee):  # noqa: F811
    return completed_enrollment(training_class, other_trainee)


@pytest.fixture
def certificate(enrollment, certificate_template):
    return services.issue_certificate(
        enrollment, template=certificate_template, deliver=False
    )
