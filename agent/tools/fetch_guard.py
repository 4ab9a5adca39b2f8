"""WebFetch's connections: only to public addresses, or to hosts an allow rule names.

The check sits where the socket is opened: ``GuardedBackend`` is the network backend of
the HTTP connection pool, so every connection WebFetch makes (the first request, every
redirect hop, every new port) resolves the host once, checks every address it got, and
connects to one of exactly those addresses. A DNS answer that changes between the check
and the connection (DNS rebinding) therefore cannot send the request elsewhere.

Hosts that allow rules name exactly (``WebFetch(domain:127.0.0.1)``; a wildcard does
not count) are exempt: the user has said that host is meant.

Through a proxy from the environment (``HTTP_PROXY`` and friends), the proxy connects,
not us. Then ``check_before_proxy`` judges the URL's host as far as it can be known
here: numbers and ``localhost`` names always, names when they resolve locally. A name
that only the proxy can resolve, and what the proxy then does, stay out of reach.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import urllib.request
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from contextlib import AsyncExitStack, contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpcore
import httpx

from agent.permissions.addresses import (
    address_class,
    host_key,
    host_text,
    is_local_name,
    literal,
)
from agent.tools.base import ToolError

Resolver = Callable[[str, int], Awaitable[list[str]]]


class AddressRefused(ToolError):
    """WebFetch will not connect to this host: it is (or resolves to) a local address."""


async def resolve(host: str, port: int) -> list[str]:
    """Every address the system resolver gives for ``host``, in its order, once each.

    Raises ``httpcore.ConnectError`` when the name does not resolve."""
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from None
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


@dataclass(frozen=True)
class FetchGuard:
    """Decides where WebFetch may connect. ``named``: hosts allow rules name exactly.
    ``resolver`` and ``backend`` are the network edge (the system's by default)."""

    named: frozenset[str] = frozenset()
    resolver: Resolver = resolve
    backend: httpcore.AsyncNetworkBackend = field(default_factory=httpcore.AnyIOBackend)

    def is_named(self, host: str) -> bool:
        key = host_key(host)
        return any(host_key(name) == key for name in self.named)

    async def addresses(self, host: str, port: int) -> list[str]:
        """The checked addresses to connect to for ``host``.

        Raises ``AddressRefused`` when the host is a local name or any address it stands
        for is not public (unless a rule names the host), ``httpcore.ConnectError``
        when it does not resolve."""
        named = self.is_named(host)
        if not named:
            self._refuse_by_spelling(host)
        found = await self._lookup(host, port)
        if not named:
            self._refuse_addresses(host, found)
        return found

    async def check_before_proxy(self, host: str, port: int) -> None:
        """Judge a host a proxy will connect to: by its spelling, and by its addresses
        when it resolves here (raises ``AddressRefused``)."""
        if self.is_named(host):
            return
        self._refuse_by_spelling(host)
        try:
            found = await self._lookup(host, port)
        except httpcore.ConnectError:
            return  # only the proxy can resolve it (see the module docstring)
        self._refuse_addresses(host, found)

    async def _lookup(self, host: str, port: int) -> list[str]:
        number = literal(host)  # every numeric spelling, as the resolver would read it
        return [str(number)] if number is not None else await self.resolver(host, port)

    def _refuse_by_spelling(self, host: str) -> None:
        if is_local_name(host):
            raise AddressRefused(_refusal(host, "", "a loopback name (RFC 6761: this machine)"))

    def _refuse_addresses(self, host: str, found: list[str]) -> None:
        # Every address, not only the first: the connection may fall back to any of them.
        for text in found:
            address = ipaddress.ip_address(text)
            kind = address_class(address)
            if kind:
                raise AddressRefused(_refusal(host, str(address), kind))


def _refusal(host: str, address: str, kind: str) -> str:
    name = host_text(host)
    if not address or address == name:
        what = f"{name} is"
    elif literal(host) is not None:
        what = f"{name} is the address {address},"
    else:
        what = f"{name} resolves to {address},"
    rule = f"WebFetch(domain:{name})"
    return (
        f"Refused to fetch from {name}: {what} {kind}. WebFetch does not reach this machine "
        "or local networks on its own: a page or a prompt could use it to read local "
        "services or to send them data. If the user wants this host, they can add the "
        f"allow rule {rule} (to their settings, or --allow '{rule}')."
    )


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """A network backend that connects only to addresses ``guard`` has checked."""

    def __init__(self, guard: FetchGuard) -> None:
        self._guard = guard

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        last: Exception | None = None
        for address in await self._guard.addresses(host, port):
            try:
                return await self._guard.backend.connect_tcp(
                    address,
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        raise last or httpcore.ConnectError(f"no address for {host}")

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("WebFetch does not connect to local sockets")

    async def sleep(self, seconds: float) -> None:
        await self._guard.backend.sleep(seconds)


class GuardedTransport(httpx.AsyncBaseTransport):
    """httpx's default transport, minus proxies, over ``GuardedBackend``."""

    def __init__(self, guard: FetchGuard) -> None:
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=True),
            network_backend=GuardedBackend(guard),
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(request.stream, httpx.AsyncByteStream)
        core = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        with _as_httpx_errors(request):
            response = await self._pool.handle_async_request(core)
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_Body(response, request),
            extensions=response.extensions,
        )

    async def aclose(self) -> None:
        await self._pool.aclose()


