"""The API key: from ``ANTHROPIC_API_KEY``, else the OS keyring. Never logged or stored
anywhere else.

Anthropic's own API needs a key. An Anthropic-compatible server elsewhere (Ollama's
Messages API, a LiteLLM proxy, a gateway on this machine) often needs none: when the
endpoint (the ``base_url`` setting, else ``ANTHROPIC_BASE_URL``) is not Anthropic's and
no key is set, ``api_key()`` gives ``NO_KEY``, a placeholder such servers ignore (the SDK
insists on sending some key). A server that does want one gets the real key as usual.

    api_key(base_url=None)     the key to send, NO_KEY for a keyless endpoint, or None
    stored_api_key()           the user's own key (environment or keyring), or None
    endpoint(base_url=None)    the endpoint in effect ("" for Anthropic's own)
    needs_key(endpoint)        whether that endpoint is Anthropic's (a key is required)
"""

from __future__ import annotations

import contextlib
import logging
import os
from urllib.parse import urlsplit

log = logging.getLogger(__name__)

KEYRING_SERVICE = "harken"
KEYRING_USER = "anthropic-api-key"
# Sent as x-api-key to an endpoint that is not Anthropic's when the user has no key: it is
# no secret, and a server that checks keys refuses it with a 401 that says so.
NO_KEY = "harken-no-key"
ANTHROPIC_HOSTS = ("anthropic.com",)


def api_key(base_url: str | None = None) -> str | None:
    """The key to use: the user's, else ``NO_KEY`` when the endpoint (``base_url``, or the
    configured one) is not Anthropic's, else None (there is none)."""
    key = stored_api_key()
    if key:
        return key
    where = endpoint(base_url)
    return NO_KEY if where and not needs_key(where) else None


def stored_api_key() -> str | None:
    """The user's own key: ``ANTHROPIC_API_KEY``, else the OS keyring; None when neither."""
    key = os.environ.get("ANTHROPIC_API_KEY", "").strip()
    return key or _keyring_key()


def endpoint(base_url: str | None = None) -> str:
    """The endpoint requests go to: ``base_url`` when given, else the ``base_url`` setting,
    else ``ANTHROPIC_BASE_URL`` (as the SDK reads it); "" means Anthropic's own API."""
    if base_url is None:
        from agent.config import load_config  # reads one small file; only when not told

        base_url = str(load_config().values.get("base_url") or "")
    return (base_url or os.environ.get("ANTHROPIC_BASE_URL", "")).strip()


def needs_key(url: str) -> bool:
    """Whether ``url`` is Anthropic's API (or empty: the SDK's default, which is)."""
    if not url.strip():
        return True
    host = (urlsplit(url if "://" in url else f"http://{url}").hostname or "").lower()
    return any(host == h or host.endswith("." + h) for h in ANTHROPIC_HOSTS)


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
    """Remove the stored key from the OS keyring (nothing happens when none is stored)."""
    import keyring
    import keyring.errors

    with contextlib.suppress(keyring.errors.PasswordDeleteError):
        keyring.delete_password(KEYRING_SERVICE, KEYRING_USER)
