"""WebFetch does not reach this machine or local networks unless a rule names the host.

Real servers listen on loopback and record what they receive: a refused fetch must not
arrive there. Where a test needs a name that resolves to a public address, the resolver
and the socket connect (the network edge) are replaced; everything between them is real.
"""

from __future__ import annotations

import ipaddress
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpcore
import pytest

from agent.tools.base import ToolError
from agent.tools.fetch_guard import AddressRefused, FetchGuard
from agent.tools.webfetch import fetch as get
from tests.recording_server import RecordingServer, ipv6_loopback_works

from .conftest import Fetch

PUBLIC = "93.184.215.14"  # a public address; tests map it onto a loopback server


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


@pytest.fixture
def server() -> Iterator[RecordingServer]:
    with RecordingServer("127.0.0.1") as recording:
        yield recording


@pytest.fixture
def server6() -> Iterator[RecordingServer]:
    if not ipv6_loopback_works():
        pytest.skip("no IPv6 loopback here")
    with RecordingServer("::1") as recording:
        yield recording


LOOPBACK_SPELLINGS = [
    "127.0.0.1",
    "2130706433",
    "017700000001",
    "0x7f000001",
    "0x7f.0.0.1",
    "0177.1",
    "127.1",
    "127.0.0.1.",
    "[::ffff:127.0.0.1]",
    "[::ffff:7f00:1]",
    "localhost",
    "LocalHost.",
    "0.0.0.0",
    "0",
]


@pytest.mark.parametrize("host", LOOPBACK_SPELLINGS)
async def test_every_spelling_of_this_machine_is_refused_before_connecting(
    server: RecordingServer, fetch: Fetch, host: str
) -> None:
    out = await fetch(f"http://{host}:{server.port}/collect?d=API_KEY%3Dsk-live-123", allow=())

    assert out.is_error
    assert "Refused to fetch" in out.text()
    assert "loopback" in out.text() or "unspecified" in out.text()
    assert server.requests == []


async def test_an_octal_dotted_address_is_an_invalid_url(
    server: RecordingServer, fetch: Fetch
) -> None:
    # The resolver would read 0177.0.0.1 as 127.0.0.1; the URL parser refuses it first.
    out = await fetch(f"http://0177.0.0.1:{server.port}/collect", allow=())

    assert out.is_error and "Invalid URL" in out.text()
    assert server.requests == []


@pytest.mark.parametrize("host", ["[::1]", "[0:0:0:0:0:0:0:1]", "[::0001]"])
async def test_ipv6_loopback_is_refused_before_connecting(
    server6: RecordingServer, fetch: Fetch, host: str
) -> None:
    out = await fetch(f"http://{host}:{server6.port}/collect", allow=())

    assert out.is_error
    assert "a loopback address" in out.text()
    assert server6.requests == []


async def test_the_refusal_says_which_address_which_class_and_how_to_allow_it(
    server: RecordingServer, fetch: Fetch
) -> None:
    out = await fetch(f"http://2130706433:{server.port}/", allow=())

    assert out.text().startswith(
        "Refused to fetch from 2130706433: 2130706433 is the address 127.0.0.1, "
        "a loopback address (this machine)."
    )
    assert "allow rule WebFetch(domain:2130706433)" in out.text()


@pytest.mark.parametrize(
    ("allow", "url"),
    [
        ("WebFetch(domain:127.0.0.1)", "http://127.0.0.1:{port}/ok"),
        ("WebFetch(domain:localhost)", "http://localhost:{port}/ok"),
        ("WebFetch(domain:127.0.0.1)", "http://2130706433:{port}/ok"),  # the same address
    ],
)
async def test_a_rule_that_names_the_host_lets_the_fetch_through(
    server: RecordingServer, fetch: Fetch, allow: str, url: str
) -> None:
    out = await fetch(url.format(port=server.port), allow=(allow,))

    assert not out.is_error, out.text()
    assert "received" in out.text()
    assert server.requests == ["/ok"]


