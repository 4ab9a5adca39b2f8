"""Which network addresses belong to this machine or its local networks.

A fetch from the model must not reach services that trust whoever can reach them: the
machine itself (loopback), the home or office network (private ranges), the cloud
metadata service (link-local 169.254.169.254) and their kin. The classes come from the
standard library's ``ipaddress`` (``is_loopback``, ``is_private``, ``is_global`` ...,
which follow the IANA special-purpose address registries), never from a table of our own.

A host can spell one address many ways. ``literal`` reads every spelling the resolver
accepts: dotted, decimal (``2130706433``), hex (``0x7f000001``, ``0x7f.0.0.1``), octal
(``0177.0.0.1``), short (``127.1``), IPv6 in any form, with brackets or a trailing dot;
an IPv6 address that carries an IPv4 one (``::ffff:127.0.0.1``, NAT64, 6to4) is judged
by the IPv4 address inside.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import unquote

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

# RFC 6052's well-known NAT64 prefix: the last 32 bits are the IPv4 address reached.
# ``ipaddress`` offers ``ipv4_mapped``, ``sixtofour`` and ``teredo``, but nothing for it.
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_METADATA = ipaddress.IPv4Address("169.254.169.254")
_NUMERIC = frozenset("0123456789abcdefx.")


def host_text(host: str) -> str:
    """``host`` lower-cased, without IPv6 brackets, percent escapes or trailing dots."""
    text = unquote(host.strip()).lower()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    return text.rstrip(".")


def literal(host: str) -> Address | None:
    """The address ``host`` spells, in any form the system resolver reads as a number
    (see the module docstring), or None for a name."""
    text = host_text(host)
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        pass
    if not text or not set(text) <= _NUMERIC or not text[0].isdigit():
        return None
    try:
        # inet_aton is what getaddrinfo uses for numbers: hex, octal, 1 to 4 parts.
        return ipaddress.IPv4Address(socket.inet_aton(text))
    except OSError:
        return None


def host_key(host: str) -> str:
    """One spelling per host, to compare a URL's host with the host a rule names:
    an address in its canonical form, a name as ``host_text`` gives it."""
    address = literal(host)
    return str(address) if address is not None else host_text(host)


def is_local_name(host: str) -> bool:
    """``localhost`` and every name under it (RFC 6761 reserves them for loopback)."""
    text = host_text(host)
    return text == "localhost" or text.endswith(".localhost")


def address_class(address: Address) -> str:
    """What kind of non-public address this is, as a phrase ("a loopback address (this
    machine)", "a private address (a local network)" ...), or ``""`` for a public one."""
    inner = embedded_ipv4(address)
    if inner is not None:
        kind = address_class(inner)
        if kind or address.ipv4_mapped is not None or address in _NAT64:
            return kind
    if address.is_loopback:
        return "a loopback address (this machine)"
    if address.is_unspecified:
        return "an unspecified address (it reaches this machine)"
    if address.is_link_local:
        if address == _METADATA:
            return "a link-local address (the cloud metadata service)"
        return "a link-local address"
    if address.is_multicast:
        return "a multicast address"
    if address.is_private:
        return "a private address (a local network)"
    if isinstance(address, ipaddress.IPv6Address) and address.is_site_local:
        return "a site-local address (a local network)"
    if address.is_reserved:
        return "a reserved address"
    if not address.is_global:
        return "an address that is not publicly routable"
    return ""


def embedded_ipv4(address: Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, NAT64, 6to4, Teredo client)."""
    if isinstance(address, ipaddress.IPv4Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    return None
