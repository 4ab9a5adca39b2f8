"""The API key: from ``ANTHROPIC_API_KEY``, else the OS keyring. Never logged or stored
anywhere else."""

from __future__ import annotations

import contextlib
import logging
import os

log = logging.getLogger(__name__)

KEYRING_SERVICE = "harken"
KEYRING_USER = "anthropic-api-key"


def api_key() -> str | None:
    """The key to use, or None when there is none."""
    key = os.environ.get("ANTHROPIC_API_KEY", "").strip()
    return key or _keyring_key()


def _keyring_key() -> str | None:
    try:
        import keyring
        import keyring.errors

        return keyring.get_password(KEYRING_SERVICE, KEYRING_USER) or None
    except Exception as exc:  # no backend, locked, D-Bus missing: all mean "no key here"
        log.debug("keyring unavailable: %s", type(exc).__name__)
        return None


def store_api_key(key: str) -> None:
    """Save ``key`` in the OS keyring; raises RuntimeError when there is no keyring."""
    import keyring
    import keyring.errors

    try:
        keyring.set_password(KEYRING_SERVICE, KEYRING_USER, key)
    except keyring.errors.KeyringError as exc:
        raise RuntimeError(f"No usable keyring on this system ({type(exc).__name__}).") from None


def delete_api_key() -> None:
    import keyring
    import keyring.errors

    with contextlib.suppress(keyring.errors.PasswordDeleteError):
        keyring.delete_password(KEYRING_SERVICE, KEYRING_USER)
