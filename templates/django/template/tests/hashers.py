"""A password hasher for the test run: Argon2 still, at a cost fit for hundreds of test users.

Django's documentation advises a cheaper hasher for test runs; this one keeps the algorithm the
service uses (stored hashes still start `argon2$`) and lowers only its work factors.
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class FastArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 1
    memory_cost = 64
    parallelism = 1
