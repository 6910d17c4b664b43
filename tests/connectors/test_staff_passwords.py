"""Password hashes (scrypt, salted, parameters stored) and session token hashes."""

from __future__ import annotations

import base64
import hashlib

import pytest

from connectors.staff.passwords import hash_password, new_token, token_hash, verify_password

PASSWORD = "Mật khẩu cán bộ 2026"


def test_a_hash_records_scheme_parameters_salt_and_key() -> None:
    scheme, n, r, p, salt, key = hash_password(PASSWORD).split("$")

    assert (scheme, n, r, p) == ("scrypt", "16384", "8", "1")
    assert (len(salt), len(key)) == (24, 44)  # 16 and 32 bytes, base64


def test_the_same_password_hashes_differently_each_time() -> None:
    assert hash_password(PASSWORD) != hash_password(PASSWORD)


@pytest.mark.parametrize(
    ("given", "matches"),
    [
        pytest.param(PASSWORD, True, id="same"),
        pytest.param(PASSWORD.lower(), False, id="other-case"),
        pytest.param(PASSWORD + " ", False, id="trailing-space"),
        pytest.param("Mat khau can bo 2026", False, id="without-diacritics"),
        pytest.param("", False, id="empty"),
    ],
)
def test_verify(given: str, matches: bool) -> None:
    assert verify_password(given, hash_password(PASSWORD)) is matches


def test_hashes_made_with_other_parameters_still_verify() -> None:
    """Raising the cost later must not lock existing accounts out."""
    salt = b"0123456789abcdef"
    key = hashlib.scrypt(PASSWORD.encode(), salt=salt, n=2**10, r=8, p=1, dklen=32)
    stored = f"scrypt$1024$8$1${base64.b64encode(salt).decode()}${base64.b64encode(key).decode()}"

    assert verify_password(PASSWORD, stored) is True


@pytest.mark.parametrize(
    "stored",
    [
        pytest.param("", id="empty"),
        pytest.param("plain text password", id="not-a-hash"),
        pytest.param("md5$abc", id="other-scheme"),
        pytest.param("scrypt$16384$8$1$!!!$!!!", id="not-base64"),
        pytest.param("scrypt$abc$8$1$AAAA$AAAA", id="n-not-a-number"),
        pytest.param("scrypt$3$8$1$AAAA$AAAA", id="n-not-a-power-of-two"),
        pytest.param("scrypt$1099511627776$8$1$AAAA$AAAA", id="n-needing-too-much-memory"),
    ],
)
def test_a_malformed_stored_hash_never_matches(stored: str) -> None:
    assert verify_password(PASSWORD, stored) is False


def test_tokens_are_random_and_stored_as_sha256() -> None:
    first, second = new_token(), new_token()

    assert first != second
    assert len(first) >= 43  # 32 random bytes
    assert token_hash(first) == hashlib.sha256(first.encode()).hexdigest()
    assert len(token_hash(first)) == 64
