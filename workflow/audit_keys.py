"""The keys of the audit log: each entry is an HMAC under a key held outside the database.

Whoever can write to the database but does not hold the key cannot make an entry
that verifies. Each entry names its key by an id derived from the key itself, so
keys can be rotated: the current key (``ALUR_AUDIT_KEY``) signs new entries, and
the keys before it (``ALUR_AUDIT_OLD_KEYS``) stay available to verify old ones.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

# Development and tests only: the app refuses it outside them (alur.config).
DEVELOPMENT_AUDIT_KEY = "alur-development-only-audit-key-not-secret-0000"
MIN_LENGTH = 32  # characters of a key: 32 random bytes' worth at the least


def key_id(secret: str) -> str:
    """A short public name of a key, from which the key cannot be learnt."""
    return hashlib.sha256(b"alur-audit-key-id\0" + secret.encode()).hexdigest()[:12]


def new_key() -> str:
    """A fresh key: 48 random bytes, url-safe base64."""
    return secrets.token_urlsafe(48)


def _checked(secret, name: str) -> str:
    if not isinstance(secret, str) or len(secret.strip()) < MIN_LENGTH:
        raise ValueError(
            f"{name} must be a secret of at least {MIN_LENGTH} characters (make one with: "
            'python -c "import secrets; print(secrets.token_urlsafe(48))")'
        )
    return secret.strip()


def parse_old_keys(value) -> list[str]:
    """``ALUR_AUDIT_OLD_KEYS``: a JSON list, or keys separated by commas or spaces."""
    if value in (None, ""):
        return []
    if isinstance(value, str):
        text = value.strip()
        value = json.loads(text) if text.startswith("[") else text.replace(",", " ").split()
    return [_checked(v, "each of ALUR_AUDIT_OLD_KEYS") for v in value]


@dataclass(frozen=True)
class KeyRing:
    """The current key, and every key an entry may have been made with."""

    current_id: str
    secrets_by_id: dict[str, bytes] = field(repr=False)

    def secret(self, kid: str | None) -> bytes | None:
        return self.secrets_by_id.get(kid) if kid else None

    def signing_key(self, kid: str | None = None) -> Ed25519PrivateKey | None:
        """The Ed25519 key checkpoints are signed with, derived from the audit key ``kid``
        names (the current one by default): whoever verifies needs only its public half."""
        secret = self.secret(kid or self.current_id)
        if secret is None:
            return None
        seed = HKDF(hashes.SHA256(), 32, salt=None, info=b"alur-audit-checkpoint-signing").derive(
            secret
        )
        return Ed25519PrivateKey.from_private_bytes(seed)

    def public_key(self, kid: str | None = None) -> str | None:
        """The hex of the checkpoint-signing public key of ``kid`` (the current one by default)."""
        key = self.signing_key(kid)
        return None if key is None else public_hex(key.public_key())


def public_hex(key: Ed25519PublicKey) -> str:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()


def verify_signature(public_key_hex: str, signature_hex: str, message: bytes) -> bool:
    """Whether ``signature_hex`` is the Ed25519 signature of ``message`` under the public key."""
    try:
        key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key_hex))
        key.verify(bytes.fromhex(signature_hex), message)
    except (InvalidSignature, ValueError):
        return False
    return True


def ring(current: str, old=()) -> KeyRing:
    """The key ring of ``current`` (signs) and ``old`` (verify only); ValueError if malformed."""
    current = _checked(current, "ALUR_AUDIT_KEY")
    keys = {key_id(k): k.encode() for k in [*parse_old_keys(old), current]}
    return KeyRing(key_id(current), keys)


_RING = ring(DEVELOPMENT_AUDIT_KEY)


def use(keyring: KeyRing) -> None:
    """Sign and verify with ``keyring`` from now on (``workflow.settings.configure``)."""
    global _RING
    _RING = keyring


def current() -> KeyRing:
    return _RING
