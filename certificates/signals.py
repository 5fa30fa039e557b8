"""What the certificates app tells the apps above it. Receivers live in those apps."""

from django.dispatch import Signal

# Sent after the transaction that issued a certificate commits.
# Arguments: certificate_id (int).
certificate_issued = Signal()

# Sent after the transaction that revoked a certificate commits.
# Arguments: certificate_id (int).
certificate_revoked = Signal()
