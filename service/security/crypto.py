"""AES-GCM envelope encryption under the master key, shared by the vault and the document store.

The master key never encrypts data itself. Each use derives its own key-encryption key (HKDF,
with its own label), which wraps random data keys; the data keys encrypt the data. Destroying a
wrapped data key makes everything encrypted under it unreadable (ADR 0005, ADR 0011).

Nothing here logs or raises with keys or plaintext in the message.
"""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MASTER_KEY_BYTES = 32
DATA_KEY_BYTES = 32
NONCE_BYTES = 12
SEAL_FORMAT = b"\x01"
"""Leading byte of every sealed blob, so a later format (or master-key rotation) can be told
apart from this one."""


class SealOpenFailed(ValueError):
    """A sealed blob failed authentication: altered, moved to other associated data, malformed,
    or sealed under another key. Callers re-raise it with what they were opening."""


def derive_subkey(master_key: bytes, info: bytes) -> bytes:
    """A 256-bit key for one use, derived from the master key with HKDF-SHA256.

    Separate `info` labels keep the key wrapping, duplicate-index and token keys independent, so
    exposing one of them reveals nothing about the others or the master key.
    """
    if len(master_key) != MASTER_KEY_BYTES:
        raise ValueError(f"the master key must be exactly {MASTER_KEY_BYTES} bytes")
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(master_key)


def new_data_key() -> bytes:
    """A fresh random 256-bit data key."""
    return AESGCM.generate_key(256)


def seal_bytes(cipher: AESGCM, plaintext: bytes, aad: bytes) -> bytes:
    """`SEAL_FORMAT ‖ nonce ‖ AES-GCM(plaintext, aad)` with a fresh 96-bit nonce."""
    nonce = os.urandom(NONCE_BYTES)
    return SEAL_FORMAT + nonce + cipher.encrypt(nonce, plaintext, aad)


def open_bytes(cipher: AESGCM, sealed: bytes, aad: bytes) -> bytes:
    """The plaintext of a `seal_bytes` blob; raises `SealOpenFailed` when it does not open."""
    head, nonce, body = sealed[:1], sealed[1 : 1 + NONCE_BYTES], sealed[1 + NONCE_BYTES :]
    if head != SEAL_FORMAT:
        raise SealOpenFailed("unknown sealed format")
    try:
        return cipher.decrypt(nonce, body, aad)
    except (InvalidTag, ValueError) as error:
        # ValueError covers a nonce of the wrong length in a truncated blob.
        raise SealOpenFailed("sealed bytes failed authentication") from error


class KeyWrapper:
    """Wraps and unwraps data keys under a key-encryption key derived from the master key.

    `aad` binds a wrapped key to its owner (a subject and purpose, or a document), so a wrapped
    key copied to another row does not unwrap.
    """

    def __init__(self, master_key: bytes, info: bytes) -> None:
        self._kek = AESGCM(derive_subkey(master_key, info))

    def wrap(self, data_key: bytes, aad: bytes) -> bytes:
        """The data key sealed under the key-encryption key."""
        return seal_bytes(self._kek, data_key, aad)

    def unwrap(self, wrapped: bytes, aad: bytes) -> bytes:
        """The data key; raises `SealOpenFailed` for a wrong master key, owner or altered row."""
        data_key = open_bytes(self._kek, wrapped, aad)
        if len(data_key) != DATA_KEY_BYTES:
            raise SealOpenFailed("the unwrapped data key is malformed")
        return data_key
