"""The token vault: AES-256-GCM with a key id and associated data.

Stored form: `v1.<kid>.<base64url(nonce[12] ‖ ciphertext ‖ tag[16])>`.

The associated data binds a ciphertext to its purpose and owner (team, enterprise, region), so a value
copied into another row, or relabelled with another key id, fails to decrypt. Keys come from
HILAL_ENCRYPTION_KEYS (`kid:base64key,…`): the first encrypts, all decrypt. Failures raise
`VaultError` naming the row, never the plaintext, the key or the ciphertext.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

__all__ = ["SecretContext", "TokenCipher", "VaultError", "generate_key_line"]

_VERSION = "v1"


class VaultError(Exception):
    """A stored secret cannot be decrypted (unknown key id, tampered, or moved to another row)."""


@dataclass(frozen=True)
class SecretContext:
    """What a secret belongs to; becomes the AEAD associated data."""

    purpose: str
    team_id: str
    region: str = ""
    enterprise_id: str = ""
    row: str = ""  # human label for errors, e.g. "connection 12"; not part of the AAD

    def aad(self, kid: str) -> bytes:
        payload = {
            "p": self.purpose,
            "v": 1,
            "kid": kid,
            "team": self.team_id,
            "ent": self.enterprise_id,
            "region": self.region,
        }
        return json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()

    def label(self) -> str:
        return self.row or f"{self.purpose} of team {self.team_id} {self.region}".strip()


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def generate_key_line(kid: str) -> str:
    """A new `kid:base64key` entry for HILAL_ENCRYPTION_KEYS (32 random bytes)."""
    return f"{kid}:{_b64encode(AESGCM.generate_key(bit_length=256))}"


class TokenCipher:
    """Encrypts with the first key, decrypts with whichever key id the value names."""

    def __init__(self, keys: Sequence[tuple[str, bytes]]) -> None:
        if not keys:
            raise ValueError("at least one encryption key is required")
        self._active = keys[0][0]
        self._keys = {kid: AESGCM(key) for kid, key in keys}

    def __repr__(self) -> str:
        return f"TokenCipher(active={self._active!r}, kids={sorted(self._keys)!r})"

    @property
    def active_kid(self) -> str:
        return self._active

    def encrypt(self, plaintext: str, context: SecretContext) -> str:
        nonce = os.urandom(12)
        sealed = self._keys[self._active].encrypt(nonce, plaintext.encode(), context.aad(self._active))
        return f"{_VERSION}.{self._active}.{_b64encode(nonce + sealed)}"

    @staticmethod
    def kid_of(stored: str) -> str | None:
        """The key id a stored value was written with (None when malformed)."""
        parts = stored.split(".")
        return parts[1] if len(parts) == 3 and parts[0] == _VERSION else None

    def decrypt(self, stored: str, context: SecretContext) -> str:
        """Raises `VaultError` naming `context.row` when the value cannot be trusted."""
        parts = stored.split(".")
        if len(parts) != 3 or parts[0] != _VERSION:
            raise VaultError(f"{context.label()}: stored secret is not in the v1 format")
        kid = parts[1]
        aead = self._keys.get(kid)
        if aead is None:
            raise VaultError(
                f"{context.label()}: encrypted with key id {kid!r}, which is not in HILAL_ENCRYPTION_KEYS"
            )
        try:
            blob = _b64decode(parts[2])
            plaintext = aead.decrypt(blob[:12], blob[12:], context.aad(kid))
        except (InvalidTag, binascii.Error, ValueError):
            raise VaultError(
                f"{context.label()}: stored secret failed authentication "
                "(tampered, or copied from another row)"
            ) from None
        return plaintext.decode()

    def needs_rotation(self, stored: str) -> bool:
        return self.kid_of(stored) != self._active
