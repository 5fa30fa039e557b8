"""What the courses app tells the apps above it. Receivers live in those apps."""

from django.dispatch import Signal

# Sent after the transaction that completed an enrolment commits.
# Arguments: enrollment_id (int).
enrollment_completed = Signal()