class _Body(httpx.AsyncByteStream):
    def __init__(self, response: httpcore.Response, request: httpx.Request) -> None:
        self._response = response
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with _as_httpx_errors(self._request):
            async for chunk in self._response.aiter_stream():
                yield chunk

    async def aclose(self) -> None:
        await self._response.aclose()


@contextmanager
def _as_httpx_errors(request: httpx.Request) -> Iterator[None]:
    """httpcore's errors as httpx's of the same name (what callers of httpx catch)."""
    try:
        yield
    except (httpcore.TimeoutException, httpcore.NetworkError, httpcore.ProtocolError) as exc:
        kind = getattr(httpx, type(exc).__name__, httpx.TransportError)
        raise kind(str(exc), request=request) from exc
    except httpcore.UnsupportedProtocol as exc:
        raise httpx.UnsupportedProtocol(str(exc), request=request) from exc


def proxy_for(url: str) -> str | None:
    """The proxy the environment sets for ``url`` (``HTTP_PROXY``, ``HTTPS_PROXY``,
    ``ALL_PROXY``, minus ``NO_PROXY``), or None."""
    proxies = urllib.request.getproxies_environment()
    parts = httpx.URL(url)
    proxy = proxies.get(parts.scheme) or proxies.get("all")
    if not proxy or urllib.request.proxy_bypass_environment(parts.host, proxies):
        return None
    return proxy


class Clients:
    """The HTTP clients one fetch uses: a guarded direct one, or one per proxy."""

    def __init__(self, guard: FetchGuard, **options: Any) -> None:
        self._guard = guard
        self._options = options
        self._made: dict[str | None, httpx.AsyncClient] = {}
        self._stack = AsyncExitStack()

    async def __aenter__(self) -> Clients:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._stack.aclose()

    async def for_url(self, url: str) -> httpx.AsyncClient:
        """The client to GET ``url`` with; raises ``AddressRefused`` for a proxied URL
        whose host is refused (a direct one is checked as it connects)."""
        proxy = proxy_for(url)
        if proxy is not None:
            parts = httpx.URL(url)
            await self._guard.check_before_proxy(parts.host, parts.port or 0)
        if proxy not in self._made:
            if proxy is None:
                client = httpx.AsyncClient(
                    transport=GuardedTransport(self._guard), trust_env=False, **self._options
                )
            else:
                client = httpx.AsyncClient(
                    proxy=proxy,
                    verify=httpx.create_ssl_context(trust_env=True),
                    trust_env=False,
                    **self._options,
                )
            self._made[proxy] = await self._stack.enter_async_context(client)
        return self._made[proxy]