@pytest.mark.parametrize(
    ("allow", "host"),
    [
        ("WebFetch", "127.0.0.1"),
        ("WebFetch(domain:*.localhost)", "docs.localhost"),
        ("WebFetch(domain:localhost)", "docs.localhost"),  # a subdomain is not named
        ("WebFetch(domain:127.0.0.1)", "localhost"),  # another name for it is not either
    ],
)
async def test_a_rule_that_does_not_spell_out_the_host_does_not_name_it(
    server: RecordingServer, fetch: Fetch, allow: str, host: str
) -> None:
    out = await fetch(f"http://{host}:{server.port}/", allow=(allow,))

    assert out.is_error
    assert "Refused to fetch" in out.text()
    assert server.requests == []


class EdgeBackend(httpcore.AsyncNetworkBackend):
    """The socket layer: public addresses are served by the loopback server; records
    every connect."""

    def __init__(self) -> None:
        self.inner = httpcore.AnyIOBackend()
        self.connects: list[tuple[str, int]] = []

    async def connect_tcp(self, host: str, port: int, **options: object):  # type: ignore[no-untyped-def]
        self.connects.append((host, port))
        public = ipaddress.ip_address(host).is_global
        return await self.inner.connect_tcp("127.0.0.1" if public else host, port)

    async def connect_unix_socket(self, path: str, **options: object):  # type: ignore[no-untyped-def]
        raise AssertionError("not used")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


def answers(*results: list[str]):  # type: ignore[no-untyped-def]
    """A resolver giving these answers in turn (the last one from then on)."""
    queue = list(results)

    async def resolve(host: str, port: int) -> list[str]:
        return queue.pop(0) if len(queue) > 1 else queue[0]

    return resolve


@pytest.mark.parametrize(
    "answer", [["127.0.0.1"], [PUBLIC, "127.0.0.1"], ["::ffff:127.0.0.1"], ["10.0.0.7"]]
)
async def test_a_name_that_resolves_to_a_local_address_is_refused(
    server: RecordingServer, answer: list[str]
) -> None:
    edge = EdgeBackend()
    guard = FetchGuard(resolver=answers(answer), backend=edge)

    with pytest.raises(AddressRefused, match=r"docs\.example\.com resolves to"):
        await get(f"http://docs.example.com:{server.port}/", guard=guard)

    assert edge.connects == []
    assert server.requests == []


async def test_the_connection_goes_to_the_address_that_was_checked(
    server: RecordingServer,
) -> None:
    edge = EdgeBackend()
    guard = FetchGuard(resolver=answers([PUBLIC]), backend=edge)

    page = await get(f"http://docs.example.com:{server.port}/page", guard=guard)

    assert page.status == 200
    assert edge.connects == [(PUBLIC, server.port)]  # not the name: no second lookup
    assert server.hosts == [f"docs.example.com:{server.port}"]


def certificate(folder: Path, name: str) -> tuple[str, str]:
    """A self-signed certificate for ``name`` (made with the openssl command)."""
    if shutil.which("openssl") is None:
        pytest.skip("no openssl command here")
    cert, key = folder / f"{name}.pem", folder / f"{name}.key"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-subj", f"/CN={name}", "-addext", f"subjectAltName=DNS:{name}"),
            *("-keyout", str(key), "-out", str(cert)),
        ],
        check=True,
        capture_output=True,
    )
    return str(cert), str(key)


@pytest.mark.parametrize(("certified", "fetched"), [("docs.example.com", True), ("other", False)])
async def test_tls_is_verified_for_the_name_while_the_socket_goes_to_the_checked_address(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, certified: str, fetched: bool
) -> None:
    cert, key = certificate(tmp_path, certified)
    monkeypatch.setenv("SSL_CERT_FILE", cert)  # trust exactly this certificate
    edge = EdgeBackend()
    guard = FetchGuard(resolver=answers([PUBLIC]), backend=edge)
    with RecordingServer("127.0.0.1", tls=(cert, key)) as server:
        url = f"https://docs.example.com:{server.port}/page"
        if fetched:
            page = await get(url, guard=guard)
            assert page.status == 200
            assert server.hosts == [f"docs.example.com:{server.port}"]
        else:
            with pytest.raises(ToolError, match="certificate"):
                await get(url, guard=guard)
            assert server.requests == []
    assert edge.connects == [(PUBLIC, server.port)]


