import pytest

from courses import services
from courses.models import Enrollment

pytestmark = pytest.mark.django_db


def test_a_trainee_enrols_studies_and_completes(trainee, training_class, lessons):
    enrollment = services.enroll_trainee(training_class, trainee=trainee, actor=trainee)
    assert enrollment.status == Enrollment.Status.ACTIVE
    assert not services.complete_lesson(enrollment, lessons[0], actor=trainee)
    attempt = services.submit_quiz(
        enrollment, lessons[1], answers={"q0": [0], "q1": [0, 2]}, actor=trainee
    )
    assert attempt.score == 100 and attempt.passed
    assert services.complete_lesson(enrollment, lessons[1], actor=trainee)
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.COMPLETED
