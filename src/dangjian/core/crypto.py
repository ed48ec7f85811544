"""Encryption of sensitive fields at rest, with the national algorithms (国密).

Values are sealed with SM4 in GCM mode (authenticated: a changed ciphertext fails to open) and
stored as text: ``s1.<key id>.<base64 nonce|ciphertext|tag>``. The key id lets old rows open
after a new key is put first in ``FIELD_KEYS`` (rotation). Exact-match lookups (is this ID
number already registered?) use a keyed SM3 HMAC of the normalised value, a "blind index":
equal inputs give equal digests, and the digest says nothing without the key.

Keys come from settings.FIELD_KEYS (environment ``DANGJIAN_FIELD_KEYS``); see
docs/configuration.md.
"""

from __future__ import annotations

import base64
import binascii
import functools
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PREFIX = "s1"
NONCE_BYTES = 12
TAG_BYTES = 16


class DecryptionError(Exception):
    """A stored value could not be opened: wrong or missing key, or the value was altered."""


def _key_id(key: bytes) -> str:
    h = hashes.Hash(hashes.SM3())
    h.update(b"dangjian-field-key-id" + key)
    return h.finalize().hex()[:8]


@functools.cache
def _keyring() -> tuple[tuple[str, bytes], ...]:
    keys = []
    for text in settings.FIELD_KEYS:
        try:
            key = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise ImproperlyConfigured("DANGJIAN_FIELD_KEYS: a key is not valid base64") from None
        if len(key) != 16:
            raise ImproperlyConfigured("DANGJIAN_FIELD_KEYS: each key must be 16 bytes (SM4)")
        keys.append((_key_id(key), key))
    if not keys:
        raise ImproperlyConfigured("DANGJIAN_FIELD_KEYS is empty")
    return tuple(keys)


def reset_keys() -> None:
    """Forget the cached keyring (tests that change settings.FIELD_KEYS call this)."""
    _keyring.cache_clear()
    _digest_key.cache_clear()


def encrypt(text: str) -> str:
    """Seal a value; the empty string stays empty (nothing to hide, and it keeps forms simple)."""
    if not text:
        return ""
    key_id, key = _keyring()[0]
    nonce = os.urandom(NONCE_BYTES)
    enc = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    body = enc.update(text.encode()) + enc.finalize()
    blob = base64.b64encode(nonce + body + enc.tag).decode()
    return f"{PREFIX}.{key_id}.{blob}"


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        prefix, key_id, blob = token.split(".", 2)
        raw = base64.b64decode(blob, validate=True)
    except (ValueError, binascii.Error):
        raise DecryptionError("not a sealed value") from None
    if prefix != PREFIX or len(raw) < NONCE_BYTES + TAG_BYTES:
        raise DecryptionError("not a sealed value")
    key = dict(_keyring()).get(key_id)
    if key is None:
        raise DecryptionError(f"no key with id {key_id}")
    nonce, body, tag = raw[:NONCE_BYTES], raw[NONCE_BYTES:-TAG_BYTES], raw[-TAG_BYTES:]
    dec = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
    try:
        return (dec.update(body) + dec.finalize()).decode()
    except InvalidTag:
        raise DecryptionError("the value was altered or the key is wrong") from None


@functools.cache
def _digest_key() -> bytes:
    # Derived from the oldest key, which rotation keeps in the list, so digests stay stable.
    key = _keyring()[-1][1]
    h = hmac.HMAC(key, hashes.SM3())
    h.update(b"dangjian-blind-index")
    return h.finalize()


def digest(text: str) -> str:
    """Keyed SM3 digest (hex) of an already normalised value; empty for an empty value."""
    if not text:
        return ""
    h = hmac.HMAC(_digest_key(), hashes.SM3())
    h.update(text.encode())
    return h.finalize().hex()


FILE_MAGIC = b"DJS1"


def seal_bytes(data: bytes) -> bytes:
    """Seal a whole file (an uploaded roster): magic, key id, nonce, ciphertext, tag."""
    key_id, key = _keyring()[0]
    nonce = os.urandom(NONCE_BYTES)
    enc = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    body = enc.update(data) + enc.finalize()
    return FILE_MAGIC + key_id.encode() + nonce + body + enc.tag


def open_bytes(blob: bytes) -> bytes:
    if not blob.startswith(FILE_MAGIC) or len(blob) < len(FILE_MAGIC) + 8 + NONCE_BYTES + 16:
        raise DecryptionError("not a sealed file")
    head = len(FILE_MAGIC)
    key_id = blob[head : head + 8].decode(errors="replace")
    key = dict(_keyring()).get(key_id)
    if key is None:
        raise DecryptionError(f"no key with id {key_id}")
    nonce = blob[head + 8 : head + 8 + NONCE_BYTES]
    body, tag = blob[head + 8 + NONCE_BYTES : -TAG_BYTES], blob[-TAG_BYTES:]
    dec = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
    try:
        return dec.update(body) + dec.finalize()
    except InvalidTag:
        raise DecryptionError("the file was altered or the key is wrong") from None


def current_key_id() -> str:
    """The id of the key new values are sealed with (the first in FIELD_KEYS)."""
    return _keyring()[0][0]


def key_id_of(token: str) -> str:
    """The id of the key a sealed value was sealed with ("" for an empty value)."""
    parts = (token or "").split(".", 2)
    return parts[1] if len(parts) == 3 else ""


def file_key_id_of(blob: bytes) -> str:
    head = len(FILE_MAGIC)
    return blob[head : head + 8].decode(errors="replace")
