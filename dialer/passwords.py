"""Passwords and PINs, hashed with argon2id (argon2-cffi); never stored or logged in clear.

A centre file may give a secret in clear (a sample, a first PIN) or already hashed
(``$argon2id$...``, from :func:`hash_secret`): either way only a hash is stored.
"""

from __future__ import annotations

import re

from argon2 import PasswordHasher
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

    :raises DialerError: ``password_hash``.
    """
    if not value.startswith(ARGON2_PREFIX) or len(value) > MAX_SECRET:
        raise DialerError("password_hash", "expected an argon2id hash ($argon2id$...), as "
                                           "`survey-engine users hash` prints")
    try:
        _HASHER.verify(value, "")
    except VerifyMismatchError:
        return value
    except (InvalidHashError, VerificationError):
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