async def test_a_redirect_hop_whose_name_now_resolves_to_loopback_is_refused(
    server: RecordingServer,
) -> None:
    with RecordingServer("127.0.0.1") as inner:
        server.routes["/start"] = (302, {"Location": f"http://docs.example.com:{inner.port}/"}, b"")
        edge = EdgeBackend()
        # DNS rebinding: public for the first connection, loopback for the next one.
        guard = FetchGuard(resolver=answers([PUBLIC], ["127.0.0.1"]), backend=edge)

        with pytest.raises(AddressRefused, match=r"resolves to 127\.0\.0\.1, a loopback address"):
            await get(f"http://docs.example.com:{server.port}/start", guard=guard)

        assert server.requests == ["/start"]
        assert inner.requests == []
        assert edge.connects == [(PUBLIC, server.port)]


@pytest.mark.parametrize("target", ["localhost", "[::1]", "127.0.0.2"])
async def test_a_redirect_from_an_allowed_local_host_to_another_is_not_followed(
    server: RecordingServer, fetch: Fetch, target: str
) -> None:
    with RecordingServer("127.0.0.1") as other:
        elsewhere = f"http://{target}:{other.port}/secret"
        server.routes["/go"] = (302, {"Location": elsewhere}, b"")

        followed = await fetch(f"{server.url}/go")  # the rule names 127.0.0.1 only
        direct = await fetch(elsewhere)

        assert f"redirects to another host: {elsewhere}" in followed.text()
        assert direct.is_error and "Refused to fetch" in direct.text()
        assert server.requests == ["/go"]
        assert other.requests == []


@pytest.mark.parametrize(
    ("host", "kind"),
    [
        ("169.254.169.254", "the cloud metadata service"),
        ("10.1.2.3", "a private address"),
        ("192.168.0.1", "a private address"),
        ("172.16.5.4", "a private address"),
        ("100.64.0.1", "not publicly routable"),
        ("[fd12:3456::1]", "a private address"),
        ("[fe80::1]", "a link-local address"),
        ("[::ffff:10.0.0.1]", "a private address"),
        ("[64:ff9b::a9fe:a9fe]", "the cloud metadata service"),
        ("[2002:7f00:1::1]", "a loopback address"),
        ("224.0.0.251", "a multicast address"),
        ("[::]", "an unspecified address"),
    ],
)
async def test_local_network_addresses_are_refused_without_a_connection(
    host: str, kind: str
) -> None:
    edge = EdgeBackend()
    guard = FetchGuard(resolver=answers([PUBLIC]), backend=edge)

    with pytest.raises(AddressRefused, match=kind):
        await get(f"http://{host}/latest/meta-data/", guard=guard)

    assert edge.connects == []


@pytest.mark.parametrize(
    ("host", "connected"),
    [
        (PUBLIC, PUBLIC),
        ("1572394766", PUBLIC),  # the same address as one number
        ("[2606:4700:4700::1111]", "2606:4700:4700::1111"),
        ("[::ffff:93.184.215.14]", "::ffff:5db8:d70e"),
        ("[64:ff9b::5db8:d70e]", "64:ff9b::5db8:d70e"),  # NAT64 of a public address
    ],
)
async def test_public_addresses_in_any_spelling_are_fetched(
    server: RecordingServer, host: str, connected: str
) -> None:
    edge = EdgeBackend()
    guard = FetchGuard(resolver=answers([]), backend=edge)

    page = await get(f"http://{host}:{server.port}/docs", guard=guard)

    assert page.status == 200
    assert edge.connects == [(connected, server.port)]
    assert server.requests == ["/docs"]


async def test_through_a_proxy_a_local_host_is_refused_and_a_public_one_fetched(
    server: RecordingServer, fetch: Fetch, monkeypatch: pytest.MonkeyPatch
) -> None:
    with RecordingServer("127.0.0.1") as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)

        refused = await fetch(f"http://localhost:{server.port}/collect?d=sk-live-123", allow=())
        fetched = await fetch(f"http://{PUBLIC}/docs", allow=())

        assert refused.is_error and "Refused to fetch" in refused.text()
        assert not fetched.is_error, fetched.text()
        assert proxy.requests == [f"http://{PUBLIC}/docs"]  # a proxy gets the whole URL
        assert server.requests == []
