"""Where the signing secret lives: the OS keyring when it can keep one, else a 0600 file
(the tests' null keyring keeps nothing)."""

from __future__ import annotations

import stat
from collections.abc import Iterator

import keyring
import keyring.backend
import pytest

from agent.bridge_server.secret import (
    KEYRING_SERVICE,
    KEYRING_USER,
    load_secret,
    rotate_secret,
    secret_file,
)


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A keyring that works, at the edge where the OS service would be."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.store.pop((service, username), None)


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    before = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(before)


def test_without_a_keyring_the_secret_is_a_private_file() -> None:
    first = load_secret()
    assert load_secret() == first
    assert stat.S_IMODE(secret_file().stat().st_mode) == 0o600
    rotate_secret()
    assert load_secret() != first
    assert stat.S_IMODE(secret_file().stat().st_mode) == 0o600


def test_with_a_keyring_the_secret_stays_there(memory_keyring: MemoryKeyring) -> None:
    first = load_secret()
    assert memory_keyring.store[(KEYRING_SERVICE, KEYRING_USER)] == first
    assert not secret_file().exists()
    rotate_secret()
    assert load_secret() == memory_keyring.store[(KEYRING_SERVICE, KEYRING_USER)] != first
    assert not secret_file().exists()


def test_a_secret_file_someone_loosened_is_made_private_again_and_kept() -> None:
    first = load_secret()
    secret_file().chmod(0o644)  # a backup tool or a careless chmod

    assert load_secret() == first  # the same secret: tokens issued before still work
    assert stat.S_IMODE(secret_file().stat().st_mode) == 0o600
