"""Secrets at rest: webhook signing secrets are kept encrypted (Fernet) in the database.

The key comes from the operator (``ALUR_SECRETS_KEY``, passed in by
``workflow.settings.configure``); whoever reads the database alone learns no
secret. A secret is unsealed only where it is used: to sign or to verify.
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken

# Development and tests only: the app refuses it outside them (alur.config).
DEVELOPMENT_KEY = "YWx1ci1kZXZlbG9wbWVudC1vbmx5LWtleS0zMmJ5dGU="
FERNET_PREFIX = "gAAAAA"  # every Fernet token starts so (version byte 0x80, then a timestamp)

_fernet: Fernet | None = None


def parse_key(key) -> Fernet:
    """A Fernet for ``key`` (32 url-safe base64 bytes); ValueError that says what is wrong."""
    try:
        return Fernet(key)
    except (ValueError, TypeError):
        raise ValueError(
            "ALUR_SECRETS_KEY must be a Fernet key: 32 random bytes in url-safe base64 "
            '(make one with: python -c "from cryptography.fernet import Fernet; '
            'print(Fernet.generate_key().decode())")'
        ) from None


def use_key(key) -> None:
    """Seal and unseal with ``key`` from now on."""
    global _fernet
    _fernet = parse_key(key)


def _current() -> Fernet:
    if _fernet is None:
        raise RuntimeError("no secrets key is configured (workflow.settings.configure)")
    return _fernet


def seal(plain: str) -> str:
    """``plain`` encrypted with the configured key."""
    return _current().encrypt(plain.encode()).decode()


def unseal(token: str) -> str:
    """The plain secret of ``token``; RuntimeError if another key sealed it."""
    try:
        return _current().decrypt(token.encode()).decode()
    except InvalidToken:
        raise RuntimeError(
            "a stored webhook secret does not decrypt with ALUR_SECRETS_KEY: the key is not "
            "the one that encrypted it"
        ) from None
