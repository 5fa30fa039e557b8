"""What the certificates app tells the apps above it. Receivers live in those apps."""

from django.dispatch import Signal

# Sent after the transaction that issued a certificate commits.
# Arguments: certificate_id (int).
certificate_issued = Signal()

# Sent by a bulk issue once per chunk of a class's certificates, after each of them
# committed (certificate_issued is not sent for them one by one).
# Arguments: certificate_ids (list of int).
certificates_issued = Signal()

# Sent after the transaction that revoked a certificate commits.
# Arguments: certificate_id (int).
certificate_revoked = Signal()
