"""The password hasher: Argon2id with parameters sized for a small server.

Django's own Argon2 hasher uses 100 MiB of memory and 8 lanes per hash, which on a
two-core machine costs about as much time as PBKDF2 with a million iterations
(0.2 s a login, seconds when logins queue up). The OWASP password storage
recommendation lists Argon2id with 19 MiB, 2 passes and 1 lane as a
configuration of the same strength as PBKDF2-HMAC-SHA256 at 600,000 iterations
(and, being memory-hard, far costlier to guess on graphics cards): about 20 ms
here. Hashes made with other parameters are re-made with these at the next login.
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idPasswordHasher(Argon2PasswordHasher):
    """Argon2id, 19 MiB, 2 passes, 1 lane (the same "argon2" algorithm name, so
    existing Argon2 hashes verify with it)."""

    memory_cost = 19_456  # KiB
    time_cost = 2
    parallelism = 1
