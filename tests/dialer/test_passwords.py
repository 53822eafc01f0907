"""Stored secrets: argon2id hashes only, and a given hash is read (not computed) before it is
stored, so a centre file of many agents' ``pin_hash`` loads at once."""

from __future__ import annotations

import pytest

from dialer.errors import DialerError
from dialer.passwords import check_hash, hash_secret, verify_secret

GOOD = hash_secret("2468")
PARAMETERS, SALT, DIGEST = GOOD.split("$")[3:]


def test_a_hash_of_this_program_is_taken_as_it_is() -> None:
    assert check_hash(GOOD) == GOOD
    assert verify_secret(check_hash(GOOD), "2468")


@pytest.mark.parametrize("given", [
    "2468",
    "$argon2i$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo",
    "$argon2id$broken",
    f"$argon2id$v=19${PARAMETERS}${SALT}",
    f"$argon2id$v=16${PARAMETERS}${SALT}${DIGEST}",
    f"$argon2id$v=19$m=65536,t=3${SALT}${DIGEST}",
    f"$argon2id$v=19$m=65536,t=three,p=4${SALT}${DIGEST}",
    f"$argon2id$v=19${PARAMETERS}$not*base64${DIGEST}",
    f"$argon2id$v=19${PARAMETERS}${SALT}${DIGEST[:-3]}!!!",
    f"$argon2id$v=19${PARAMETERS}$c2FsdA${DIGEST}",                 # a 4-byte salt
    f"$argon2id$v=19$m=16777216,t=3,p=4${SALT}${DIGEST}",            # 16 GiB per sign-in
    f"$argon2id$v=19$m=65536,t=1000,p=4${SALT}${DIGEST}",
    f"$argon2id$v=19$m=16,t=3,p=4${SALT}${DIGEST}",                  # below 8 KiB per lane
    "$argon2id$" + "v=19$" * 60,
])
def test_a_hash_that_cannot_be_verified_is_refused(given: str) -> None:
    with pytest.raises(DialerError) as refused:
        check_hash(given)
    assert refused.value.code == "password_hash"
