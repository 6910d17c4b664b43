"""The signature Zalo puts on every webhook event, and its check.

    X-ZEvent-Signature: mac=<hex>    hex = SHA-256(app_id + raw body + timestamp + OA secret key)

Plain SHA-256 over the concatenation (not an HMAC), of the body's bytes exactly as they arrived
(re-serialised JSON would differ), with ``timestamp`` as the event states it and the OA Secret
Key of the webhook settings (not the App Secret Key, which is for the token endpoint).
"""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "X-ZEvent-Signature"


def mac(app_id: str, body: bytes, timestamp: str, oa_secret_key: str) -> str:
    digest = hashlib.sha256()
    for part in (app_id.encode(), body, timestamp.encode(), oa_secret_key.encode()):
        digest.update(part)
    return digest.hexdigest()


def signature_header(app_id: str, body: bytes, timestamp: str, oa_secret_key: str) -> str:
    """The header's value as Zalo sends it (the fake OA and the benchmark sign with this)."""
    return f"mac={mac(app_id, body, timestamp, oa_secret_key)}"


def signature_valid(
    header: str | None, app_id: str, body: bytes, timestamp: str, oa_secret_key: str
) -> bool:
    """True only for the mac of this body; compared in constant time (a wrong mac says nothing
    about the right one)."""
    if not header or not oa_secret_key:
        return False
    value = header.strip()
    if value[:4].lower() == "mac=":
        value = value[4:]
    expected = mac(app_id, body, timestamp, oa_secret_key).encode()
    return hmac.compare_digest(expected, value.strip().lower().encode("utf-8", "replace"))
