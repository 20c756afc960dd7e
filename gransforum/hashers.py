"""The password hasher for facilitators."""

from django.contrib.auth.hashers import Argon2PasswordHasher as DjangoArgon2


class Argon2PasswordHasher(DjangoArgon2):
    """Argon2id with OWASP's recommended minimum: 19 MiB, 2 passes, 1 lane.

    Django's default asks for 100 MiB per hash, and the benchmark saw a login lift
    its worker from about 100 MiB to 200 MiB, past the 150 MB a worker may use
    (bench/HISTORY.md). Hashes made with other parameters still verify, and are
    made again with these on the next login (must_update).
    """

    algorithm = "argon2"  # the same prefix, so existing hashes stay this hasher's
    memory_cost = 19 * 1024  # KiB
    time_cost = 2
    parallelism = 1
