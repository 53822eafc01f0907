"""Passwords and PINs, hashed with argon2id (argon2-cffi); never stored or logged in clear.

A centre file may give a secret in clear (a sample, a first PIN) or already hashed
(``$argon2id$...``, from :func:`hash_secret`): either way only a hash is stored.
"""

from __future__ import annotations

import binascii
import re

from argon2 import PasswordHasher, Type, extract_parameters
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from dialer.errors import DialerError

_HASHER = PasswordHasher()
#: A hash made with made-up input, checked when an account does not exist, so that an unknown
#: login takes as long to refuse as a wrong password.
_DUMMY = _HASHER.hash("no such account")
PIN = re.compile(r"[0-9]{4,12}")
MIN_PASSWORD = 10
MAX_SECRET = 200
ARGON2_PREFIX = "$argon2id$"
#: What a stored hash may be (libargon2's own limits, and no hash that would make every
#: sign-in take more than a gibibyte or many seconds).
ARGON2_VERSION = 19
MIN_SALT = 8
MIN_DIGEST = 4
MAX_TIME_COST = 20
MAX_PARALLELISM = 64
MAX_MEMORY_KIB = 1024 * 1024


def hash_secret(secret: str) -> str:
    """The argon2id hash of a password or PIN."""
    return _HASHER.hash(secret)


def check_pin(pin: str) -> str:
    """``pin`` if it is 4 to 12 digits. :raises DialerError: ``pin``."""
    if not PIN.fullmatch(pin):
        raise DialerError("pin", "a PIN is 4 to 12 digits")
    return pin


def check_password(password: str) -> str:
    """``password`` if it is long enough. :raises DialerError: ``password``."""
    if not MIN_PASSWORD <= len(password) <= MAX_SECRET:
        raise DialerError("password", f"a password is {MIN_PASSWORD} to {MAX_SECRET} "
                                      "characters long")
    return password


def check_hash(value: str) -> str:
    """``value`` if it is an argon2id hash this program can verify.

    The hash is read, not computed: its parameters, salt and digest must be what libargon2
    accepts. (Verifying it against a made-up secret took 0.3 s of CPU per hash, so a centre
    file with 200 agents' ``pin_hash`` took two minutes to load; bench/web.py.)

    :raises DialerError: ``password_hash``.
    """
    if not value.startswith(ARGON2_PREFIX) or len(value) > MAX_SECRET:
        raise DialerError("password_hash", "expected an argon2id hash ($argon2id$...), as "
                                           "`survey-engine users hash` prints")
    try:
        parameters = extract_parameters(value)
        salt, digest = (binascii.a2b_base64(part + "=" * (-len(part) % 4), strict_mode=True)
                        for part in value.split("$")[-2:])
    except (InvalidHashError, binascii.Error, ValueError):
        raise DialerError("password_hash", "this argon2id hash cannot be read") from None
    if (parameters.type is not Type.ID or parameters.version != ARGON2_VERSION
            or len(salt) < MIN_SALT or len(digest) < MIN_DIGEST
            or not 1 <= parameters.time_cost <= MAX_TIME_COST
            or not 1 <= parameters.parallelism <= MAX_PARALLELISM
            or not 8 * parameters.parallelism <= parameters.memory_cost <= MAX_MEMORY_KIB):
        raise DialerError("password_hash", "this argon2id hash cannot be read") from None
    return value


def verify_secret(stored_hash: str | None, secret: str) -> bool:
    """Whether ``secret`` matches ``stored_hash``; with no hash (unknown account), False
    after the same work as a real check."""
    try:
        return _HASHER.verify(stored_hash or _DUMMY, secret) and stored_hash is not None
    except (VerifyMismatchError, InvalidHashError, VerificationError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """Whether a stored hash was made with weaker parameters than today's."""
    return _HASHER.check_needs_rehash(stored_hash)
