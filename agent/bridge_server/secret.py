"""The per-user secret that signs bridge tokens: kept in the OS keyring, or, when there is
no usable keyring (no backend, the null or fail backend, a locked or absent D-Bus
service), in a 0600 file under the data folder. ``rotate_secret`` replaces it, which
invalidates every token signed before."""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
from pathlib import Path

from agent import paths

log = logging.getLogger(__name__)

KEYRING_SERVICE = "harken"
KEYRING_USER = "bridge-signing-secret"
SECRET_FILE = "bridge-secret"
SECRET_BYTES = 32  # 256 bits: HS256's full strength


class SecretUnavailable(RuntimeError):
    """Neither the keyring nor the fallback file could hold the secret; says why."""


def secret_file() -> Path:
    """Where the secret lives when there is no usable keyring."""
    return paths.data_dir() / SECRET_FILE


def load_secret() -> str:
    """The current secret, made and stored on first use."""
    keyring = _usable_keyring()
    if keyring is not None:
        try:
            found = keyring.get_password(KEYRING_SERVICE, KEYRING_USER)
            if found:
                return found
            return _store_in_keyring(keyring, _new_secret())
        except Exception as exc:  # locked, D-Bus gone mid-way: the file still works
            log.debug("keyring failed (%s); using the secret file", type(exc).__name__)
    return _read_or_create_file()


def rotate_secret() -> None:
    """Replace the secret: every token issued before stops working."""
    fresh = _new_secret()
    keyring = _usable_keyring()
    if keyring is not None:
        try:
            _store_in_keyring(keyring, fresh)
            # A file left from a time without keyring must not outlive the rotation.
            with contextlib.suppress(FileNotFoundError):
                secret_file().unlink()
            return
        except Exception as exc:
            log.debug("keyring failed (%s); rotating the secret file", type(exc).__name__)
    _write_file(fresh)


def _new_secret() -> str:
    return secrets.token_urlsafe(SECRET_BYTES)


def _usable_keyring():  # type: ignore[no-untyped-def]  (keyring has no public backend type)
    """The keyring backend when it can store anything, else None."""
    try:
        import keyring
        from keyring.backends import fail, null

        backend = keyring.get_keyring()
    except Exception as exc:
        log.debug("no keyring (%s)", type(exc).__name__)
        return None
    if isinstance(backend, (null.Keyring, fail.Keyring)):
        return None
    return keyring


def _store_in_keyring(keyring, value: str) -> str:  # type: ignore[no-untyped-def]
    keyring.set_password(KEYRING_SERVICE, KEYRING_USER, value)
    # Some backends accept a write and keep nothing: only a read-back proves it stuck.
    if keyring.get_password(KEYRING_SERVICE, KEYRING_USER) != value:
        raise SecretUnavailable("the keyring did not keep the bridge secret")
    return value


def _read_or_create_file() -> str:
    path = secret_file()
    try:
        text = path.read_text(encoding="ascii").strip()
        if text:
            _tighten(path)
            return text
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise SecretUnavailable(f"cannot read {path}: {exc}") from None
    except UnicodeDecodeError:
        message = f"{path} is damaged (not a secret Harken wrote): `harken bridge rotate`"
        raise SecretUnavailable(message + " makes a new one") from None
    return _write_file(_new_secret())


def _write_file(value: str) -> str:
    path = secret_file()
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        temp = path.with_name(f".{path.name}.{os.getpid()}")
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
        # Created 0600 from the start: the secret is never readable by others, even briefly.
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as out:
            out.write(value + "\n")
        os.replace(temp, path)
    except OSError as exc:
        raise SecretUnavailable(f"cannot write {path}: {exc}") from None
    return value


def _tighten(path: Path) -> None:
    """A secret file someone loosened is made 0600 again."""
    with contextlib.suppress(OSError):
        if path.stat().st_mode & 0o077:
            os.chmod(path, 0o600)
